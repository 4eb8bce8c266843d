import Testing
@testable import Tensor

@Suite struct ShapeTests {
    /// `arange(20)` as an int32 matrix of shape (4, 5): element [i, j] is 5 i + j.
    static let grid = Tensor.arange(20).reshaped([4, 5])

    // MARK: - Reshape, expandDims, squeeze, flatten

    @Test(arguments: [
        ([6, 4], [6, 4]), ([-1, 4], [6, 4]), ([2, -1], [2, 12]), ([2, 3, -1], [2, 3, 4]), ([-1], [24]),
        ([4, 3, 2], [4, 3, 2]), ([1, 24, 1], [1, 24, 1]), ([1, -1, 1], [1, 24, 1]),
    ] as [([Int], [Int])])
    func reshapedShapes(requested: [Int], expected: [Int]) {
        let x = Tensor.arange(24)
        let reshaped = x.reshaped(requested)
        #expect(reshaped.shape == expected)
        #expect(reshaped.ints == x.ints)
    }

    @Test func reshapedKeepsRowMajorOrder() {
        let m = Tensor.arange(6).reshaped([2, 3])
        #expect(m[1, 0].intValue == 3)
        #expect(m.reshaped([3, 2])[1, 0].intValue == 2)
        #expect(m.reshape(3, -1).shape == [3, 2])
    }

    @Test func reshapedSharesStorage() {
        let x = Tensor.arange(12)
        #expect(x.reshaped([3, 4]).storage === x.storage)
    }

    @Test func reshapedScalarAndEmpty() {
        #expect(Tensor([5] as [Int32]).reshaped([]).shape == [])
        #expect(Tensor(Int32(5)).reshaped([1, 1]).shape == [1, 1])
        #expect(Tensor.zeros([0, 4]).reshaped([4, 0]).shape == [4, 0])
    }

    @Test(arguments: [
        (0, [1, 2, 3]), (1, [2, 1, 3]), (2, [2, 3, 1]), (-1, [2, 3, 1]), (-3, [1, 2, 3]),
    ] as [(Int, [Int])])
    func expandDimsShapes(axis: Int, expected: [Int]) {
        let x = Tensor.zeros([2, 3])
        #expect(x.expandDims(axis).shape == expected)
    }

    @Test func squeezeAll() {
        let x = Tensor.arange(6).reshaped([1, 2, 1, 3, 1])
        #expect(x.squeeze().shape == [2, 3])
        #expect(x.squeeze().ints == [0, 1, 2, 3, 4, 5])
        #expect(Tensor.zeros([1, 1]).squeeze().shape == [])
    }

    @Test(arguments: [
        ([0], [2, 1, 3, 1]), ([2], [1, 2, 3, 1]), ([-1], [1, 2, 1, 3]), ([0, 4], [2, 1, 3]), ([4, 0, 2], [2, 3]),
    ] as [([Int], [Int])])
    func squeezeAxes(axes: [Int], expected: [Int]) {
        let x = Tensor.zeros([1, 2, 1, 3, 1])
        #expect(x.squeeze(axes).shape == expected)
    }

    @Test func flattenRowMajor() {
        let cube = Tensor.arange(24).reshaped([2, 3, 4])
        #expect(cube.flatten().shape == [24])
        #expect(cube.flatten().ints == Array(0..<24).map(Int32.init))
        #expect(cube.T.flatten().ints.prefix(4) == [0, 12, 4, 16])
        #expect(Tensor(Float(3)).flatten().shape == [1])
    }

    // MARK: - Broadcast

    @Test(arguments: [
        ([3], [2, 3], [0, 1, 2, 0, 1, 2] as [Int32]),
        ([2, 1], [2, 3], [0, 0, 0, 1, 1, 1]),
        ([1, 3], [2, 2, 3], [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]),
        ([], [2, 2], [0, 0, 0, 0]),
        ([1], [3], [0, 0, 0]),
        ([2, 1, 2], [2, 2, 2], [0, 1, 0, 1, 2, 3, 2, 3]),
    ])
    func broadcastToValues(from: [Int], to: [Int], expected: [Int32]) {
        let x = Tensor.arange(from.reduce(1, *)).reshaped(from)
        let broadcast = x.broadcast(to: to)
        #expect(broadcast.shape == to)
        #expect(broadcast.ints == expected)
    }

    @Test func broadcastOfBytesAndBools() {
        let bytes = Tensor([7, 9] as [UInt8]).broadcast(to: [2, 2])
        #expect(bytes.scalars(as: UInt8.self) == [7, 9, 7, 9])
        let flags = Tensor([true, false], shape: [2, 1]).broadcast(to: [2, 3])
        #expect(flags.scalars(as: Bool.self) == [true, true, true, false, false, false])
    }

    @Test func broadcastToOwnShapeSharesStorage() {
        let x = Tensor.zeros([2, 3])
        #expect(x.broadcast(to: [2, 3]).storage === x.storage)
    }

    // MARK: - Concatenate, stack, split

