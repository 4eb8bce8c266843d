import Testing
@testable import Tensor

/// A user-defined tree with a non-tensor field, to check that vmap keeps it.
private struct Scaled: Tree {
    var values: Tensor
    var label: String

    var treeChildren: [(key: String, value: any Tree)] { [("values", values)] }

    func withTreeChildren(_ children: [any Tree]) -> Scaled {
        Scaled(values: children[0] as! Tensor, label: label)
    }
}

@Suite struct VMapTreesTests {
    @Test func dictionaryInputAndOutput() {
        let x = GradientCheck.uniform([4, 3], -2, 2, seed: 1)
        let w = GradientCheck.uniform([4, 3], -2, 2, seed: 2)
        let result = vmap({ (example: [String: Tensor]) -> [String: Tensor] in
            ["product": example["x"]! * example["w"]!, "total": example["x"]!.sum()]
        })(["x": x, "w": w])
        #expect(result["product"]!.shape == [4, 3])
        #expect(BatchingTable.isClose(result["product"]!, x * w))
        #expect(result["total"]!.shape == [4])
        #expect(BatchingTable.isClose(result["total"]!, x.sum(axis: 1)))
    }

    @Test func tensorInputAndOutput() {
        let x = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let result = vmap({ (row: Tensor) in row.max() })(x)
        #expect(result.floats == [3, 6])
    }

    @Test func inAxesAndOutAxes() {
        // Map over the columns and put the mapped axis last.
        let x = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let result = vmap({ (column: Tensor) in stack([column.sum(), column.prod()]) }, inAxes: 1, outAxes: 1)(x)
        #expect(result.shape == [2, 3])
        #expect(result.floats == [5, 7, 9, 4, 10, 18])
    }

    @Test func negativeInAxis() {
        let x = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let result = vmap({ (column: Tensor) in column * column[0] }, inAxes: -1)(x)
        #expect(result.shape == [3, 2])
        #expect(result.floats == [1, 4, 4, 10, 9, 18])
    }

    @Test func nilOutAxesReturnsUnmappedOutput() {
        let result = vmap({ (_: Tensor) in Tensor([7] as [Float]) }, outAxes: nil)(Tensor.zeros([5, 2]))
        #expect(result.shape == [1])
        #expect(result.floats == [7])
    }

    @Test func userTreeKeepsNonTensorFields() {
        let input = Scaled(values: Tensor([1, 2, 3, 4] as [Float], shape: [2, 2]), label: "pairs")
        let result = vmap({ (example: Scaled) in Scaled(values: example.values * 10, label: example.label + " scaled") })(input)
        #expect(result.label == "pairs scaled")
        #expect(result.values.floats == [10, 20, 30, 40])
    }

    @Test func tensorTreeInput() {
        let input: TensorTree = ["layer": ["w": Tensor([1, 2, 3, 4] as [Float], shape: [2, 2])]]
        let result = vmap({ (example: TensorTree) in example[path: "layer/w"].tensor.sum() })(input)
        #expect(result.floats == [3, 7])
    }

    @Test func oneHotWithUnmappedDepth() {
        // jax.vmap(jax.nn.one_hot, in_axes=(0, None))(labels, 4).
        let labels = Tensor([2, 0, 3, 1, 7] as [Int32])
        let encode = vmap({ (label: Tensor, depth: Int) in oneHot(label, depth: depth) }, inAxes: (0, nil))
        let encoded = encode(labels, 4)
        #expect(encoded.shape == [5, 4])
        #expect(encoded.floats == oneHot(labels, depth: 4).floats)
    }

    @Test func twoArgumentsBothMapped() {
        let a = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let b = Tensor([10, 20, 30, 40, 50, 60] as [Float], shape: [3, 2])
        // a mapped over rows, b over columns: example i is dot(a[i], b[:, i]).
        let result = vmap({ (a: Tensor, b: Tensor) in dot(a, b) }, inAxes: (0, 1))(a, b)
        let expected: [Float] = [1 * 10 + 2 * 30 + 3 * 50, 4 * 20 + 5 * 40 + 6 * 60]
        #expect(result.floats == expected)
    }

