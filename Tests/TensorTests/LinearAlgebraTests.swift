import Testing
@testable import Tensor

@Suite struct LinearAlgebraTests {
    // MARK: - matmul and dot by rank

    @Test func vectorDotVector() {
        let a = Tensor([1, 2, 3] as [Float])
        let b = Tensor([4, 5, 6] as [Float])
        let product = matmul(a, b)
        #expect(product.shape == [])
        #expect(product.floatValue == 32)
        #expect(dot(a, b).floatValue == 32)
    }

    @Test func matrixTimesVector() {
        let m = Tensor([[1, 2], [3, 4]] as [[Float]])
        let v = Tensor([5, 6] as [Float])
        let product = matmul(m, v)
        #expect(product.shape == [2])
        #expect(product.floats == [17, 39])
        #expect(dot(m, v).floats == [17, 39])
    }

    @Test func vectorTimesMatrix() {
        let v = Tensor([5, 6] as [Float])
        let m = Tensor([[1, 2], [3, 4]] as [[Float]])
        let product = matmul(v, m)
        #expect(product.shape == [2])
        #expect(product.floats == [23, 34])
    }

    @Test func matrixTimesMatrix() {
        let a = Tensor([[1, 2], [3, 4]] as [[Float]])
        let b = Tensor([[5, 6], [7, 8]] as [[Float]])
        let product = matmul(a, b)
        #expect(product.shape == [2, 2])
        #expect(product.floats == [19, 22, 43, 50])
        #expect(dot(a, b).floats == [19, 22, 43, 50])
        #expect((a .* b).floats == [19, 22, 43, 50])
    }

    @Test func rectangularMatrices() {
        // (3, 2) @ (2, 3) from NumPy 2.4 with A = arange(6).reshape(3, 2), B = arange(6).reshape(2, 3).
        let a = Tensor.arange(6, dtype: .float32).reshaped([3, 2])
        let b = Tensor.arange(6, dtype: .float32).reshaped([2, 3])
        let product = matmul(a, b)
        #expect(product.shape == [3, 3])
        #expect(product.floats == [3, 4, 5, 9, 14, 19, 15, 24, 33])
    }

    @Test func largerProductMatchesLoops() {
        let m = 17, k = 33, n = 9
        let aValues = (0..<(m * k)).map { Float(($0 * 7) % 11) - 5 }
        let bValues = (0..<(k * n)).map { Float(($0 * 5) % 13) - 6 }
        let product = matmul(Tensor(aValues, shape: [m, k]), Tensor(bValues, shape: [k, n]))
        #expect(product.shape == [m, n])
        // Small integers multiply and add exactly in float32, in any order.
        #expect(product.floats == referenceMatmul(aValues, bValues, m: m, k: k, n: n))
    }

    @Test func emptyContractionGivesZeros() {
        let product = matmul(Tensor.zeros([2, 0]), Tensor.zeros([0, 3]))
        #expect(product.shape == [2, 3])
        #expect(product.floats == [Float](repeating: 0, count: 6))
    }

    // MARK: - Batched products

    @Test func batchedTimesMatrix() {
        // np.arange(12).reshape(2, 2, 3) @ np.arange(6).reshape(3, 2), NumPy 2.4.
        let a = Tensor.arange(12, dtype: .float32).reshaped([2, 2, 3])
        let b = Tensor.arange(6, dtype: .float32).reshaped([3, 2])
        let product = matmul(a, b)
        #expect(product.shape == [2, 2, 2])
        #expect(product.floats == [10, 13, 28, 40, 46, 67, 64, 94])
    }

