import Testing
@testable import Tensor

@Suite struct BroadcastingTests {
    @Test(arguments: [
        ([3], [3], [3]), ([2, 3], [3], [2, 3]), ([2, 1], [1, 3], [2, 3]), ([4, 1, 3], [2, 1], [4, 2, 3]),
        ([], [2, 2], [2, 2]), ([0, 3], [3], [0, 3]), ([1], [0], [0]), ([5, 1, 1], [1, 4, 1], [5, 4, 1]),
        ([1, 1], [], [1, 1]), ([2, 1, 3, 1], [4, 1, 5], [2, 4, 3, 5]),
    ] as [([Int], [Int], [Int])])
    func resultShapes(a: [Int], b: [Int], expected: [Int]) {
        let x = Tensor.zeros(a)
        let y = Tensor.ones(b)
        #expect((x + y).shape == expected)
        #expect((y + x).shape == expected)
        #expect((x .< y).shape == expected)
        #expect(ShapeRules.broadcast(a, b, operation: "test") == expected)
    }

    @Test(arguments: [([4, 3, 5], [4, 3, 1]), ([4, 3, 5], [3, 1]), ([1, 3, 5], [3, 1]), ([6, 7], [6, 1]), ([2, 3, 5], [2, 1, 1])]
        as [([Int], [Int])])
    func columnOperandEqualsExplicitBroadcast(full: [Int], column: [Int]) {
        // One value per row takes a loop of its own; other shapes ending in 1 broadcast
        // through the general loop. Both must equal the explicitly broadcast operand.
        let keys = split(PRNGKey(5), count: 2)
        let x = normal(keys[0], shape: full)
        let c = normal(keys[1], shape: column)
        let outShape = ShapeRules.broadcast(full, column, operation: "test")
        let wide = c.broadcast(to: outShape)
        let xWide = x.broadcast(to: outShape)
        #expect((x - c).floats == (xWide - wide).floats)
        #expect((c - x).floats == (wide - xWide).floats)
        #expect((x / c).floats == (xWide / wide).floats)
        #expect(wide.floats == (Tensor.zeros(outShape) + c).floats)
        let rows = outShape.dropLast().reduce(1, *)
        let width = outShape.last!
        let cFloats = c.broadcast(to: Array(outShape.dropLast()) + [1]).floats
        #expect(wide.floats == (0..<(rows * width)).map { cFloats[$0 / width] })
    }

    @Test func columnPlusRow() {
        let column = Tensor([1, 2] as [Float], shape: [2, 1])
        let row = Tensor([10, 20, 30] as [Float])
        let sum = column + row
        #expect(sum.shape == [2, 3])
        #expect(sum.floats == [11, 21, 31, 12, 22, 32])
        #expect((row - column).floats == [9, 19, 29, 8, 18, 28])
        #expect((column * row).floats == [10, 20, 30, 20, 40, 60])
        #expect((row / column).floats == [10, 20, 30, 5, 10, 15])
    }

    @Test func innerAxisBroadcast() {
        // np.arange(6).reshape(2, 3, 1) + np.arange(12).reshape(1, 3, 4) * 10, NumPy 2.4.
        let a = Tensor.arange(6, dtype: .float32).reshaped([2, 3, 1])
        let b = Tensor.arange(12, dtype: .float32).reshaped([1, 3, 4]) * 10
        let sum = a + b
        #expect(sum.shape == [2, 3, 4])
        #expect(sum.floats == [
            0, 10, 20, 30, 41, 51, 61, 71, 82, 92, 102, 112,
            3, 13, 23, 33, 44, 54, 64, 74, 85, 95, 105, 115,
        ])
    }

    @Test func middleAxisBroadcast() {
        let a = Tensor.arange(8).reshaped([2, 1, 4])
        let b = Tensor([0, 100, 200] as [Int32], shape: [1, 3, 1])
        let sum = a + b
        #expect(sum.shape == [2, 3, 4])
        // sum[i, j, k] == 4 i + k + 100 j.
        #expect(sum[1, 2, 3].intValue == 4 + 3 + 200)
        #expect(sum[0, 1].ints == [100, 101, 102, 103])
        #expect(sum[1, 0].ints == [4, 5, 6, 7])
    }

    @Test func scalarTensorOnEitherSide() {
        let x = Tensor([[1, 2], [3, 4]] as [[Float]])
        let two = Tensor(Float(2))
        #expect((x * two).floats == [2, 4, 6, 8])
        #expect((two - x).floats == [1, 0, -1, -2])
        #expect((two / x).floats == [2, 1, 2.0 / 3.0, 0.5])
        #expect((Tensor([1] as [Float]) + x).shape == [2, 2])
    }

    @Test func emptyBroadcast() {
        let empty = Tensor.zeros([0, 3])
        let row = Tensor([1, 2, 3] as [Float])
        #expect((empty + row).shape == [0, 3])
        #expect((empty + row).floats == [])
    }

    @Test func broadcastComparisonsAndLogic() {
        let thresholds = Tensor([1, 2] as [Float], shape: [2, 1])
        let values = Tensor([0, 1.5, 3] as [Float])
        #expect((values .> thresholds).scalars(as: Bool.self) == [false, true, true, false, false, true])
        let mask = Tensor([true, false], shape: [2, 1])
        #expect((mask .|| (values .> 2)).scalars(as: Bool.self) == [true, true, true, false, false, true])
    }

    @Test func selectBroadcastsAllThreeOperands() {
        // The condition varies along rows, x along columns, and y is a scalar.
        let condition = Tensor([true, false, true], shape: [3, 1])
        let x = Tensor([1, 2] as [Float])
        let result = select(condition, x, Tensor(Float(0)))
        #expect(result.shape == [3, 2])
        #expect(result.floats == [1, 2, 0, 0, 1, 2])
        let rank3 = select(Tensor([true, false], shape: [2, 1, 1]), Tensor.ones([1, 2, 1]), Tensor.zeros([1, 1, 3]))
        #expect(rank3.shape == [2, 2, 3])
        #expect(rank3.sum().floatValue == 6)
    }

    @Test func broadcastWithDifferentDTypes() {
        let bytes = Tensor([1, 2] as [UInt8], shape: [2, 1])
        let floats = Tensor([0.5, 0.25] as [Float])
        let product = bytes * floats
        #expect(product.dtype == .float32)
        #expect(product.floats == [0.5, 0.25, 1, 0.5])
    }

    @Test func inPlaceOperatorBroadcasts() {
        var x = Tensor.zeros([2, 2])
        x += Tensor([1, 2] as [Float])
        #expect(x.floats == [1, 2, 1, 2])
    }
}
