import Testing
@testable import Tensor

@Suite struct ReductionTests {
    /// `arange(24)` as a float32 tensor of shape (2, 3, 4).
    static let cube = Tensor.arange(24, dtype: .float32).reshaped([2, 3, 4])

    // MARK: - Sum and mean

    @Test func sumOfAllElements() {
        let total = Self.cube.sum()
        #expect(total.shape == [])
        #expect(total.floatValue == 276)
    }

    /// Axes, result shape and values of `cube.sum(axes:)`, from NumPy 2.4 on
    /// `np.arange(24, dtype=np.float32).reshape(2, 3, 4)`.
    static let sumCases: [(axes: [Int], shape: [Int], expected: [Float])] = [
        ([0], [3, 4], [12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34]),
        ([1], [2, 4], [12, 15, 18, 21, 48, 51, 54, 57]),
        ([2], [2, 3], [6, 22, 38, 54, 70, 86]),
        ([-1], [2, 3], [6, 22, 38, 54, 70, 86]),
        ([0, 2], [3], [60, 92, 124]),
        ([2, 0], [3], [60, 92, 124]),
        ([0, 1], [4], [60, 66, 72, 78]),
        ([0, 1, 2], [], [276]),
        ([], [2, 3, 4], (0..<24).map(Float.init)),
    ]

    @Test(arguments: sumCases)
    func sumOverAxes(axes: [Int], shape: [Int], expected: [Float]) {
        let total = Self.cube.sum(axes: axes)
        #expect(total.shape == shape)
        #expect(total.floats == expected)
    }

    @Test(arguments: [
        ([0], [1, 3, 4]), ([1], [2, 1, 4]), ([-1], [2, 3, 1]), ([0, 2], [1, 3, 1]), ([0, 1, 2], [1, 1, 1]),
    ] as [([Int], [Int])])
    func sumKeepDims(axes: [Int], shape: [Int]) {
        let total = Self.cube.sum(axes: axes, keepDims: true)
        #expect(total.shape == shape)
        #expect(total.sum().floatValue == 276)
    }

    @Test func sumSingleAxisSpelling() {
        #expect(Self.cube.sum(axis: 1).floats == Self.cube.sum(axes: [1]).floats)
        #expect(Self.cube.sum(axis: 1, keepDims: true).shape == [2, 1, 4])
    }

    @Test func sumOfIntegersAndBools() {
        let ints: Tensor = [[1, -2, 3], [4, 5, -6]]
        #expect(ints.sum().dtype == .int32)
        #expect(ints.sum().intValue == 5)
        #expect(ints.sum(axis: 0).ints == [5, 3, -3])
        let bytes = Tensor([200, 100] as [UInt8])
        #expect(bytes.sum().dtype == .uint8)
        let flags = Tensor([true, false, true, true])
        #expect(flags.sum().dtype == .int32)
        #expect(flags.sum().intValue == 3)
    }

    @Test func sumOfEmptyAxisIsZero() {
        let empty = Tensor.zeros([0, 3])
        #expect(empty.sum(axis: 0).floats == [0, 0, 0])
        #expect(empty.sum().floatValue == 0)
    }

    @Test func sumOfLongColumns() {
        // 300 rows exceed the 128-row blocks of the column kernel.
        let rows = Tensor.arange(900, dtype: .float32).reshaped([300, 3])
        // Column j contains 3i + j for i in 0..<300, so its sum is 3 * 44850 + 300 j.
        #expect(rows.sum(axis: 0).floats == [134_550, 134_850, 135_150])
    }

    @Test func sumOfOneHundredMillionOnes() {
        // Naive float32 accumulation stops at 2^24 = 16777216.
        let total = Tensor.ones([100_000_000]).sum()
        #expect(total.floatValue == 100_000_000)
    }

    @Test func sumOfTenMillionTenths() {
        let total = Tensor.full([10_000_000], 0.1).sum().floatValue
        #expect(Swift.abs(total - 1_000_000) <= 1)
    }

