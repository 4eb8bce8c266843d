import Testing
@testable import Tensor

@Suite struct IndexingTests {
    /// Six "images" of four pixels, where image i contains 10 i, 10 i + 1, 10 i + 2 and 10 i + 3.
    static let images = Tensor((0..<6).flatMap { i in (0..<4).map { Float(10 * i + $0) } }, shape: [6, 4])

    // MARK: - Gather along axis 0

    @Test func subscriptWithIndexTensorGathersRows() {
        let batch = Tensor([4, 0, 2] as [Int32])
        let rows = Self.images[batch]
        #expect(rows.shape == [3, 4])
        #expect(rows.floats == [40, 41, 42, 43, 0, 1, 2, 3, 20, 21, 22, 23])
    }

    @Test func gatherImagesAndLabelsWithOneBatch() {
        let labels = Tensor([3, 1, 4, 1, 5, 9] as [UInt8])
        let batch = Tensor([5, 1, 1] as [Int32])
        #expect(Self.images[batch].shape == [3, 4])
        #expect(labels[batch].dtype == .uint8)
        #expect(labels[batch].scalars(as: UInt8.self) == [9, 1, 1])
    }

    @Test func gatherWithMatrixOfIndices() {
        let indices = Tensor([0, 1, 5, 5] as [Int32], shape: [2, 2])
        let gathered = Self.images[indices]
        #expect(gathered.shape == [2, 2, 4])
        #expect(gathered.floats.suffix(4) == [50, 51, 52, 53])
    }

    @Test func gatherWithUnsignedIndices() {
        let rows = Self.images[Tensor([1] as [UInt8])]
        #expect(rows.floats == [10, 11, 12, 13])
        #expect(Self.images[Tensor([2] as [UInt32])].floats == [20, 21, 22, 23])
    }

    @Test func gatherWithIndexTensorAndRange() {
        let picked = Self.images[Tensor([3, 0] as [Int32]), 1..<3]
        #expect(picked.shape == [2, 2])
        #expect(picked.floats == [31, 32, 1, 2])
    }

    // MARK: - take

    @Test func takeAlongAxes() {
        let m = Tensor.arange(12).reshaped([3, 4])
        #expect(m.take(Tensor([2, 0] as [Int32])).ints == [8, 9, 10, 11, 0, 1, 2, 3])
        let columns = m.take(Tensor([3, 1] as [Int32]), axis: 1)
        #expect(columns.shape == [3, 2])
        #expect(columns.ints == [3, 1, 7, 5, 11, 9])
        #expect(m.take(Tensor([0] as [Int32]), axis: -1).ints == [0, 4, 8])
        #expect(m.take(Tensor(Int32(2)), axis: 1).shape == [3])
    }

    @Test func takeNegativeIndicesWrap() {
        let x = Tensor([10, 20, 30, 40, 50] as [Float])
        #expect(x.take(Tensor([-1, -5, -2] as [Int32])).floats == [50, 10, 40])
    }

    @Test func takeOutOfBoundsIndicesClamp() {
        let x = Tensor([10, 20, 30, 40, 50] as [Float])
        // 5 and 100 clamp to the last element; -6 and -100 wrap once and clamp to the first.
        #expect(x.take(Tensor([5, 100, -6, -100] as [Int32])).floats == [50, 50, 10, 10])
        let m = Tensor.arange(6).reshaped([2, 3])
        #expect(m.take(Tensor([7] as [Int32]), axis: 1).ints == [2, 5])
    }

    @Test(arguments: [2, 33])
    func takeOfLargeRowsSplitsBetweenThreads(count: Int) {
        // At least 16 KB of rows take the two-thread path: each half must land in place,
        // with negative and out-of-range indices wrapped and clamped as on one thread.
        let rowLength = 1024
        let table = Tensor((0..<(40 * rowLength)).map { UInt8(truncatingIfNeeded: $0 / rowLength * 7 + $0 % 5) }, shape: [40, 1024])
        let indices = (0..<count).map { Int32([-1, 45, 3, -60, 17][$0 % 5] + Int32($0 % 3)) }
        let gathered = table.take(Tensor(indices), axis: 0)
        let rows = table.scalars(as: UInt8.self)
        let expected = indices.flatMap { index -> ArraySlice<UInt8> in
            let wrapped = index < 0 ? Int(index) + 40 : Int(index)
            let row = min(max(wrapped, 0), 39)
            return rows[(row * rowLength)..<((row + 1) * rowLength)]
        }
        #expect(gathered.shape == [count, rowLength])
        #expect(gathered.scalars(as: UInt8.self) == expected)
    }

    @Test func takeWithEmptyIndices() {
        let x = Tensor.arange(5)
        let none = x.take(Tensor([Int32](), shape: [0]))
        #expect(none.shape == [0])
    }

    @Test func takeOfEveryDType() {
        for dtype in DType.allCases {
            let x = Tensor([0, 1, 0, 1] as [Float]).astype(dtype)
            let picked = x.take(Tensor([3, 2] as [Int32]))
            #expect(picked.dtype == dtype)
            #expect(picked.floats == [1, 0], "\(dtype)")
        }
    }

    // MARK: - takeAlongAxis

    @Test func takeAlongAxisPicksPerRow() {
        let m: Tensor = [[1, 5, 3], [7, 2, 9]]
        let picked = m.takeAlongAxis(Tensor([[1], [2]] as [[Int32]]), axis: 1)
        #expect(picked.shape == [2, 1])
        #expect(picked.ints == [5, 9])
    }