    @Test func batchedWithBroadcastLeadingAxes() {
        // np.arange(12).reshape(2, 1, 2, 3) @ np.arange(18).reshape(3, 3, 2), NumPy 2.4.
        let a = Tensor.arange(12, dtype: .float32).reshaped([2, 1, 2, 3])
        let b = Tensor.arange(18, dtype: .float32).reshaped([3, 3, 2])
        let product = matmul(a, b)
        #expect(product.shape == [2, 3, 2, 2])
        #expect(product.floats == [
            10, 13, 28, 40, 28, 31, 100, 112, 46, 49, 172, 184,
            46, 67, 64, 94, 172, 193, 244, 274, 298, 319, 424, 454,
        ])
    }

    @Test func matrixTimesBatched() {
        let a = Tensor.arange(6, dtype: .float32).reshaped([2, 3])
        let b = Tensor.arange(24, dtype: .float32).reshaped([4, 3, 2])
        let product = matmul(a, b)
        #expect(product.shape == [4, 2, 2])
        let aValues = a.floats
        let bValues = b.floats
        for batch in 0..<4 {
            let slice = Array(bValues[(batch * 6)..<((batch + 1) * 6)])
            let expected = referenceMatmul(aValues, slice, m: 2, k: 3, n: 2)
            #expect(product.index(axis: 0, batch).floats == expected, "batch \(batch)")
        }
    }

    @Test func vectorWithBatched() {
        let stack = Tensor.arange(12, dtype: .float32).reshaped([2, 3, 2])
        let left = matmul(Tensor([1, 1, 1] as [Float]), stack)
        #expect(left.shape == [2, 2])
        #expect(left.floats == [6, 9, 24, 27])
        let right = matmul(stack, Tensor([1, -1] as [Float]))
        #expect(right.shape == [2, 3])
        #expect(right.floats == [-1, -1, -1, -1, -1, -1])
    }

    // MARK: - Transposed operands

    @Test(arguments: [
        // Values from NumPy 2.4 with A = arange(6).reshape(3, 2) and B = arange(6).reshape(2, 3).
        (false, false, [3, 3], [3, 4, 5, 9, 14, 19, 15, 24, 33] as [Float]),
        (true, true, [2, 2], [10, 28, 13, 40]),
    ])
    func matmulTransposeFlags(transposeA: Bool, transposeB: Bool, shape: [Int], expected: [Float]) {
        let a = Tensor.arange(6, dtype: .float32).reshaped([3, 2])
        let b = Tensor.arange(6, dtype: .float32).reshaped([2, 3])
        let product = matmul(a, b, transposeA: transposeA, transposeB: transposeB)
        #expect(product.shape == shape)
        #expect(product.floats == expected)
    }

    @Test func matmulTransposeOneOperand() {
        let a = Tensor.arange(6, dtype: .float32).reshaped([3, 2])
        // A.T @ A and A @ A.T from NumPy 2.4.
        let gram = matmul(a, a, transposeA: true, transposeB: false)
        #expect(gram.shape == [2, 2])
        #expect(gram.floats == [20, 26, 26, 35])
        let outer = matmul(a, a, transposeA: false, transposeB: true)
        #expect(outer.shape == [3, 3])
        #expect(outer.floats == [1, 3, 5, 3, 13, 23, 5, 23, 41])
    }

    @Test func matmulTransposeMatchesExplicitTranspose() {
        let a = Tensor((0..<24).map { Float(($0 * 7) % 10) }, shape: [2, 3, 4])
        let b = Tensor((0..<40).map { Float(($0 * 3) % 8) }, shape: [2, 5, 4])
        let folded = matmul(a, b, transposeA: false, transposeB: true)
        let explicit = matmul(a, b.permuted([0, 2, 1]))
        #expect(folded.shape == [2, 3, 5])
        #expect(folded.floats == explicit.floats)

        let c = Tensor((0..<24).map { Float(($0 * 5) % 9) }, shape: [2, 4, 3])
        let foldedA = matmul(c, b, transposeA: true, transposeB: true)
        let explicitA = matmul(c.permuted([0, 2, 1]), b.permuted([0, 2, 1]))
        #expect(foldedA.shape == [2, 3, 5])
        #expect(foldedA.floats == explicitA.floats)
    }

    // MARK: - Integer and mixed dtypes

    @Test func matmulInt32() {
        let a: Tensor = [[1, 2], [3, 4]]
        let b: Tensor = [[5, 6], [7, 8]]
        let product = matmul(a, b)
        #expect(product.dtype == .int32)
        #expect(product.ints == [19, 22, 43, 50])
    }

    @Test func matmulPromotesMixedDTypes() {
        let a: Tensor = [[1, 2]]
        let b = Tensor([[0.5], [0.25]] as [[Float]])
        let product = matmul(a, b)
        #expect(product.dtype == .float32)
        #expect(product.floats == [1])
    }

    @Test func dotWithScalarMultiplies() {
        let v = Tensor([1, 2] as [Float])
        #expect(dot(v, Tensor(Float(3))).floats == [3, 6])
        #expect(dot(Tensor(Float(2)), v).floats == [2, 4])
    }

    @Test func outerProduct() {
        let product = outer(Tensor([1, 2, 3] as [Float]), Tensor([4, 5] as [Float]))
        #expect(product.shape == [3, 2])
        #expect(product.floats == [4, 5, 8, 10, 12, 15])
        // Inputs of any shape are flattened first.
        let flattened = outer(Tensor([1, 2, 3, 4] as [Float], shape: [2, 2]), Tensor([1, -1] as [Float]))
        #expect(flattened.shape == [4, 2])
        #expect(flattened.floats == [1, -1, 2, -2, 3, -3, 4, -4])
    }

    // MARK: - Transposes and axis moves

    @Test func transposedMatrix() {
        let m = Tensor.arange(6).reshaped([2, 3])
        let t = m.transposed()
        #expect(t.shape == [3, 2])
        #expect(t.ints == [0, 3, 1, 4, 2, 5])
        #expect(m.T.ints == [0, 3, 1, 4, 2, 5])
        #expect(m.T.T.ints == m.ints)
    }

    @Test func transposedReversesAllAxes() {
        let cube = Tensor.arange(24).reshaped([2, 3, 4])
        let t = cube.T
        #expect(t.shape == [4, 3, 2])
        // t[i, j, k] == cube[k, j, i].
        #expect(t[1, 2, 0].intValue == cube[0, 2, 1].intValue)
        #expect(t[3, 0, 1].intValue == cube[1, 0, 3].intValue)
        #expect(Tensor.arange(3).T.ints == [0, 1, 2])
    }

    @Test func transposedOfBoolsAndBytes() {
        let flags = Tensor([true, false, false, true, true, false], shape: [2, 3])
        #expect(flags.T.scalars(as: Bool.self) == [true, true, false, true, false, false])
        let bytes = Tensor([1, 2, 3, 4] as [UInt8], shape: [2, 2])
        #expect(bytes.T.scalars(as: UInt8.self) == [1, 3, 2, 4])
    }

    @Test(arguments: [
        ([0, 1, 2], [2, 3, 4]), ([2, 0, 1], [4, 2, 3]), ([1, 2, 0], [3, 4, 2]), ([-1, 0, 1], [4, 2, 3]),
    ] as [([Int], [Int])])
    func permutedShapes(axes: [Int], shape: [Int]) {
        let cube = Tensor.arange(24).reshaped([2, 3, 4])
        #expect(cube.permuted(axes).shape == shape)
    }

    @Test func permutedValues() {
        let cube = Tensor.arange(24).reshaped([2, 3, 4])
        let moved = cube.permuted(2, 0, 1)
        // moved[k, i, j] == cube[i, j, k] == 12 i + 4 j + k.
        #expect(moved[3, 1, 2].intValue == 12 + 8 + 3)
        #expect(moved[0, 0, 1].intValue == 4)
        #expect(moved.index(axis: 0, 1).ints == [1, 5, 9, 13, 17, 21])
    }

    @Test(arguments: [
        (0, 2, [3, 4, 2]), (2, 0, [4, 2, 3]), (-1, 1, [2, 4, 3]), (1, -1, [2, 4, 3]), (1, 1, [2, 3, 4]),
    ] as [(Int, Int, [Int])])
    func movingAxisShapes(source: Int, destination: Int, shape: [Int]) {
        let cube = Tensor.arange(24).reshaped([2, 3, 4])
        #expect(cube.movingAxis(source, to: destination).shape == shape)
    }

    @Test func movingAxisValues() {
        let cube = Tensor.arange(24).reshaped([2, 3, 4])
        let moved = cube.movingAxis(0, to: 2)
        // np.moveaxis(x, 0, 2)[j, k, i] == x[i, j, k].
        #expect(moved[2, 3, 1].intValue == cube[1, 2, 3].intValue)
        #expect(moved[0, 1, 0].ints == [1])
    }
}
