import Testing
@testable import Tensor

/// A named elementwise function with float32 inputs and expected outputs, for tables.
struct UnaryCase: Sendable, CustomTestStringConvertible {
    let name: String
    let function: @Sendable (Tensor) -> Tensor
    let inputs: [Float]
    let expected: [Float]

    var testDescription: String { name }
}

@Suite struct ElementwiseTests {
    // MARK: - Arithmetic

    @Test func arithmeticOnFloats() {
        let a = Tensor([1, 2, 3, 4] as [Float])
        let b = Tensor([0.5, -1, 4, 8] as [Float])
        #expect((a + b).floats == [1.5, 1, 7, 12])
        #expect((a - b).floats == [0.5, 3, -1, -4])
        #expect((a * b).floats == [0.5, -2, 12, 32])
        #expect((a / b).floats == [2, -2, 0.75, 0.5])
        #expect((-a).floats == [-1, -2, -3, -4])
    }

    @Test func arithmeticOnInt32() {
        let a: Tensor = [7, -3, 10]
        let b: Tensor = [2, 5, -4]
        #expect((a + b).dtype == .int32)
        #expect((a + b).ints == [9, 2, 6])
        #expect((a - b).ints == [5, -8, 14])
        #expect((a * b).ints == [14, -15, -40])
        #expect((-a).ints == [-7, 3, -10])
        #expect((-a).dtype == .int32)
    }

    @Test func int32ArithmeticWraps() {
        let large = Tensor([Int32.max] as [Int32])
        #expect((large + 1).scalars(as: Int32.self) == [Int32.min])
        #expect((-Tensor([Int32.min] as [Int32])).scalars(as: Int32.self) == [Int32.min])
    }

    @Test func trueDivisionOfIntegersGivesFloat32() {
        let a: Tensor = [7, -7, 1]
        let b: Tensor = [2, 2, 3]
        let quotient = a / b
        #expect(quotient.dtype == .float32)
        expectClose(quotient, [3.5, -3.5, 1.0 / 3.0])
        #expect((a / 2).dtype == .float32)
        #expect((a / 2).floats == [3.5, -3.5, 0.5])
        #expect((14 / a).floats == [2, -2, 14])
    }

    @Test func divisionByZeroFollowsIEEE() {
        let quotient = Tensor([1, -1, 0] as [Float]) / Tensor.zeros([3])
        let values = quotient.floats
        #expect(values[0] == .infinity)
        #expect(values[1] == -.infinity)
        #expect(values[2].isNaN)
    }

    @Test func unaryMinusOnUInt8Wraps() {
        let bytes = Tensor([0, 1, 255] as [UInt8])
        #expect((-bytes).scalars(as: UInt8.self) == [0, 255, 1])
    }

    @Test func compoundAssignment() {
        var x = Tensor([1, 2] as [Float])
        x += Tensor([1, 1] as [Float])
        x *= 3
        x -= 1
        x /= 2
        #expect(x.floats == [2.5, 4])
    }

    // MARK: - Promotion and weak scalars

    @Test(arguments: [
        (DType.uint8, DType.int32, DType.int32), (.uint8, .float32, .float32), (.int32, .float32, .float32),
        (.uint32, .int32, .int32), (.uint8, .uint32, .uint32), (.bool, .int32, .int32), (.bool, .float32, .float32),
    ])
    func mixedTensorDTypesPromote(a: DType, b: DType, expected: DType) {
        let x = Tensor.ones([2], dtype: a)
        let y = Tensor.ones([2], dtype: b)
        #expect((x + y).dtype == expected)
        #expect((y * x).dtype == expected)
        #expect((x + y).floats == [2, 2])
    }

    @Test func integerScalarKeepsTensorDType() {
        let bytes = Tensor([250, 3] as [UInt8])
        let one = 1
        let sum = bytes + one
        #expect(sum.dtype == .uint8)
        #expect(sum.scalars(as: UInt8.self) == [251, 4])
        // uint8 arithmetic wraps, as in NumPy and JAX.
        let ten = 10
        #expect((bytes + ten).scalars(as: UInt8.self) == [4, 13])
        let two = 2
        #expect((two * bytes).dtype == .uint8)
        #expect((one - Tensor([1, 2] as [UInt32])).scalars(as: UInt32.self) == [0, UInt32.max])
        #expect(maximum(bytes, 1).dtype == .uint8)
    }