    @Test func takeAlongAxisWithArgmax() {
        let scores = Tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]] as [[Float]])
        let best = scores.argmax(axis: 1, keepDims: true)
        #expect(scores.takeAlongAxis(best, axis: 1).floats == [0.7, 0.5])
    }

    @Test func takeAlongAxisZeroAndNegative() {
        let m: Tensor = [[1, 5, 3], [7, 2, 9]]
        let columns = m.takeAlongAxis(Tensor([[1, 0, 1]] as [[Int32]]), axis: 0)
        #expect(columns.shape == [1, 3])
        #expect(columns.ints == [7, 5, 9])
        let reordered = m.takeAlongAxis(Tensor([[-1, 0], [0, -1]] as [[Int32]]), axis: -1)
        #expect(reordered.shape == [2, 2])
        #expect(reordered.ints == [3, 1, 7, 9])
    }

    @Test func takeAlongAxisBroadcastsOtherAxes() {
        // np.take_along_axis(a, [[2], [0]], axis=1) with a of shape (2, 3): one pick per row.
        let m = Tensor.arange(6, dtype: .float32).reshaped([2, 3])
        let picked = m.takeAlongAxis(Tensor([[2, 0]] as [[Int32]]), axis: 1)
        // The index shape (1, 2) broadcasts against the 2 rows.
        #expect(picked.shape == [2, 2])
        #expect(picked.floats == [2, 0, 5, 3])
    }

    // MARK: - One-hot

    @Test func oneHotRows() {
        let encoded = oneHot(Tensor([0, 2, 1] as [Int32]), depth: 3)
        #expect(encoded.shape == [3, 3])
        #expect(encoded.dtype == .float32)
        #expect(encoded.floats == [1, 0, 0, 0, 0, 1, 0, 1, 0])
    }

    @Test func oneHotOutOfRangeGivesZeroRow() {
        let encoded = oneHot(Tensor([3, -1, 1] as [Int32]), depth: 3)
        #expect(encoded.floats == [0, 0, 0, 0, 0, 0, 0, 1, 0])
    }

    @Test func oneHotOfMatrixAndBytes() {
        let labels = Tensor([1, 0, 0, 1] as [UInt8], shape: [2, 2])
        let encoded = oneHot(labels, depth: 2, dtype: .int32)
        #expect(encoded.shape == [2, 2, 2])
        #expect(encoded.dtype == .int32)
        #expect(encoded.ints == [0, 1, 1, 0, 1, 0, 0, 1])
    }

    // MARK: - Softmax

    @Test func softmaxValues() {
        // jax.nn.softmax([1, 2, 3]) in float32.
        let probabilities = softmax(Tensor([1, 2, 3] as [Float]))
        expectClose(probabilities, [0.09003057330846786, 0.2447284758090973, 0.6652409434318542])
        #expect(Swift.abs(probabilities.sum().floatValue - 1) < 1e-6)
    }

    @Test func softmaxAlongAxes() {
        let x = Tensor([[1, 2], [3, 5]] as [[Float]])
        // jax.nn.softmax(x, axis=0).
        expectClose(softmax(x, axis: 0), [0.11920291185379028, 0.04742587357759476, 0.8807970285415649, 0.9525741338729858])
        let rows = softmax(x)
        #expect(rows.shape == [2, 2])
        expectClose(rows.sum(axis: 1), [1, 1])
    }

    @Test func softmaxStableForLargeLogits() {
        let x = Tensor([[1, 2, 3], [4, 5, 1000]] as [[Float]])
        let probabilities = softmax(x, axis: 1)
        expectClose(probabilities, [0.09003057330846786, 0.2447284758090973, 0.6652409434318542, 0, 0, 1])
        #expect(softmax(Tensor([1e30, 0, -.infinity] as [Float])).floats == [1, 0, 0])
    }

    @Test func softmaxWithNegativeInfinity() {
        let probabilities = softmax(Tensor([0, -.infinity, 1] as [Float]))
        expectClose(probabilities, [0.2689414322376251, 0, 0.7310585975646973])
    }

    @Test func softmaxOfIntegersIsFloat32() {
        #expect(softmax(Tensor([0, 0] as [Int32])).floats == [0.5, 0.5])
    }

    @Test func logSoftmaxValues() {
        // jax.nn.log_softmax([1, 2, 3]) in float32.
        expectClose(
            logSoftmax(Tensor([1, 2, 3] as [Float])), [-2.4076058864593506, -1.4076058864593506, -0.40760594606399536])
        let x = Tensor([[1, 2, 3], [4, 5, 1000]] as [[Float]])
        expectClose(logSoftmax(x, axis: 1).index(axis: 0, 1), [-996, -995, 0])
    }

    @Test func logSoftmaxStableForHugeAndInfiniteLogits() {
        // jax.nn.log_softmax([1e30, 0, -inf]) == [0, -1e30, -inf].
        let result = logSoftmax(Tensor([1e30, 0, -.infinity] as [Float])).floats
        #expect(result[0] == 0)
        #expect(result[1] == -1e30)
        #expect(result[2] == -.infinity)
        expectClose(logSoftmax(Tensor([1e30, 1e30] as [Float])), [-0.6931471824645996, -0.6931471824645996])
        expectClose(
            logSoftmax(Tensor([0, -.infinity, 1] as [Float])), [-1.31326162815094, -.infinity, -0.31326162815093994])
    }

    @Test func logSoftmaxMatchesLogOfSoftmax() {
        let x = Tensor([[0.5, -1, 2, 0], [3, 3, 3, 3]] as [[Float]])
        expectClose(logSoftmax(x), log(softmax(x)).floats, tolerance: 1e-6)
        expectClose(logSoftmax(x, axis: 0), log(softmax(x, axis: 0)).floats, tolerance: 1e-6)
    }
}
