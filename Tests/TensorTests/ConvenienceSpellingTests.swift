import Testing
@testable import Tensor

/// The JAX and NumPy spellings a new user tries first.
struct ConvenienceSpellingTests {
    @Test func intArrayInitializerGivesInt32() {
        let indices = Tensor([2, 0])
        #expect(indices.dtype == .int32)
        #expect(indices.ints == [2, 0])
    }

    @Test func doubleArrayInitializerGivesFloat32() {
        let values = Tensor([0.5, 1.5])
        #expect(values.dtype == .float32)
        #expect(values.floats == [0.5, 1.5])
    }

    @Test func unboundedRangeKeepsFirstAxis() {
        let x = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [3, 2])
        let column = x[..., 1]
        #expect(column.shape == [3])
        #expect(column.floats == [2, 4, 6])
    }

    @Test func intArrayIndexesRows() {
        let x = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [3, 2])
        #expect(x[[2, 0]].floats == [5, 6, 1, 2])
        #expect(x.at[[0, 2]].add(10).floats == [11, 12, 3, 4, 15, 16])
    }

    @Test func splitTakesPositionalCount() {
        let keys = split(PRNGKey(0), 3)
        #expect(keys.count == 3)
        #expect(keys == split(PRNGKey(0), count: 3))
    }

    @Test func treeLiteralAcceptsTensors() {
        let w = Tensor([1, 2] as [Float])
        let b = Tensor(Float(3))
        let tree: TensorTree = ["w": w, "inner": ["b": b]]
        #expect(treePaths(tree) == ["inner/b", "w"])
        #expect(tree["inner"]["b"].tensor.floatValue == 3)
        #expect(tree[path: "w"].tensor.floats == [1, 2])
    }

    @Test func twoArgumentVMapMapsBothByDefault() {
        let xs = Tensor([1, 2, 3] as [Float])
        let ys = Tensor([10, 20, 30] as [Float])
        let products = vmap({ (x: Tensor, y: Tensor) in x * y })(xs, ys)
        #expect(products.floats == [10, 40, 90])
    }

    @Test func atSetShapeMismatchNamesMethod() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([3]).at[0].set(Tensor.ones([5]))
        }
        let output = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(output.contains("at[].set: values of shape (5,) cannot be broadcast to the selected region of shape ()"))
    }
}