    @Test func integerLiteralKeepsTensorDType() {
        let bytes = Tensor([250, 3] as [UInt8])
        #expect((bytes + 1).dtype == .uint8)
        #expect((2 * bytes).dtype == .uint8)
        #expect((Tensor([1, 2] as [UInt32]) - 1).dtype == .uint32)
        #expect((bytes + 1).ints == [251, 4])
        #expect((Tensor([1, 2] as [Int32]) * 0.5).dtype == .float32)
    }

    @Test func floatScalarMakesIntegersFloat32() {
        let ints: Tensor = [1, 2, 3]
        let half = ints * 0.5
        #expect(half.dtype == .float32)
        #expect(half.floats == [0.5, 1, 1.5])
        #expect((0.5 + ints).dtype == .float32)
        #expect((ints - Float(1.5)).floats == [-0.5, 0.5, 1.5])
        #expect((Tensor([4] as [UInt8]) * 0.25).floats == [1])
    }

    @Test func scalarOnEitherSide() {
        let x = Tensor([2, 4] as [Float])
        #expect((x + 1).floats == [3, 5])
        #expect((1 + x).floats == [3, 5])
        #expect((x - 1).floats == [1, 3])
        #expect((1 - x).floats == [-1, -3])
        #expect((x * 3).floats == [6, 12])
        #expect((3 * x).floats == [6, 12])
        #expect((x / 2).floats == [1, 2])
        #expect((8 / x).floats == [4, 2])
        #expect((x + 1).dtype == .float32)
    }

    @Test func boolTensorWithScalar() {
        let flags = Tensor([true, false])
        #expect((flags + 1).dtype == .int32)
        #expect((flags + 1).ints == [2, 1])
        #expect((flags * 0.5).floats == [0.5, 0])
    }

    // MARK: - Floor division and modulo

    @Test func floorDivideInt32FollowsPython() {
        let a: Tensor = [-7, 7, -7, 7, 0, 6, 6]
        let b: Tensor = [2, -2, -2, 2, 3, -3, 4]
        let quotient = floorDivide(a, b)
        #expect(quotient.dtype == .int32)
        #expect(quotient.ints == [-4, -4, 3, 3, 0, -2, 1])
    }

    @Test func modInt32FollowsPython() {
        let a: Tensor = [-7, 7, -7, 7, 0, 6, 6]
        let b: Tensor = [2, -2, -2, 2, 3, -3, 4]
        #expect((a % b).ints == [1, -1, -1, 1, 0, 0, 2])
        #expect(mod(a, b).ints == [1, -1, -1, 1, 0, 0, 2])
        #expect((a % b).dtype == .int32)
    }

    @Test func floorDivideAndModFloat32FollowPython() {
        let a = Tensor([-7, 7, -7, 7, -7.5, 7.5] as [Float])
        let b = Tensor([2, -2, -2, 2, 2, -2] as [Float])
        #expect(floorDivide(a, b).floats == [-4, -4, 3, 3, -4, -4])
        #expect((a % b).floats == [1, -1, -1, 1, 0.5, -0.5])
    }

    @Test func floorDivideAndModAgree() {
        // Python and NumPy keep a == b * (a // b) + a % b. So float32(1) // float32(0.1)
        // is 9 with remainder 0.09999998658895493 (NumPy 2.4), although floor(1 / 0.1)
        // rounds to 10 in float32.
        let one = Tensor(Float(1))
        let tenth = Tensor(Float(0.1))
        #expect(floorDivide(one, tenth).floatValue == 9)
        #expect((one % tenth).floatValue == 0.09999998658895493)
    }

    @Test func floorDivideFloat32ByZeroAndInfinity() {
        // Values from NumPy 2.4 np.floor_divide on float32.
        let byZero = floorDivide(Tensor([1, -1, 0] as [Float]), Tensor.zeros([3])).floats
        #expect(byZero[0] == .infinity)
        #expect(byZero[1] == -.infinity)
        #expect(byZero[2].isNaN)
        let infinite = floorDivide(
            Tensor([.infinity, -.infinity, 5] as [Float]), Tensor([2, 2, .infinity] as [Float])).floats
        #expect(infinite[0].isNaN)
        #expect(infinite[1].isNaN)
        #expect(infinite[2] == 0)
        let remainders = (Tensor([5, -5] as [Float]) % Tensor([.infinity, .infinity] as [Float])).floats
        #expect(remainders == [5, .infinity])
    }

