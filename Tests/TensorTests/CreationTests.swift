import Testing
@testable import Tensor

@Suite struct CreationTests {
    // MARK: - DType

    @Test(arguments: [
        (DType.float32, 4, "f32"), (.int32, 4, "i32"), (.uint32, 4, "u32"), (.uint8, 1, "u8"), (.bool, 1, "bool"),
    ])
    func dtypeSizeAndName(dtype: DType, byteSize: Int, shortName: String) {
        #expect(dtype.byteSize == byteSize)
        #expect(dtype.shortName == shortName)
        #expect(dtype.description == dtype.rawValue)
    }

    @Test func dtypeKinds() {
        #expect(DType.allCases.filter(\.isFloatingPoint) == [.float32])
        #expect(DType.allCases.filter(\.isInteger) == [.int32, .uint32, .uint8])
    }

    @Test(arguments: [
        (DType.bool, DType.uint8, DType.uint8), (.uint8, .int32, .int32), (.int32, .uint32, .int32),
        (.uint32, .uint8, .uint32), (.int32, .float32, .float32), (.bool, .float32, .float32), (.bool, .bool, .bool),
    ])
    func dtypePromotion(a: DType, b: DType, expected: DType) {
        #expect(DType.promoted(a, b) == expected)
        #expect(DType.promoted(b, a) == expected)
    }

    // MARK: - Filled tensors

    @Test(arguments: DType.allCases)
    func zerosAndOnesForEveryDType(dtype: DType) {
        let zeros = Tensor.zeros([2, 3], dtype: dtype)
        let ones = Tensor.ones([2, 3], dtype: dtype)
        #expect(zeros.shape == [2, 3])
        #expect(zeros.dtype == dtype)
        #expect(zeros.floats == [Float](repeating: 0, count: 6))
        #expect(ones.dtype == dtype)
        #expect(ones.floats == [Float](repeating: 1, count: 6))
    }

    @Test func zerosDefaultsToFloat32() {
        #expect(Tensor.zeros([4]).dtype == .float32)
        #expect(Tensor.ones([]).shape == [])
        #expect(Tensor.ones([]).floatValue == 1)
    }

    @Test func zerosWithEmptyAxis() {
        let empty = Tensor.zeros([0, 3])
        #expect(empty.shape == [0, 3])
        #expect(empty.size == 0)
        #expect(empty.floats == [])
    }

    @Test func fullValues() {
        #expect(Tensor.full([3], 2.5).floats == [2.5, 2.5, 2.5])
        #expect(Tensor.full([2], 7, dtype: .int32).scalars(as: Int32.self) == [7, 7])
        #expect(Tensor.full([2], 200, dtype: .uint8).scalars(as: UInt8.self) == [200, 200])
        #expect(Tensor.full([2], 1, dtype: .bool).scalars(as: Bool.self) == [true, true])
        #expect(Tensor.full([2, 2], -1.5).shape == [2, 2])
    }

    @Test func fullConvertsValueLikeJAX() {
        // jnp.full(2, v, dtype) in JAX 0.10: whole numbers wrap, other values truncate
        // toward zero and saturate, and NaN gives 0.
        #expect(Tensor.full([2], -1, dtype: .uint8).scalars(as: UInt8.self) == [255, 255])
        #expect(Tensor.full([2], 300, dtype: .uint8).scalars(as: UInt8.self) == [44, 44])
        #expect(Tensor.full([2], -2.7, dtype: .uint8).scalars(as: UInt8.self) == [0, 0])
        #expect(Tensor.full([2], 2.7, dtype: .int32).scalars(as: Int32.self) == [2, 2])
        #expect(Tensor.full([2], .nan, dtype: .int32).scalars(as: Int32.self) == [0, 0])
        #expect(Tensor.full([1], -1, dtype: .uint32).scalars(as: UInt32.self) == [UInt32.max])
        #expect(Tensor.full([1], .infinity, dtype: .int32).scalars(as: Int32.self) == [Int32.max])
    }