    @Test func twoArgumentsFirstUnmapped() {
        let params: [String: Tensor] = ["w": Tensor([1, -1] as [Float]), "b": Tensor(Float(0.5))]
        let batch = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [3, 2])
        let predict = vmap({ (params: [String: Tensor], x: Tensor) in (params["w"]! * x).sum() + params["b"]! }, inAxes: (nil, 0))
        #expect(predict(params, batch).floats == [-0.5, -0.5, -0.5])
    }

    @Test func twoArgumentsWithOutAxes() {
        let x = Tensor([1, 2, 3] as [Float])
        let y = Tensor([10, 20] as [Float])
        let result = vmap({ (x: Tensor, y: Tensor) in x * y }, inAxes: (nil, 0), outAxes: -1)(x, y)
        #expect(result.shape == [3, 2])
        #expect(result.floats == [10, 20, 20, 40, 30, 60])
    }

    @Test func perExampleGradientsOfTree() {
        let params: [String: Tensor] = ["w": Tensor([0.5, -1] as [Float]), "b": Tensor(Float(0.1))]
        let batch: [String: Tensor] = [
            "x": Tensor([1, 2, -1, 0.5, 3, -2] as [Float], shape: [3, 2]),
            "y": Tensor([1, -2, 0.5] as [Float]),
        ]
        let loss = { (params: [String: Tensor], x: Tensor, y: Tensor) -> Tensor in
            let residual = tanh((params["w"]! * x).sum() + params["b"]!) - y
            return residual * residual
        }
        let perExample = vmap({ (params: [String: Tensor], example: [String: Tensor]) in
            grad(loss)(params, example["x"]!, example["y"]!)
        }, inAxes: (nil, 0))(params, batch)
        #expect(perExample["w"]!.shape == [3, 2])
        #expect(perExample["b"]!.shape == [3])
        for index in 0..<3 {
            let expected = grad(loss)(params, batch["x"]![index], batch["y"]![index])
            #expect(BatchingTable.isClose(perExample["w"]![index], expected["w"]!))
            #expect(BatchingTable.isClose(perExample["b"]![index], expected["b"]!))
        }
    }

    @Test func nestedTreeVMap() {
        let x = Tensor([1, 2, 3] as [Float])
        let y = Tensor([10, 20] as [Float])
        let table = vmap({ (x: Tensor, y: Tensor) in
            vmap({ (y: Tensor) in x + y })(y)
        }, inAxes: (0, nil))(x, y)
        #expect(table.shape == [3, 2])
        #expect(table.floats == [11, 21, 12, 22, 13, 23])
    }

    @Test func gradThroughTreeVMap() {
        let x = Tensor([1, 2, 3, 4] as [Float], shape: [2, 2])
        let gradient = grad({ (x: Tensor) in
            vmap({ (row: Tensor) in (row * row).sum() })(x).sum()
        })(x)
        #expect(gradient.floats == [2, 4, 6, 8])
    }

    @Test func mismatchedLeafSizesNamePaths() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = vmap({ (tree: [String: Tensor]) in tree["x"]! })(["x": Tensor.zeros([3]), "y": Tensor.zeros([4])])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("vmap: mapped axes have different sizes: 3 for the input at 'x' and 4 for the input at 'y'"))
    }

    @Test func mismatchedArgumentSizesNameArguments() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = vmap({ (a: Tensor, b: Tensor) in a + b }, inAxes: (0, 0))(Tensor.zeros([3]), Tensor.zeros([2, 5]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("3 for argument 0 and 2 for argument 1"))
    }

    @Test func outOfRangeAxisNamesLeaf() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = vmap({ (tree: [String: Tensor]) in tree["x"]! }, inAxes: 1)(["x": Tensor.zeros([3, 2]), "bias": Tensor.zeros([3])])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("vmap: in_axes 1 is out of range for the input at 'bias' of shape (3,)"))
    }

    @Test func mappedNonTreeArgumentStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = vmap({ (label: Tensor, depth: Int) in oneHot(label, depth: depth) }, inAxes: (0, 0))(Tensor([1] as [Int32]), 3)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("vmap: argument 1 of type Int is mapped over axis 0 but does not conform to Tree"))
    }

    @Test func allAxesNilStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = vmap({ (a: Tensor, b: Tensor) in a + b }, inAxes: (nil, nil))(Tensor.zeros([3]), Tensor.zeros([3]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("vmap: at least one argument must be mapped"))
    }

    @Test func emptyTreeStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = vmap({ (tree: [String: Tensor]) in tree })([:])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("vmap: the input is mapped over axis 0 but has no tensor leaves"))
    }
}