    @Test func meanOverAxes() {
        #expect(Self.cube.mean().floatValue == 11.5)
        #expect(Self.cube.mean(axis: 2).floats == [1.5, 5.5, 9.5, 13.5, 17.5, 21.5])
        #expect(Self.cube.mean(axes: [0, 1]).floats == [10, 11, 12, 13])
        #expect(Self.cube.mean(axis: 0, keepDims: true).shape == [1, 3, 4])
    }

    @Test func meanOfIntegersIsFloat32() {
        let ints: Tensor = [1, 2]
        #expect(ints.mean().dtype == .float32)
        #expect(ints.mean().floatValue == 1.5)
    }

    // MARK: - Max, min, prod

    @Test func maxAndMin() {
        #expect(Self.cube.max().floatValue == 23)
        #expect(Self.cube.min().floatValue == 0)
        #expect(Self.cube.max(axis: 1).floats == [8, 9, 10, 11, 20, 21, 22, 23])
        #expect(Self.cube.min(axes: [0, 2]).floats == [0, 4, 8])
        #expect(Self.cube.max(axis: -1, keepDims: true).shape == [2, 3, 1])
    }

    @Test func maxAndMinOfIntegers() {
        let ints: Tensor = [[3, -7], [-2, 5]]
        #expect(ints.max().intValue == 5)
        #expect(ints.min().intValue == -7)
        #expect(ints.max(axis: 1).ints == [3, 5])
        let bytes = Tensor([9, 250, 0] as [UInt8])
        #expect(bytes.max().scalars(as: UInt8.self) == [250])
        #expect(bytes.min().scalars(as: UInt8.self) == [0])
    }

    @Test(arguments: [(1, 10), (13, 10), (37, 300), (9, 1)])
    func lastAxisSumEqualsEachRowsSum(rows: Int, length: Int) {
        // Rows are summed several per kernel call. Each row's bits must equal its own sum.
        let x = normal(PRNGKey(9), shape: [rows, length]) * 1000
        let sums = x.sum(axis: 1).floats
        for row in 0..<rows {
            #expect(sums[row].bitPattern == x[row].sum().floats[0].bitPattern, "row \(row)")
        }
    }

    @Test func lastAxisMaxAndMinWithNaNAndInfinities() {
        let values: [Float] = [1, .nan, 3, -.infinity, 2, .infinity, -0.0, 0, 5, 5, -1, -2]
        let x = Tensor(values, shape: [4, 3])
        // The same reductions over the first axis of the transpose, which take the general loop.
        let maxima = x.max(axis: 1).floats
        let minima = x.min(axis: 1).floats
        #expect(maxima[0].isNaN)
        #expect(minima[0].isNaN)
        #expect(Array(maxima[1...]) == Array(x.transposed().max(axis: 0).floats[1...]))
        #expect(Array(minima[1...]) == Array(x.transposed().min(axis: 0).floats[1...]))
        #expect(Array(maxima[1...]) == [.infinity, 5, 5])
        #expect(Array(minima[1...]) == [-.infinity, -0.0, -2])
    }

    @Test func maxAndMinPropagateNaN() {
        let x = Tensor([1, .nan, 3] as [Float])
        #expect(x.max().floatValue.isNaN)
        #expect(x.min().floatValue.isNaN)
        let last = Tensor([1, 3, .nan] as [Float])
        #expect(last.max().floatValue.isNaN)
        #expect(last.min().floatValue.isNaN)
    }

    @Test func maxOfInfinities() {
        #expect(Tensor([-Float.infinity, -Float.infinity]).max().floatValue == -.infinity)
        #expect(Tensor([1, .infinity] as [Float]).max().floatValue == .infinity)
    }