    @Test func likeCopiesShapeAndDType() {
        let x = Tensor.full([2, 3], 5, dtype: .uint8)
        #expect(Tensor.zeros(like: x).shape == [2, 3])
        #expect(Tensor.zeros(like: x).dtype == .uint8)
        #expect(Tensor.ones(like: x).scalars(as: UInt8.self) == [1, 1, 1, 1, 1, 1])
    }

    // MARK: - Ranges

    @Test(arguments: [
        (0, 5, 1, [0, 1, 2, 3, 4] as [Int32]),
        (2, 8, 3, [2, 5]),
        (0, 10, 3, [0, 3, 6, 9]),
        (10, 0, -3, [10, 7, 4, 1]),
        (5, 0, 1, []),
        (0, 5, -1, []),
        (-3, 3, 2, [-3, -1, 1]),
        (3, 3, 1, []),
    ])
    func arangeIntegers(start: Int, stop: Int, step: Int, expected: [Int32]) {
        let range = Tensor.arange(start, stop, step: step)
        #expect(range.dtype == .int32)
        #expect(range.shape == [expected.count])
        #expect(range.scalars(as: Int32.self) == expected)
    }

    @Test func arangeStopOnly() {
        #expect(Tensor.arange(4).scalars(as: Int32.self) == [0, 1, 2, 3])
        #expect(Tensor.arange(3, dtype: .float32).floats == [0, 1, 2])
    }

    @Test(arguments: [
        (0.0, 1.0, 0.25, [0, 0.25, 0.5, 0.75] as [Float]),
        (1.0, 0.0, -0.5, [1, 0.5]),
        (0.5, 3.0, 1.0, [0.5, 1.5, 2.5]),
        (-1.0, 1.0, 0.5, [-1, -0.5, 0, 0.5]),
        (1.0, 1.0, 0.5, []),
    ])
    func arangeFloats(start: Double, stop: Double, step: Double, expected: [Float]) {
        let range = Tensor.arange(start, stop, step: step)
        #expect(range.dtype == .float32)
        #expect(range.floats == expected)
    }