    @Test func floorDivideAndModWithScalars() {
        let ints: Tensor = [-7, 7]
        #expect(floorDivide(ints, 2).ints == [-4, 3])
        #expect(floorDivide(ints, 2).dtype == .int32)
        #expect((ints % 2).ints == [1, 1])
        #expect((ints % -2).ints == [-1, -1])
        #expect(floorDivide(Tensor([7.5] as [Float]), 2).floats == [3])
        #expect((ints % 2.5).floats == [0.5, 2])
    }

    @Test func floorDivideUnsigned() {
        let bytes = Tensor([7, 200] as [UInt8])
        #expect(floorDivide(bytes, 2).scalars(as: UInt8.self) == [3, 100])
        let three = 3
        #expect((bytes % three).scalars(as: UInt8.self) == [1, 2])
    }

    // MARK: - Powers

    @Test func powFloat32() {
        let base = Tensor([2, 4, 0, 9] as [Float])
        let exponent = Tensor([3, 0.5, 0, -0.5] as [Float])
        expectClose(pow(base, exponent), [8, 2, 1, 1.0 / 3.0])
        #expect(pow(base, 2).floats == [4, 16, 0, 81])
        #expect(pow(Tensor([-8] as [Float]), Tensor([1.0 / 3.0] as [Float])).floatValue.isNaN)
    }

    @Test func powInt32() {
        // jnp.power on int32: negative exponents give 0 unless the base is 1 or -1.
        let base: Tensor = [2, -3, 5, 1, -1, 2]
        let exponent: Tensor = [10, 3, 0, -2, -3, -1]
        let result = pow(base, exponent)
        #expect(result.dtype == .int32)
        #expect(result.ints == [1024, -27, 1, 1, -1, 0])
    }

    @Test func powIntegerWithFloatScalar() {
        let result = pow(Tensor([4, 9] as [Int32]), 0.5)
        #expect(result.dtype == .float32)
        #expect(result.floats == [2, 3])
        #expect(pow(Tensor([3] as [Int32]), 2).dtype == .int32)
    }

    // MARK: - Unary math

    static let unaryCases: [UnaryCase] = [
        // Expected values are float32 results of NumPy 2.4 / JAX 0.10 for the same inputs.
        UnaryCase(
            name: "exp", function: { exp($0) }, inputs: [-2, -0.5, 0, 0.5, 1, 3],
            expected: [0.1353352814912796, 0.6065306663513184, 1, 1.6487212181091309, 2.7182819843292236, 20.08553695678711]),
        UnaryCase(
            name: "log", function: { log($0) }, inputs: [0.5, 1, 2, 4],
            expected: [-0.6931471824645996, 0, 0.6931471824645996, 1.3862943649291992]),
        UnaryCase(
            name: "log1p", function: { log1p($0) }, inputs: [-0.5, 0, 1e-7, 0.5, 1],
            expected: [-0.6931471824645996, 0, 9.999999406318238e-08, 0.40546512603759766, 0.6931471824645996]),
        UnaryCase(
            name: "expm1", function: { expm1($0) }, inputs: [-0.5, 0, 1e-7, 0.5, 1],
            expected: [-0.39346933364868164, 0, 1.000000082740371e-07, 0.6487212777137756, 1.718281865119934]),
        UnaryCase(
            name: "sqrt", function: { sqrt($0) }, inputs: [0.5, 1, 2, 4],
            expected: [0.7071067690849304, 1, 1.4142135381698608, 2]),
        UnaryCase(
            name: "rsqrt", function: { rsqrt($0) }, inputs: [0.5, 1, 2, 4],
            expected: [1.4142135381698608, 1, 0.7071067690849304, 0.5]),
        UnaryCase(name: "abs", function: { abs($0) }, inputs: [-2, -0.5, 0, 3], expected: [2, 0.5, 0, 3]),
        UnaryCase(name: "sign", function: { sign($0) }, inputs: [-2, -0.5, 0, 3], expected: [-1, -1, 0, 1]),
        UnaryCase(
            name: "sin", function: { sin($0) }, inputs: [-2, -0.5, 0, 0.5, 1, 3],
            expected: [-0.9092974066734314, -0.4794255495071411, 0, 0.4794255495071411, 0.8414710164070129, 0.14112000167369843]),
        UnaryCase(
            name: "cos", function: { cos($0) }, inputs: [-2, -0.5, 0, 0.5, 1, 3],
            expected: [-0.41614681482315063, 0.8775825500488281, 1, 0.8775825500488281, 0.5403022766113281, -0.9899924993515015]),
        UnaryCase(
            name: "tanh", function: { tanh($0) }, inputs: [-2, -0.5, 0, 0.5, 1, 3],
            expected: [-0.9640275835990906, -0.46211719512939453, 0, 0.46211719512939453, 0.7615941762924194, 0.9950547814369202]),
        UnaryCase(
            name: "sigmoid", function: { sigmoid($0) }, inputs: [-2, -0.5, 0, 0.5, 1, 3],
            expected: [0.11920291930437088, 0.3775406777858734, 0.5, 0.622459352016449, 0.7310585975646973, 0.9525741338729858]),
        UnaryCase(name: "relu", function: { relu($0) }, inputs: [-2, -0.5, 0, 0.5, 3], expected: [0, 0, 0, 0.5, 3]),
        UnaryCase(
            name: "gelu approximate", function: { gelu($0) }, inputs: [-2, -0.5, 0, 0.5, 1, 3],
            expected: [-0.045402348041534424, -0.1542859971523285, 0, 0.3457140028476715, 0.8411920070648193, 2.9963626861572266]),
        UnaryCase(
            name: "gelu exact", function: { gelu($0, approximate: false) }, inputs: [-2, -0.5, 0, 0.5, 1, 3],
            expected: [-0.045500267297029495, -0.1542687714099884, 0, 0.3457312285900116, 0.8413447141647339, 2.995950222015381]),
    ]