    @Test func prodOverAxes() {
        let x = Tensor([[1, 2, 3], [4, 5, 6]] as [[Float]])
        #expect(x.prod(axes: [1]).floats == [6, 120])
        #expect(x.prod(axes: [0]).floats == [4, 10, 18])
        #expect(x.prod().floatValue == 720)
        #expect(x.prod(axes: [1], keepDims: true).shape == [2, 1])
        let ints: Tensor = [2, -3, 4]
        #expect(ints.prod().intValue == -24)
        #expect(Tensor([true, true, false]).prod().intValue == 0)
    }

    // MARK: - Argmax and argmin

    @Test func argmaxAndArgmin() {
        let x = Tensor([[1, 9, 3], [7, 2, 8]] as [[Float]])
        #expect(x.argmax().dtype == .int32)
        #expect(x.argmax().intValue == 1)
        #expect(x.argmin().intValue == 0)
        #expect(x.argmax(axis: 1).ints == [1, 2])
        #expect(x.argmax(axis: 0).ints == [1, 0, 1])
        #expect(x.argmin(axis: -1).ints == [0, 1])
        #expect(x.argmax(axis: 1, keepDims: true).shape == [2, 1])
        #expect(x.argmax(keepDims: true).shape == [1, 1])
    }

    @Test func argmaxTiesGiveFirstIndex() {
        let x = Tensor([3, 1, 3, 1] as [Float])
        #expect(x.argmax().intValue == 0)
        #expect(x.argmin().intValue == 1)
        let ints = Tensor([[5, 5], [2, 2]] as [[Int32]])
        #expect(ints.argmax(axis: 1).ints == [0, 0])
        #expect(ints.argmax(axis: 0).ints == [0, 0])
    }

    @Test func argmaxNaNWinsAsInNumPy() {
        // np.argmax([1, nan, 3, nan]) == 1 and np.argmin([1, nan, -3]) == 1.
        #expect(Tensor([1, .nan, 3, .nan] as [Float]).argmax().intValue == 1)
        #expect(Tensor([1, .nan, -3] as [Float]).argmin().intValue == 1)
        #expect(Tensor([.nan, 5] as [Float]).argmax().intValue == 0)
        let rows = Tensor([[1, 2], [.nan, 0]] as [[Float]])
        #expect(rows.argmax(axis: 1).ints == [1, 0])
        #expect(rows.argmin(axis: 0).ints == [1, 1])
    }

    @Test func argmaxOfBools() {
        // jnp.argmax([True, False, True]) == 0 and jnp.argmin of it == 1.
        let flags = Tensor([true, false, true])
        #expect(flags.argmax().intValue == 0)
        #expect(flags.argmin().intValue == 1)
        #expect(flags.argmin(axis: 0).intValue == 1)
    }

    // MARK: - Variance and standard deviation

    @Test func varianceAndStd() {
        let x = Tensor([1, 2, 3, 4] as [Float])
        #expect(x.variance().floatValue == 1.25)
        #expect(x.var().floatValue == 1.25)
        expectClose(x.variance(ddof: 1), [1.6666666])
        #expect(Tensor([2, 4, 4, 4, 5, 5, 7, 9] as [Float]).std().floatValue == 2)
    }

    @Test func varianceOverAxes() {
        let x = Tensor([[1, 3], [5, 11]] as [[Float]])
        #expect(x.variance(axes: [0]).floats == [4, 16])
        #expect(x.variance(axes: [1]).floats == [1, 9])
        #expect(x.std(axes: [1]).floats == [1, 3])
        #expect(x.std(axes: [1], keepDims: true).shape == [2, 1])
        #expect(x.variance().floatValue == 14)
    }

    @Test(arguments: [3, 7, 10, 100, 1000])
    func stdOfConstantIsExactlyZero(count: Int) {
        // The mean of seven float32 copies of 0.1 is not exactly 0.1, so a plain two-pass
        // variance gives 5.6e-17 there (NumPy 2.4 does too).
        for value in [0.1, 1.0 / 3.0, 0.7, 1e-3, 123.456, -5e6] {
            let constant = Tensor.full([count], value)
            #expect(constant.std().floatValue == 0, "std of \(count) copies of \(value)")
            #expect(constant.variance().floatValue == 0, "variance of \(count) copies of \(value)")
        }
    }