    @Test func concatenateAlongAxes() {
        let a = Tensor.arange(4).reshaped([2, 2])
        let b = Tensor.arange(4, 8).reshaped([2, 2])
        let rows = concatenate([a, b])
        #expect(rows.shape == [4, 2])
        #expect(rows.ints == [0, 1, 2, 3, 4, 5, 6, 7])
        let columns = concatenate([a, b], axis: 1)
        #expect(columns.shape == [2, 4])
        #expect(columns.ints == [0, 1, 4, 5, 2, 3, 6, 7])
        #expect(concatenate([a, b], axis: -1).ints == columns.ints)
    }

    @Test func concatenateDifferentLengths() {
        let a = Tensor([1, 2] as [Float])
        let b = Tensor([3] as [Float])
        let c = Tensor([Float]())
        let joined = concatenate([a, c, b])
        #expect(joined.shape == [3])
        #expect(joined.floats == [1, 2, 3])
        let wide = concatenate([Tensor.zeros([2, 1]), Tensor.ones([2, 3])], axis: 1)
        #expect(wide.shape == [2, 4])
        #expect(wide.floats == [0, 1, 1, 1, 0, 1, 1, 1])
    }

    @Test func concatenatePromotesDTypes() {
        let joined = concatenate([Tensor([1, 2] as [Int32]), Tensor([0.5] as [Float])])
        #expect(joined.dtype == .float32)
        #expect(joined.floats == [1, 2, 0.5])
        let bytes = concatenate([Tensor([1] as [UInt8]), Tensor([true])])
        #expect(bytes.dtype == .uint8)
        #expect(concatenate([Tensor([true]), Tensor([false])]).scalars(as: Bool.self) == [true, false])
    }

    @Test func concatenateSingleTensor() {
        let x = Tensor.arange(3)
        #expect(concatenate([x]).ints == [0, 1, 2])
    }

    @Test(arguments: [
        (0, [3, 2, 2]), (1, [2, 3, 2]), (2, [2, 2, 3]), (-1, [2, 2, 3]),
    ] as [(Int, [Int])])
    func stackAlongAxes(axis: Int, shape: [Int]) {
        let parts = (0..<3).map { Tensor.full([2, 2], Double($0)) }
        let stacked = stack(parts, axis: axis)
        #expect(stacked.shape == shape)
        #expect(stacked.sum().floatValue == 12)
    }

    @Test func stackValues() {
        let a = Tensor([1, 2] as [Float])
        let b = Tensor([3, 4] as [Float])
        #expect(stack([a, b]).floats == [1, 2, 3, 4])
        #expect(stack([a, b], axis: 1).floats == [1, 3, 2, 4])
        #expect(stack([Tensor(Float(1)), Tensor(Float(2))]).shape == [2])
    }

    @Test func splitIntoSections() {
        let parts = split(Self.grid, sections: 2)
        #expect(parts.count == 2)
        #expect(parts[0].shape == [2, 5])
        #expect(parts[1].ints == Array(10..<20).map(Int32.init))
        let columns = split(Tensor.arange(12).reshaped([2, 6]), sections: 3, axis: 1)
        #expect(columns.map(\.shape) == [[2, 2], [2, 2], [2, 2]])
        #expect(columns[1].ints == [2, 3, 8, 9])
        #expect(split(Tensor.arange(4), sections: 1)[0].ints == [0, 1, 2, 3])
    }

    @Test func splitAtIndices() {
        let x = Tensor.arange(10)
        let parts = split(x, indices: [3, 7])
        #expect(parts.map(\.shape) == [[3], [4], [3]])
        #expect(parts[0].ints == [0, 1, 2])
        #expect(parts[1].ints == [3, 4, 5, 6])
        #expect(parts[2].ints == [7, 8, 9])
    }

    @Test func splitAtIndicesLikeNumPy() {
        // np.split(np.arange(10), [-3, 20]) gives [0..6], [7, 8, 9] and [], and
        // np.split(np.arange(10), [6, 2]) gives [0..5], [] and [2..9].
        let x = Tensor.arange(10)
        #expect(split(x, indices: [-3, 20]).map(\.shape) == [[7], [3], [0]])
        let backwards = split(x, indices: [6, 2])
        #expect(backwards.map(\.shape) == [[6], [0], [8]])
        #expect(backwards[2].ints == [2, 3, 4, 5, 6, 7, 8, 9])
        let columns = split(Self.grid, indices: [1], axis: -1)
        #expect(columns.map(\.shape) == [[4, 1], [4, 4]])
        #expect(columns[0].ints == [0, 5, 10, 15])
    }

    // MARK: - Subscript slicing

    @Test func subscriptRangeOnFirstAxis() {
        let rows = Self.grid[1..<3]
        #expect(rows.shape == [2, 5])
        #expect(rows.ints == Array(5..<15).map(Int32.init))
        #expect(Self.grid[1...2].ints == rows.ints)
        #expect(Self.grid[..<1].ints == [0, 1, 2, 3, 4])
        #expect(Self.grid[...0].shape == [1, 5])
        #expect(Self.grid[3...].ints == [15, 16, 17, 18, 19])
    }