    @Test(arguments: unaryCases)
    func unaryMathMatchesNumPy(testCase: UnaryCase) {
        let result = testCase.function(Tensor(testCase.inputs))
        #expect(result.dtype == .float32)
        #expect(result.shape == [testCase.inputs.count])
        expectClose(result, testCase.expected, tolerance: 2e-6)
    }

    @Test func geluDefaultsToApproximate() {
        let x = Tensor([1] as [Float])
        #expect(gelu(x).floatValue == gelu(x, approximate: true).floatValue)
        #expect(gelu(x).floatValue != gelu(x, approximate: false).floatValue)
    }

    @Test func unaryMathSpecialValues() {
        #expect(log(Tensor(Float(0))).floatValue == -.infinity)
        #expect(log(Tensor(Float(-1))).floatValue.isNaN)
        #expect(sqrt(Tensor(Float(-1))).floatValue.isNaN)
        #expect(rsqrt(Tensor(Float(0))).floatValue == .infinity)
        #expect(exp(Tensor(Float(-Float.infinity))).floatValue == 0)
        #expect(sigmoid(Tensor([-100, 100] as [Float])).floats == [0, 1])
        #expect(tanh(Tensor([-Float.infinity, Float.infinity])).floats == [-1, 1])
        #expect(sign(Tensor(Float.nan)).floatValue.isNaN)
        // jax.nn.relu is maximum(x, 0), so NaN stays NaN.
        #expect(relu(Tensor(Float.nan)).floatValue.isNaN)
    }

    @Test func transcendentalOfIntegersGivesFloat32() {
        let ints: Tensor = [0, 1]
        #expect(exp(ints).dtype == .float32)
        expectClose(exp(ints), [1, 2.7182819843292236])
        #expect(sqrt(Tensor([4, 9] as [UInt8])).floats == [2, 3])
        #expect(sigmoid(ints).floats[0] == 0.5)
        #expect(gelu(ints).dtype == .float32)
    }

    @Test func absSignReluKeepIntegerDType() {
        let ints: Tensor = [-3, 0, 5]
        #expect(abs(ints).dtype == .int32)
        #expect(abs(ints).ints == [3, 0, 5])
        #expect(sign(ints).ints == [-1, 0, 1])
        #expect(relu(ints).ints == [0, 0, 5])
        let bytes = Tensor([0, 7] as [UInt8])
        #expect(sign(bytes).scalars(as: UInt8.self) == [0, 1])
        #expect(relu(bytes).scalars(as: UInt8.self) == [0, 7])
    }