    @Test func stdOfConstantRowsIsExactlyZero() {
        let rows = Tensor([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.7, 0.7, 0.7, 0.7, 0.7, 2] as [Float], shape: [2, 6])
        let std = rows.std(axes: [1]).floats
        #expect(std[0] == 0)
        #expect(std[1] > 0)
    }

    @Test func varianceIsNeverNegative() {
        // In float32 the one-pass formula E[x^2] - E[x]^2 gives -24 here (NumPy 2.4).
        let x = Tensor([10_000.1, 10_000.2, 10_000.3, 10_000.1, 10_000.2] as [Float])
        let variance = x.variance().floatValue
        #expect(variance >= 0)
        #expect(Swift.abs(variance - 0.0056) < 0.002)
    }

    @Test func varianceOfIntegersIsFloat32() {
        let ints: Tensor = [1, 2, 3, 4]
        #expect(ints.variance().dtype == .float32)
        #expect(ints.variance().floatValue == 1.25)
    }

    // MARK: - Logsumexp

    @Test func logsumexpValues() {
        // jax.scipy.special.logsumexp([1, 2, 3]) == 3.4076058864593506 in float32.
        expectClose(logsumexp(Tensor([1, 2, 3] as [Float])), [3.4076058864593506])
        // exp(1000) overflows float32, but the shifted form still gives 1000 + log 2.
        expectClose(logsumexp(Tensor([1000, 1000] as [Float])), [1000.6931762695312])
        expectClose(logsumexp(Tensor([-1000, -1000] as [Float])), [-999.3068237304688])
    }

    @Test func logsumexpOfAllNegativeInfinityIsNegativeInfinity() {
        let x = Tensor([-Float.infinity, -Float.infinity])
        #expect(logsumexp(x).floatValue == -.infinity)
        let rows = Tensor([-Float.infinity, -Float.infinity, 0, -Float.infinity], shape: [2, 2])
        #expect(logsumexp(rows, axis: 1).floats == [-.infinity, 0])
    }

    @Test func logsumexpWithInfinityAndNaN() {
        #expect(logsumexp(Tensor([1, .infinity] as [Float])).floatValue == .infinity)
        #expect(logsumexp(Tensor([1, .nan] as [Float])).floatValue.isNaN)
    }

    @Test func logsumexpOverAxes() {
        let x = Tensor([[0, 0], [1, 1]] as [[Float]])
        let rows = logsumexp(x, axis: 1)
        #expect(rows.shape == [2])
        expectClose(rows, [0.6931471824645996, 1.6931471824645996])
        #expect(logsumexp(x, axis: 1, keepDims: true).shape == [2, 1])
        #expect(logsumexp(x, axes: [0, 1], keepDims: true).shape == [1, 1])
        expectClose(logsumexp(x), [2.00640869140625])
    }

    // MARK: - Any and all

    @Test func anyAndAll() {
        let flags = Tensor([true, false, false, false], shape: [2, 2])
        #expect(Bool(flags.any()))
        #expect(!Bool(flags.all()))
        #expect(flags.any(axes: [1]).scalars(as: Bool.self) == [true, false])
        #expect(flags.all(axes: [0]).scalars(as: Bool.self) == [false, false])
        #expect(flags.any(axes: [0], keepDims: true).shape == [1, 2])
        #expect(Tensor([true, true]).all().dtype == .bool)
    }

    @Test func anyAndAllOfNumbers() {
        let ints: Tensor = [0, 2, 0]
        #expect(Bool(ints.any()))
        #expect(!Bool(ints.all()))
        #expect(Bool(Tensor([0.5, -1] as [Float]).all()))
        #expect(!Bool(Tensor.zeros([3]).any()))
    }

    @Test func anyAndAllOfEmpty() {
        let empty = Tensor([Bool](), shape: [0])
        #expect(!Bool(empty.any()))
        #expect(Bool(empty.all()))
    }
}