    @Test func subscriptIntAndRange() {
        let tail = Self.grid[0, 2...]
        #expect(tail.shape == [3])
        #expect(tail.ints == [2, 3, 4])
        #expect(Self.grid[2, 1..<3].ints == [11, 12])
        #expect(Self.grid[1..<3, 4].ints == [9, 14])
        #expect(Self.grid[1..<3, 0..<2].ints == [5, 6, 10, 11])
    }

    @Test func subscriptIntegers() {
        #expect(Self.grid[2].ints == [10, 11, 12, 13, 14])
        #expect(Self.grid[2, 3].shape == [])
        #expect(Self.grid[2, 3].intValue == 13)
        #expect(Self.grid[-1].ints == [15, 16, 17, 18, 19])
        #expect(Self.grid[-1, -2].intValue == 18)
    }

    @Test func subscriptClampsRangesLikePython() {
        // x[2:100] and x[-100:1] clamp to the axis as Python slices do.
        #expect(Self.grid[2..<100].shape == [2, 5])
        #expect(Self.grid[0, 3..<9].ints == [3, 4])
        #expect(Self.grid[5..<9].shape == [0, 5])
        let x = Tensor.arange(5)
        #expect(x[TensorIndex.range(start: -100, end: 1, step: 1)].ints == [0])
        #expect(x[TensorIndex.range(start: -2, end: nil, step: 1)].ints == [3, 4])
    }

    @Test func subscriptStrides() {
        let x = Tensor.arange(5)
        #expect(x[stride(from: 0, to: 5, by: 2)].ints == [0, 2, 4])
        #expect(x[stride(from: 1, to: 5, by: 3)].ints == [1, 4])
        #expect(Self.grid[0..<4, stride(from: 0, to: 5, by: 2)].ints == [0, 2, 4, 5, 7, 9, 10, 12, 14, 15, 17, 19])
        #expect(Self.grid[stride(from: 1, to: 4, by: 2), 0].ints == [5, 15])
    }

    @Test func subscriptNegativeSteps() {
        let x = Tensor.arange(5)
        #expect(x[stride(from: 4, to: -1, by: -1)].ints == [4, 3, 2, 1, 0])
        #expect(x[stride(from: 4, through: 0, by: -2)].ints == [4, 2, 0])
        #expect(x[TensorIndex.range(start: nil, end: nil, step: -1)].ints == [4, 3, 2, 1, 0])
        #expect(x[TensorIndex.range(start: nil, end: nil, step: -2)].ints == [4, 2, 0])
        #expect(x[TensorIndex.range(start: 3, end: 0, step: -1)].ints == [3, 2, 1])
        #expect(Self.grid[0, TensorIndex.range(start: nil, end: 1, step: -2)].ints == [4, 2])
        #expect(Self.grid[TensorIndex.range(start: nil, end: nil, step: -1), 0].ints == [15, 10, 5, 0])
    }

    @Test func subscriptStepRange() {
        // x[1::2] on both axes.
        let everyOther = TensorIndex.range(start: 1, end: nil, step: 2)
        let picked = Self.grid[everyOther, everyOther]
        #expect(picked.shape == [2, 2])
        #expect(picked.ints == [6, 8, 16, 18])
    }

    // MARK: - slice(axis:) and index(axis:)

    @Test func sliceAlongAxis() {
        let columns = Self.grid.slice(axis: 1, 1..<4)
        #expect(columns.shape == [4, 3])
        #expect(columns.ints.prefix(3) == [1, 2, 3])
        let strided = Self.grid.slice(axis: 1, 0..<5, step: 2)
        #expect(strided.shape == [4, 3])
        #expect(strided.ints.prefix(6) == [0, 2, 4, 5, 7, 9])
        #expect(Self.grid.slice(axis: -2, 1..<4, step: 2).ints == [5, 6, 7, 8, 9, 15, 16, 17, 18, 19])
        #expect(Self.grid.slice(axis: 0, 2..<2).shape == [0, 5])
    }

    @Test func sliceOfEveryDType() {
        for dtype in DType.allCases {
            let x = Tensor.arange(6, dtype: dtype == .bool ? .int32 : dtype).astype(dtype)
            let sliced = x.slice(axis: 0, 1..<5, step: 3)
            #expect(sliced.dtype == dtype)
            #expect(sliced.floats == (dtype == .bool ? [1, 1] : [1, 4]), "\(dtype)")
        }
    }

    @Test func indexAlongAxis() {
        #expect(Self.grid.index(axis: 0, 1).ints == [5, 6, 7, 8, 9])
        #expect(Self.grid.index(axis: 1, 1).ints == [1, 6, 11, 16])
        #expect(Self.grid.index(axis: 1, -1).ints == [4, 9, 14, 19])
        #expect(Self.grid.index(axis: -1, 0).shape == [4])
        let cube = Tensor.arange(24).reshaped([2, 3, 4])
        #expect(cube.index(axis: 1, 2).shape == [2, 4])
        #expect(cube.index(axis: 1, 2).ints == [8, 9, 10, 11, 20, 21, 22, 23])
    }
}