    // MARK: - Maximum, minimum, clip

    @Test func maximumAndMinimum() {
        let a = Tensor([1, 5, -2] as [Float])
        let b = Tensor([3, 4, -2] as [Float])
        #expect(maximum(a, b).floats == [3, 5, -2])
        #expect(minimum(a, b).floats == [1, 4, -2])
        #expect(maximum(a, 0).floats == [1, 5, 0])
        #expect(minimum(a, 2).floats == [1, 2, -2])
        #expect(maximum(Tensor([1, 9] as [Int32]), Tensor([4, 2] as [Int32])).ints == [4, 9])
    }

    @Test func maximumAndMinimumPropagateNaN() {
        let a = Tensor([.nan, 1, .nan] as [Float])
        let b = Tensor([1, .nan, .nan] as [Float])
        #expect(maximum(a, b).floats.allSatisfy { $0.isNaN })
        #expect(minimum(a, b).floats.allSatisfy { $0.isNaN })
        #expect(maximum(Tensor(Float.nan), 0).floatValue.isNaN)
    }

    @Test func maximumBroadcasts() {
        let column = Tensor([1, 4] as [Float], shape: [2, 1])
        let row = Tensor([0, 2, 5] as [Float])
        let result = maximum(column, row)
        #expect(result.shape == [2, 3])
        #expect(result.floats == [1, 2, 5, 4, 4, 5])
    }

    @Test func clipWithNumbers() {
        let x = Tensor([-2, 0.5, 3] as [Float])
        #expect(clip(x, min: 0.0, max: 1.0).floats == [0, 0.5, 1])
        #expect(clip(x, min: 0.0).floats == [0, 0.5, 3])
        #expect(clip(x, max: 1.0).floats == [-2, 0.5, 1])
        #expect(clip(x, min: -1, max: 1).floats == [-1, 0.5, 1])
    }

    @Test func clipIntegersWithIntegerBoundsKeepsDType() {
        // jnp.clip(int32 array, 0, 5) stays int32, because Python ints are weakly typed.
        let ints: Tensor = [-3, 2, 9]
        let clipped = clip(ints, min: 0, max: 5)
        #expect(clipped.dtype == .int32)
        #expect(clipped.ints == [0, 2, 5])
        #expect(clip(Tensor([1, 250] as [UInt8]), min: 2, max: 200).scalars(as: UInt8.self) == [2, 200])
    }

    @Test func clipWithTensors() {
        let x = Tensor([-2, 0.5, 3] as [Float])
        let low = Tensor([-1, 1, 0] as [Float])
        let high = Tensor(Float(2))
        #expect(clip(x, min: low, max: high).floats == [-1, 1, 2])
    }

    @Test func clipPropagatesNaN() {
        #expect(clip(Tensor(Float.nan), min: 0.0, max: 1.0).floatValue.isNaN)
    }

    // MARK: - Comparisons and logic

    @Test func comparisonsReturnBool() {
        let a = Tensor([1, 2, 3] as [Float])
        let b = Tensor([2, 2, 2] as [Float])
        #expect((a .== b).dtype == .bool)
        #expect((a .== b).scalars(as: Bool.self) == [false, true, false])
        #expect((a .!= b).scalars(as: Bool.self) == [true, false, true])
        #expect((a .< b).scalars(as: Bool.self) == [true, false, false])
        #expect((a .<= b).scalars(as: Bool.self) == [true, true, false])
        #expect((a .> b).scalars(as: Bool.self) == [false, false, true])
        #expect((a .>= b).scalars(as: Bool.self) == [false, true, true])
    }

    @Test func comparisonsWithScalars() {
        let ints: Tensor = [1, 2, 3]
        #expect((ints .== 2).scalars(as: Bool.self) == [false, true, false])
        #expect((ints .!= 2).scalars(as: Bool.self) == [true, false, true])
        #expect((ints .< 2).scalars(as: Bool.self) == [true, false, false])
        #expect((ints .<= 2).scalars(as: Bool.self) == [true, true, false])
        #expect((ints .> 2.5).scalars(as: Bool.self) == [false, false, true])
        #expect((ints .>= 1.5).scalars(as: Bool.self) == [false, true, true])
    }