    @Test func arangeFloatCountMatchesNumPy() {
        // np.arange(0, 1, 0.1) has 10 elements and np.arange(0, 0.3, 0.1) has 3,
        // although 0.3 / 0.1 is 2.9999999999999996 in binary floating point.
        let tenths = Tensor.arange(0.0, 1.0, step: 0.1)
        #expect(tenths.shape == [10])
        expectClose(tenths, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
        #expect(Tensor.arange(0.0, 0.3, step: 0.1).shape == [3])
    }

    @Test(arguments: [
        (0.0, 1.0, 5, true, [0, 0.25, 0.5, 0.75, 1] as [Float]),
        (0.0, 1.0, 4, false, [0, 0.25, 0.5, 0.75]),
        (2.0, -2.0, 3, true, [2, 0, -2]),
        (3.0, 9.0, 1, true, [3]),
        (3.0, 9.0, 0, true, []),
    ])
    func linspaceValues(start: Double, stop: Double, count: Int, endpoint: Bool, expected: [Float]) {
        let values = Tensor.linspace(start, stop, count: count, endpoint: endpoint)
        #expect(values.dtype == .float32)
        #expect(values.floats == expected)
    }

    @Test func linspaceEndsExactlyAtStop() {
        // Accumulating 0.1 nine times gives 0.8999999999999999; the last element must
        // still be the requested stop.
        let values = Tensor.linspace(0, 0.9, count: 10)
        #expect(values.floats.last == Float(0.9))
    }

    // MARK: - Identity

    @Test func eyeSquare() {
        let identity = Tensor.eye(3)
        #expect(identity.shape == [3, 3])
        #expect(identity.dtype == .float32)
        #expect(identity.floats == [1, 0, 0, 0, 1, 0, 0, 0, 1])
    }

    @Test(arguments: [
        (2, 3, 1, [0, 1, 0, 0, 0, 1] as [Float]),
        (3, 2, -1, [0, 0, 1, 0, 0, 1]),
        (2, 2, 2, [0, 0, 0, 0]),
        (2, 4, 0, [1, 0, 0, 0, 0, 1, 0, 0]),
    ])
    func eyeRectangularWithOffset(rows: Int, columns: Int, k: Int, expected: [Float]) {
        let matrix = Tensor.eye(rows, columns, k: k)
        #expect(matrix.shape == [rows, columns])
        #expect(matrix.floats == expected)
    }

    @Test func eyeInt32() {
        let identity = Tensor.eye(2, dtype: .int32)
        #expect(identity.dtype == .int32)
        #expect(identity.scalars(as: Int32.self) == [1, 0, 0, 1])
    }

    // MARK: - From Swift arrays

    @Test func flatArrayWithShape() {
        let floats = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        #expect(floats.shape == [2, 3])
        #expect(floats.dtype == .float32)
        #expect(floats.scalars(as: Float.self) == [1, 2, 3, 4, 5, 6])

        let ints = Tensor([-1, 0, 7] as [Int32], shape: [3, 1])
        #expect(ints.dtype == .int32)
        #expect(ints.shape == [3, 1])
        #expect(ints.scalars(as: Int32.self) == [-1, 0, 7])

        let words = Tensor([0, 4_000_000_000] as [UInt32], shape: [2])
        #expect(words.dtype == .uint32)
        #expect(words.scalars(as: UInt32.self) == [0, 4_000_000_000])

        let bytes = Tensor([0, 128, 255] as [UInt8], shape: [3])
        #expect(bytes.dtype == .uint8)
        #expect(bytes.scalars(as: UInt8.self) == [0, 128, 255])

        let flags = Tensor([true, false, true, true], shape: [2, 2])
        #expect(flags.dtype == .bool)
        #expect(flags.scalars(as: Bool.self) == [true, false, true, true])
    }

    @Test func flatArrayWithoutShapeIsVector() {
        let vector = Tensor([1.5, -2] as [Float])
        #expect(vector.shape == [2])
        #expect(vector.rank == 1)
        #expect(vector.ndim == 1)
        #expect(vector.size == 2)
    }

    @Test func emptyArrayWithShape() {
        let empty = Tensor([Float](), shape: [2, 0])
        #expect(empty.shape == [2, 0])
        #expect(empty.size == 0)
    }

    @Test func scalarInitializers() {
        let float = Tensor(Float(2.5))
        #expect(float.shape == [])
        #expect(float.dtype == .float32)
        #expect(float.floatValue == 2.5)

        let double = Tensor(0.25)
        #expect(double.dtype == .float32)
        #expect(double.floatValue == 0.25)

        let int = Tensor(3)
        #expect(int.dtype == .int32)
        #expect(int.intValue == 3)

        let byte = Tensor(UInt8(9))
        #expect(byte.dtype == .uint8)

        let flag = Tensor(true)
        #expect(flag.dtype == .bool)
        #expect(Bool(flag))
    }

    @Test func nestedIntegerLiteral() {
        let matrix: Tensor = [[1, 2], [3, 4]]
        #expect(matrix.shape == [2, 2])
        #expect(matrix.dtype == .int32)
        #expect(matrix.scalars(as: Int32.self) == [1, 2, 3, 4])
    }

    @Test func nestedFloatLiteral() {
        let matrix: Tensor = [[1.5, 2], [3, 4]]
        #expect(matrix.dtype == .float32)
        #expect(matrix.floats == [1.5, 2, 3, 4])
    }

    @Test func mixedLiteralPromotesToFloat32() {
        // Only the last row holds a float literal; the int32 rows are promoted.
        let matrix: Tensor = [[1, 2], [3, 4.5]]
        #expect(matrix.dtype == .float32)
        #expect(matrix.floats == [1, 2, 3, 4.5])

        let vector: Tensor = [1, 2.5, 3]
        #expect(vector.dtype == .float32)
        #expect(vector.floats == [1, 2.5, 3])
    }

    @Test func literalScalarsAndBools() {
        let int: Tensor = 7
        #expect(int.shape == [])
        #expect(int.dtype == .int32)
        let float: Tensor = 0.5
        #expect(float.dtype == .float32)
        let flags: Tensor = [true, false]
        #expect(flags.dtype == .bool)
        #expect(flags.scalars(as: Bool.self) == [true, false])
    }

    @Test func literalRankThree() {
        let cube: Tensor = [[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]]
        #expect(cube.shape == [3, 2, 2])
        #expect(cube.ints == Array(1...12).map(Int32.init))
    }

    @Test func emptyLiteral() {
        let empty: Tensor = []
        #expect(empty.shape == [0])
        #expect(empty.dtype == .float32)
    }

    @Test func nestedSwiftArrays() {
        let matrix = Tensor([[1, 2, 3], [4, 5, 6]] as [[Float]])
        #expect(matrix.shape == [2, 3])
        #expect(matrix.dtype == .float32)
        #expect(matrix.floats == [1, 2, 3, 4, 5, 6])

        let cube = Tensor([[[1, 2]], [[3, 4]]] as [[[Int32]]])
        #expect(cube.shape == [2, 1, 2])
        #expect(cube.dtype == .int32)
        #expect(cube.ints == [1, 2, 3, 4])
    }

    // MARK: - Back to Swift

    @Test func itemConvertsFromAnyDType() {
        #expect(Tensor(Float(2.75)).item(as: Float.self) == 2.75)
        #expect(Tensor(Float(2.75)).item(as: Int32.self) == 2)
        #expect(Tensor(Float(-2.75)).item(as: Int32.self) == -2)
        #expect(Tensor(Int32(-4)).item(as: Float.self) == -4)
        #expect(Tensor(UInt8(200)).item(as: Int32.self) == 200)
        #expect(Tensor(true).item(as: Float.self) == 1)
        #expect(Tensor([3] as [Float], shape: [1, 1]).item(as: Float.self) == 3)
    }

    @Test func floatAndIntValues() {
        #expect(Tensor(Int32(5)).floatValue == 5)
        #expect(Tensor(Float(5.9)).intValue == 5)
        #expect(Tensor(UInt32(4_000_000_000)).floatValue == 4e9)
        #expect(Tensor(false).intValue == 0)
    }

    @Test func scalarsOfEachDType() {
        #expect(Tensor([1.5, 2.5] as [Float]).scalars(as: Float.self) == [1.5, 2.5])
        #expect(Tensor([-1, 2] as [Int32]).scalars(as: Int32.self) == [-1, 2])
        #expect(Tensor([7] as [UInt32]).scalars(as: UInt32.self) == [7])
        #expect(Tensor([255] as [UInt8]).scalars(as: UInt8.self) == [255])
        #expect(Tensor([false, true]).scalars(as: Bool.self) == [false, true])
        let inferred: [Float] = Tensor.ones([2]).scalars()
        #expect(inferred == [1, 1])
    }

    @Test func floatsAndIntsConvert() {
        let x = Tensor([-1.5, 0.5, 2.9] as [Float])
        #expect(x.floats == [-1.5, 0.5, 2.9])
        #expect(x.ints == [-1, 0, 2])
        #expect(Tensor([true, false]).floats == [1, 0])
        #expect(Tensor([200, 3] as [UInt8]).ints == [200, 3])
    }

    @Test func typeDescription() {
        let x = Tensor.zeros([32, 784])
        #expect(x.type == TensorType(shape: [32, 784], dtype: .float32))
        #expect(x.type.description == "f32[32,784]")
        #expect(Tensor(Int32(1)).type.description == "i32[]")
        #expect(x.isConcrete)
    }

    @Test(arguments: [
        ([Int](), "()"), ([3], "(3,)"), ([32, 784], "(32, 784)"), ([2, 1, 4], "(2, 1, 4)"),
    ])
    func formatShapeLikePythonTuples(shape: [Int], expected: String) {
        #expect(formatShape(shape) == expected)
    }
}