    @Test func comparisonsWithNaN() {
        let nan = Tensor([Float.nan])
        #expect((nan .== nan).scalars(as: Bool.self) == [false])
        #expect((nan .!= nan).scalars(as: Bool.self) == [true])
        #expect((nan .< 0).scalars(as: Bool.self) == [false])
        #expect((nan .>= 0).scalars(as: Bool.self) == [false])
    }

    @Test func comparisonsBroadcastAndPromote() {
        let column = Tensor([1, 3] as [Int32], shape: [2, 1])
        let row = Tensor([0.5, 2, 3] as [Float])
        let less = column .< row
        #expect(less.shape == [2, 3])
        #expect(less.scalars(as: Bool.self) == [false, true, true, false, false, false])
    }

    @Test func comparisonsOfBools() {
        let a = Tensor([true, false])
        #expect((a .== Tensor([true, true])).scalars(as: Bool.self) == [true, false])
        #expect((a .!= Tensor([true, true])).scalars(as: Bool.self) == [false, true])
    }

    @Test func whereSelectsWithBroadcasting() {
        let condition = Tensor([true, false, true])
        let x = Tensor([1, 2, 3] as [Float])
        let y = Tensor([10, 20, 30] as [Float])
        #expect(`where`(condition, x, y).floats == [1, 20, 3])
        #expect(select(condition, x, y).floats == [1, 20, 3])
        #expect(select(condition, x, 0).floats == [1, 0, 3])

        let column = Tensor([true, false], shape: [2, 1])
        let result = select(column, x, Tensor(Float(-1)))
        #expect(result.shape == [2, 3])
        #expect(result.floats == [1, 2, 3, -1, -1, -1])
    }

    @Test func whereWithScalarBranchesOverAMatrix() {
        let condition = Tensor([true, false, false, true, true, false], shape: [2, 3])
        let x = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        #expect(select(condition, Tensor(Float(0)), x).floats == [0, 2, 3, 0, 0, 6])
        #expect(select(condition, x, Tensor(Float(-1))).floats == [1, -1, -1, 4, 5, -1])
        #expect(select(Tensor(true), x, Tensor(Float(0))).floats == x.floats)
        #expect(select(condition, Tensor(Float(7)), Tensor(Float(8))).floats == [7, 8, 8, 7, 7, 8])
    }

    @Test func wherePromotesBranches() {
        let result = select(Tensor([true, false]), Tensor([1, 2] as [Int32]), Tensor([0.5, 0.5] as [Float]))
        #expect(result.dtype == .float32)
        #expect(result.floats == [1, 0.5])
    }

    @Test func whereTestsIntegerConditionAgainstZero() {
        let result = select(Tensor([0, 3, -1] as [Int32]), Tensor.ones([3]), Tensor.zeros([3]))
        #expect(result.floats == [0, 1, 1])
    }

    @Test func logicalOperations() {
        let a = Tensor([true, true, false, false])
        let b = Tensor([true, false, true, false])
        #expect(logicalAnd(a, b).scalars(as: Bool.self) == [true, false, false, false])
        #expect(logicalOr(a, b).scalars(as: Bool.self) == [true, true, true, false])
        #expect(logicalNot(a).scalars(as: Bool.self) == [false, false, true, true])
        #expect((a .&& b).scalars(as: Bool.self) == [true, false, false, false])
        #expect((a .|| b).scalars(as: Bool.self) == [true, true, true, false])
    }

    @Test func logicalOperationsOnNumbers() {
        let ints: Tensor = [0, 2, -1]
        let floats = Tensor([0.5, 0, 0] as [Float])
        #expect(logicalAnd(ints, floats).scalars(as: Bool.self) == [false, false, false])
        #expect(logicalOr(ints, floats).scalars(as: Bool.self) == [true, true, true])
        #expect(logicalNot(ints).scalars(as: Bool.self) == [true, false, false])
        #expect(logicalNot(ints).dtype == .bool)
    }

    @Test func logicalOperatorsBroadcast() {
        let column = Tensor([true, false], shape: [2, 1])
        let row = Tensor([true, false])
        #expect((column .&& row).shape == [2, 2])
        #expect((column .&& row).scalars(as: Bool.self) == [true, false, false, false])
        #expect((column .|| row).scalars(as: Bool.self) == [true, true, true, false])
    }

    // MARK: - Conversion

    @Test func astypeFloatToInt32TruncatesAndSaturates() {
        let x = Tensor([2.7, -2.7, 1e10, -1e10, .nan, .infinity, -.infinity, 0.99] as [Float])
        let converted = x.astype(.int32)
        #expect(converted.dtype == .int32)
        #expect(converted.scalars(as: Int32.self) == [2, -2, Int32.max, Int32.min, 0, Int32.max, Int32.min, 0])
    }

    @Test func astypeFloatToUnsigned() {
        let x = Tensor([2.7, -2.7, 300, -300, .nan, 255.9] as [Float])
        #expect(x.astype(.uint8).scalars(as: UInt8.self) == [2, 0, 255, 0, 0, 255])
        let y = Tensor([2.7, -2.7, 5e9, .nan] as [Float])
        #expect(y.astype(.uint32).scalars(as: UInt32.self) == [2, 0, UInt32.max, 0])
    }

    @Test func astypeToBool() {
        let floats = Tensor([0, -0.0, 0.5, .nan] as [Float])
        #expect(floats.astype(.bool).scalars(as: Bool.self) == [false, false, true, true])
        let ints: Tensor = [0, -3, 5]
        #expect(ints.astype(.bool).scalars(as: Bool.self) == [false, true, true])
        #expect(Tensor([0, 9] as [UInt8]).astype(.bool).scalars(as: Bool.self) == [false, true])
    }

    @Test func astypeFromBool() {
        let flags = Tensor([true, false])
        #expect(flags.astype(.float32).scalars(as: Float.self) == [1, 0])
        #expect(flags.astype(.int32).scalars(as: Int32.self) == [1, 0])
        #expect(flags.astype(.uint32).scalars(as: UInt32.self) == [1, 0])
        #expect(flags.astype(.uint8).scalars(as: UInt8.self) == [1, 0])
    }

    @Test func astypeBetweenIntegersWraps() {
        // XLA converts between integer types by keeping the low bits (JAX 0.10 values).
        let ints = Tensor([300, -1, 255, 256] as [Int32])
        #expect(ints.astype(.uint8).scalars(as: UInt8.self) == [44, 255, 255, 0])
        let negative = Tensor([-1, Int32.min] as [Int32])
        #expect(negative.astype(.uint32).scalars(as: UInt32.self) == [4_294_967_295, 2_147_483_648])
        let words = Tensor([4_294_967_295, 2_147_483_648] as [UInt32])
        #expect(words.astype(.int32).scalars(as: Int32.self) == [-1, Int32.min])
        #expect(Tensor([4_294_967_295, 511] as [UInt32]).astype(.uint8).scalars(as: UInt8.self) == [255, 255])
        #expect(Tensor([200] as [UInt8]).astype(.int32).scalars(as: Int32.self) == [200])
    }

    @Test func astypeToFloat32Rounds() {
        // 2^24 + 1 has no float32 representation and rounds to 2^24.
        #expect(Tensor([16_777_217] as [Int32]).astype(.float32).scalars(as: Float.self) == [16_777_216])
        #expect(Tensor([0, 255] as [UInt8]).astype(.float32).scalars(as: Float.self) == [0, 255])
        #expect(Tensor([UInt32.max] as [UInt32]).astype(.float32).scalars(as: Float.self) == [4_294_967_296])
    }

    @Test(arguments: DType.allCases)
    func astypeRoundTripOfSmallValues(dtype: DType) {
        let x = Tensor([0, 1, 1, 0] as [Float], shape: [2, 2])
        let converted = x.astype(dtype)
        #expect(converted.dtype == dtype)
        #expect(converted.shape == [2, 2])
        #expect(converted.astype(.float32).floats == [0, 1, 1, 0])
    }

    @Test(arguments: DType.allCases, DType.allCases)
    func astypeBetweenEveryPair(source: DType, destination: DType) {
        let x = Tensor([0, 1, 3] as [Float], shape: [3, 1]).astype(source)
        let converted = x.astype(destination)
        #expect(converted.dtype == destination)
        #expect(converted.shape == [3, 1])
        let expected: [Float] = source == .bool || destination == .bool ? [0, 1, 1] : [0, 1, 3]
        #expect(converted.floats == expected)
    }

    @Test func astypeToSameDTypeSharesStorage() {
        let x = Tensor.ones([3])
        #expect(x.astype(.float32).storage === x.storage)
        #expect(x.cast(.int32).dtype == .int32)
    }
}
