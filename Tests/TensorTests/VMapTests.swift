import Testing
@testable import Tensor

/// One row of the batching table: a function of per-example tensors, its batched
/// inputs and the axis each input is mapped over.
struct BatchingCase: Sendable, CustomTestStringConvertible {
    let name: String
    let inputs: [Tensor]
    let inAxes: [Int?]
    let outAxis: Int
    let function: @Sendable ([Tensor]) -> Tensor

    init(
        _ name: String, _ inputs: [Tensor], inAxes: [Int?], outAxis: Int = 0,
        _ function: @escaping @Sendable ([Tensor]) -> Tensor
    ) {
        self.name = name
        self.inputs = inputs
        self.inAxes = inAxes
        self.outAxis = outAxis
        self.function = function
    }

    var testDescription: String { name }
}

enum BatchingTable {
    /// Applies `function` to each example separately and stacks the results along
    /// `outAxis`, which is what vmap is defined to compute.
    static func stackedPerExample(
        _ function: ([Tensor]) -> Tensor, _ inputs: [Tensor], inAxes: [Int?], outAxis: Int = 0
    ) -> Tensor {
        let mapped = zip(inputs, inAxes).first { $0.1 != nil }!
        let size = mapped.0.shape[ShapeRules.normalizeAxis(mapped.1!, rank: mapped.0.rank, operation: "test")]
        let results = (0..<size).map { index in
            let examples = zip(inputs, inAxes).map { input, axis in
                axis.map { input.index(axis: $0, index) } ?? input
            }
            return function(examples)
        }
        return stack(results, axis: outAxis)
    }

    /// Returns whether two tensors have the same shape and dtype and elements within
    /// `tolerance`, relative for magnitudes above 1. Batched kernels may sum in another
    /// order than per-example ones, so exact equality is too strict for float32.
    static func isClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-5) -> Bool {
        guard actual.shape == expected.shape, actual.dtype == expected.dtype else { return false }
        return zip(actual.floats, expected.floats).allSatisfy { a, e in
            a == e || Swift.abs(a - e) <= tolerance * max(1, Swift.abs(e))
        }
    }

    static func uniform(_ shape: [Int], _ seed: UInt64) -> Tensor {
        GradientCheck.uniform(shape, -2, 2, seed: seed)
    }

    static let elementwise: [BatchingCase] = [
        BatchingCase("exp", [uniform([3, 4], 1)], inAxes: [0]) { exp($0[0]) },
        BatchingCase("add both batched on different axes", [uniform([3, 4], 2), uniform([4, 3], 3)], inAxes: [0, 1]) {
            $0[0] + $0[1]
        },
        BatchingCase("multiply with unbatched broadcast", [uniform([3, 2, 4], 4), uniform([4], 5)], inAxes: [0, nil]) {
            $0[0] * $0[1]
        },
        BatchingCase("per-example scalar with unbatched matrix", [uniform([3], 6), uniform([2, 4], 7)], inAxes: [0, nil]) {
            $0[0] - $0[1]
        },
        BatchingCase("unbatched scalar with batched operand", [uniform([], 8), uniform([2, 3], 9)], inAxes: [nil, 1]) {
            pow(abs($0[1]) + 0.5, $0[0])
        },
        BatchingCase("broadcast of both example shapes", [uniform([3, 1, 4], 10), uniform([2, 3, 1], 11)], inAxes: [0, 1]) {
            maximum($0[0], $0[1])
        },
        BatchingCase("comparison and select", [uniform([3, 4], 12), uniform([3, 4], 13)], inAxes: [0, 0]) {
            select($0[0] .> $0[1], $0[0], $0[1] * 2)
        },
        BatchingCase("select with unbatched condition", [uniform([3, 4], 14)], inAxes: [0]) {
            select(Tensor([true, false, false, true]), $0[0], -$0[0])
        },
        BatchingCase("select with only the condition batched", [uniform([3, 4], 19)], inAxes: [1]) {
            select($0[0] .> 0, Tensor([1, 2, 3] as [Float]), Tensor(Float(-1)))
        },
        BatchingCase("astype round trip", [uniform([3, 4], 15) * 3], inAxes: [0]) {
            $0[0].astype(.int32).astype(.float32)
        },
        BatchingCase("stopGradient", [uniform([3, 4], 16)], inAxes: [0]) { stopGradient($0[0]) * 2 },
        BatchingCase("gelu and tanh", [uniform([4, 3], 17)], inAxes: [1]) { gelu($0[0]) + tanh($0[0]) },
        BatchingCase("remainder", [uniform([3, 4], 18), Tensor([0.7, 1.3, 2.1] as [Float])], inAxes: [0, 0]) {
            $0[0] % $0[1]
        },
    ]

    static let reductions: [BatchingCase] = [
        BatchingCase("sum over one axis", [uniform([4, 3, 5], 20)], inAxes: [1]) { $0[0].sum(axis: 1) },
        BatchingCase("sum over all axes", [uniform([4, 3, 5], 21)], inAxes: [2]) { $0[0].sum() },
        BatchingCase("mean keepDims", [uniform([3, 4, 2], 22)], inAxes: [0]) { $0[0].mean(axis: 0, keepDims: true) },
        BatchingCase("max over two axes", [uniform([3, 4, 2], 23)], inAxes: [0]) { $0[0].max(axes: [0, 1]) },
        BatchingCase("min with negative axis", [uniform([3, 4, 2], 24)], inAxes: [0]) { $0[0].min(axis: -1) },
        BatchingCase("prod", [uniform([3, 4], 25)], inAxes: [0]) { $0[0].prod() },
        BatchingCase("argmax", [uniform([3, 4, 5], 26)], inAxes: [1]) { $0[0].argmax(axis: 1).astype(.float32) },
        BatchingCase("argmin flattened", [uniform([3, 4, 5], 27)], inAxes: [0]) { $0[0].argmin().astype(.float32) },
        BatchingCase("variance", [uniform([3, 4, 5], 28)], inAxes: [0]) { $0[0].variance(axes: [1]) },
        BatchingCase("logsumexp", [uniform([3, 4, 5], 29)], inAxes: [2]) { logsumexp($0[0], axis: 0) },
        BatchingCase("softmax", [uniform([3, 4, 5], 30)], inAxes: [0]) { softmax($0[0]) },
        BatchingCase("logSoftmax", [uniform([3, 4, 5], 31)], inAxes: [1]) { logSoftmax($0[0], axis: 0) },
    ]

    static let products: [BatchingCase] = [
        BatchingCase("matmul batched left", [uniform([3, 2, 4], 40), uniform([4, 5], 41)], inAxes: [0, nil]) {
            matmul($0[0], $0[1])
        },
        BatchingCase("matmul batched right on axis 1", [uniform([2, 4], 42), uniform([4, 3, 5], 43)], inAxes: [nil, 1]) {
            matmul($0[0], $0[1])
        },
        BatchingCase("matmul both batched", [uniform([3, 2, 4], 44), uniform([4, 5, 3], 45)], inAxes: [0, 2]) {
            matmul($0[0], $0[1])
        },
        BatchingCase("matmul transposed", [uniform([3, 4, 2], 46), uniform([5, 4], 47)], inAxes: [0, nil]) {
            matmul($0[0], $0[1], transposeA: true, transposeB: true)
        },
        BatchingCase("matmul of batched examples", [uniform([2, 3, 2, 4], 48), uniform([4, 5], 49)], inAxes: [1, nil]) {
            matmul($0[0], $0[1])
        },
        BatchingCase("matmul vector examples", [uniform([3, 4], 50), uniform([4, 5], 51)], inAxes: [0, nil]) {
            matmul($0[0], $0[1])
        },
        BatchingCase("matmul with unbatched operand of more axes", [uniform([3, 2, 4], 54), uniform([2, 4, 5], 55)], inAxes: [0, nil]) {
            matmul($0[0], $0[1])
        },
        BatchingCase("dot of vector examples", [uniform([3, 4], 52), uniform([4, 3], 53)], inAxes: [0, 1]) {
            dot($0[0], $0[1])
        },
    ]

    static let structural: [BatchingCase] = [
        BatchingCase("reshape", [uniform([3, 2, 6], 60)], inAxes: [1]) { $0[0].reshaped([2, 3, 3]) },
        BatchingCase("permuted", [uniform([3, 2, 4], 61)], inAxes: [2]) { $0[0].permuted(1, 0) },
        BatchingCase("transposed output axis", [uniform([3, 2, 4], 62)], inAxes: [0], outAxis: 2) { $0[0].T },
        BatchingCase("broadcast to", [uniform([3, 2, 1], 63)], inAxes: [0]) { $0[0].broadcast(to: [4, 2, 5]) },
        BatchingCase("expandDims", [uniform([3, 2], 64)], inAxes: [1]) { $0[0].expandDims(0) },
        BatchingCase("slice with step", [uniform([3, 7, 2], 65)], inAxes: [2]) { $0[0].slice(axis: 1, 1..<7, step: 2) },
        BatchingCase("subscript", [uniform([5, 3, 4], 66)], inAxes: [2]) { $0[0][1..<4, 2] },
        BatchingCase("pad", [uniform([3, 2, 3], 67)], inAxes: [0]) {
            bind1(Pad(low: [1, 0], high: [0, 2], interior: [1, 1]), [$0[0]])
        },
        BatchingCase("concatenate batched with unbatched", [uniform([3, 2, 2], 68), uniform([2, 3], 69)], inAxes: [0, nil]) {
            concatenate([$0[0], $0[1]], axis: 1)
        },
        BatchingCase("concatenate on the last axis", [uniform([2, 3, 2], 70), uniform([2, 3, 3], 71)], inAxes: [1, 1]) {
            concatenate([$0[0], $0[1]], axis: -1)
        },
        BatchingCase("stack", [uniform([3, 4], 72), uniform([4, 3], 73)], inAxes: [0, 1], outAxis: 1) {
            stack([$0[0], $0[1]], axis: 0)
        },
    ]

    static let indexing: [BatchingCase] = [
        BatchingCase("take batched operand", [uniform([3, 4, 2], 80)], inAxes: [0]) {
            $0[0].take(Tensor([3, 0, 3] as [Int32]), axis: 0)
        },
        BatchingCase("take batched operand axis 1", [uniform([4, 3, 5], 81)], inAxes: [1]) {
            $0[0].take(Tensor([4, 0] as [Int32]), axis: 1)
        },
        BatchingCase("take batched indices", [uniform([4, 2], 82), Tensor([0, 3, 1, 1, 2, 0] as [Float], shape: [3, 2])], inAxes: [nil, 0]) {
            $0[0].take($0[1].astype(.int32), axis: 0)
        },
        BatchingCase("take batched indices axis 1", [uniform([2, 4], 83), Tensor([0, 3, 1, 1, 2, 0] as [Float], shape: [2, 3])], inAxes: [nil, 1]) {
            $0[0].take($0[1].astype(.int32), axis: 1)
        },
        BatchingCase("take both batched axis 0", [uniform([2, 3, 2], 84), Tensor([2, 0, 1, 1] as [Float], shape: [2, 2])], inAxes: [0, 0]) {
            $0[0].take($0[1].astype(.int32), axis: 0)
        },
        BatchingCase("take both batched axis 1", [uniform([4, 3, 2], 85), Tensor([1, -1, 0, 9, 1, 1] as [Float], shape: [3, 2])], inAxes: [1, 0]) {
            $0[0].take($0[1].astype(.int32), axis: 1)
        },
        BatchingCase("take both batched matrix indices", [uniform([3, 4], 86), Tensor([0, 3, 1, 1, 2, 0, 3, 3, 0, 1, 2, 2] as [Float], shape: [3, 2, 2])], inAxes: [0, 0]) {
            $0[0].take($0[1].astype(.int32), axis: 0)
        },
        BatchingCase("takeAlongAxis", [uniform([3, 4, 3], 87)], inAxes: [0]) {
            $0[0].takeAlongAxis(Tensor([2, 0, 1, 1] as [Int32], shape: [4, 1]), axis: 1)
        },
        BatchingCase("oneHot of batched labels", [Tensor([0, 2, 1, 5, 3, 0] as [Float], shape: [3, 2])], inAxes: [0]) {
            oneHot($0[0].astype(.int32), depth: 4)
        },
        BatchingCase("at set batched operand", [uniform([3, 4, 2], 88)], inAxes: [0]) {
            $0[0].at[Tensor([1, 3] as [Int32])].set(Tensor.ones([2, 2]))
        },
        BatchingCase("at add batched values", [uniform([3, 2], 89)], inAxes: [0]) {
            Tensor.zeros([4, 2]).at[Tensor([0, 0] as [Int32])].add($0[0])
        },
        BatchingCase("at max batched operand and values", [uniform([3, 4], 90), uniform([3, 2], 91)], inAxes: [0, 0]) {
            $0[0].at[Tensor([2, 0] as [Int32])].max($0[1])
        },
        BatchingCase("at multiply batched positions", [uniform([5], 92), Tensor([0, 4, 2] as [Float])], inAxes: [nil, 0]) {
            $0[0].at[$0[1].astype(.int32)].multiply(3)
        },
    ]

    static let fused: [BatchingCase] = [
        BatchingCase("adam_update", [uniform([3, 4], 93), uniform([4, 3], 94), uniform([3, 4], 95) + 3], inAxes: [0, 1, 0]) {
            stack(bind(AdamUpdate(b1: 0.9, b2: 0.999, eps: 1e-8, epsRoot: 0), $0 + [Tensor(Float(0.19)), Tensor(Float(0.002))]))
        },
        BatchingCase("adam_update with unbatched moments", [uniform([3, 4], 96), uniform([4], 97)], inAxes: [0, nil]) {
            stack(bind(AdamUpdate(b1: 0.9, b2: 0.999, eps: 1e-8, epsRoot: 0), [$0[0], $0[1], $0[1] + 3, Tensor(Float(0.19)), Tensor(Float(0.002))]))
        },
    ]

    static let all = elementwise + reductions + products + structural + indexing + fused
}

@Suite struct VMapTests {
    @Test("vmap equals stacked per-example results", arguments: BatchingTable.all)
    func batchingRule(_ batchingCase: BatchingCase) {
        let batched = vmapFlat(
            { [batchingCase.function($0)] }, inAxes: batchingCase.inAxes, outAxes: [batchingCase.outAxis])(batchingCase.inputs)[0]
        let expected = BatchingTable.stackedPerExample(
            batchingCase.function, batchingCase.inputs, inAxes: batchingCase.inAxes, outAxis: batchingCase.outAxis)
        #expect(batched.shape == expected.shape)
        #expect(BatchingTable.isClose(batched, expected), "batched \(batched.floats) expected \(expected.floats)")
    }

    @Test func inAxesPerArgument() {
        // x mapped over axis 1, y over axis 0, the scale not mapped.
        let x = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let y = Tensor([10, 20, 30] as [Float])
        let scale = Tensor(Float(2))
        let result = vmapFlat({ [($0[0] + $0[1]) * $0[2]] }, inAxes: [1, 0, nil])([x, y, scale])[0]
        #expect(result.shape == [3, 2])
        #expect(result.floats == [22, 28, 44, 50, 66, 72])
    }

    @Test func outAxesPerOutput() {
        let x = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let outputs = vmapFlat({ [$0[0] * 2, $0[0].sum(), Tensor(Float(7))] }, inAxes: [0], outAxes: [1, 0, nil])([x])
        #expect(outputs[0].shape == [3, 2])
        #expect(outputs[0].floats == [2, 8, 4, 10, 6, 12])
        #expect(outputs[1].floats == [6, 15])
        #expect(outputs[2].shape == [])
        #expect(outputs[2].floatValue == 7)
    }

    @Test func negativeAxes() {
        let x = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let result = vmapFlat({ [$0[0] * 10] }, inAxes: [-1], outAxes: [-1])([x])[0]
        #expect(result.shape == [2, 3])
        #expect(result.floats == [10, 20, 30, 40, 50, 60])
    }

    @Test func outputIndependentOfInputsIsBroadcast() {
        let result = vmapFlat({ _ in [Tensor([1, 2] as [Float])] }, inAxes: [0])([Tensor.zeros([3])])[0]
        #expect(result.shape == [3, 2])
        #expect(result.floats == [1, 2, 1, 2, 1, 2])
    }

    @Test func unbatchedInputPassedThrough() {
        let result = vmapFlat({ [$0[1]] }, inAxes: [0, nil])([Tensor.zeros([3]), Tensor([4, 5] as [Float])])[0]
        #expect(result.shape == [3, 2])
        #expect(result.floats == [4, 5, 4, 5, 4, 5])
    }

    @Test func nestedVMapComputesMatrixProduct() {
        // vmap over rows of a and columns of b of a dot product gives a @ b.
        let a = GradientCheck.uniform([3, 4], -2, 2, seed: 1)
        let b = GradientCheck.uniform([4, 5], -2, 2, seed: 2)
        let rowTimesColumns = { (inputs: [Tensor]) -> [Tensor] in
            vmapFlat({ [($0[0] * $0[1]).sum()] }, inAxes: [nil, 1])(inputs)
        }
        let product = vmapFlat(rowTimesColumns, inAxes: [0, nil])([a, b])[0]
        #expect(BatchingTable.isClose(product, matmul(a, b)))
    }

    @Test func nestedVMapOuterProduct() {
        let x = Tensor([1, 2, 3] as [Float])
        let y = Tensor([10, 20] as [Float])
        let inner = { (inputs: [Tensor]) in vmapFlat({ [$0[0] * $0[1]] }, inAxes: [nil, 0])(inputs) }
        let outer = vmapFlat(inner, inAxes: [0, nil])([x, y])[0]
        #expect(outer.shape == [3, 2])
        #expect(outer.floats == [10, 20, 20, 40, 30, 60])
    }

    @Test func nestedVMapOverSameAxisTwice() {
        let x = GradientCheck.uniform([2, 3, 4], -2, 2, seed: 3)
        let inner = { (inputs: [Tensor]) in vmapFlat({ [exp($0[0]).sum()] }, inAxes: [0])(inputs) }
        let result = vmapFlat(inner, inAxes: [2])([x])[0]
        #expect(result.shape == [4, 2])
        #expect(BatchingTable.isClose(result, exp(x).sum(axis: 1).T))
    }

    @Test func perExampleGradients() {
        // Values from jax.vmap(jax.grad(loss), in_axes=(None, 0, 0)) with JAX 0.10.2.
        let w = Tensor([0.5, -1] as [Float])
        let x = Tensor([1, 2, -1, 0.5, 3, -2] as [Float], shape: [3, 2])
        let y = Tensor([1, -2, 0.5] as [Float])
        let loss = { (w: Tensor, x: Tensor, y: Tensor) -> Tensor in
            let residual = tanh(matmul(x, w)) - y
            return residual * residual
        }
        let perExample = vmapFlat({ [grad(loss)($0[0], $0[1], $0[2])] }, inAxes: [nil, 0, 0])([w, x, y])[0]
        let expected = Tensor(
            [-0.6885462, -1.3770924, -1.0401971, 0.52009857, 0.01088256, -0.00725504] as [Float], shape: [3, 2])
        #expect(BatchingTable.isClose(perExample, expected))

        let looped = stack((0..<3).map { grad(loss)(w, x[$0], y[$0]) })
        #expect(BatchingTable.isClose(perExample, looped))
    }

    @Test func perExampleGradientsOfTreeParameters() {
        let params: [String: Tensor] = ["w": Tensor([0.5, -1] as [Float]), "b": Tensor(Float(0.1))]
        let x = Tensor([1, 2, -1, 0.5, 3, -2] as [Float], shape: [3, 2])
        let loss = { (params: [String: Tensor], x: Tensor) -> Tensor in
            let prediction = (params["w"]! * x).sum() + params["b"]!
            return prediction * prediction
        }
        let (leaves, definition) = treeFlatten(params)
        let perExample = vmapFlat({ inputs in
            treeLeaves(grad(loss)(treeUnflatten(definition, Array(inputs.dropLast())), inputs.last!))
        }, inAxes: [nil, nil, 0])(leaves + [x])
        for example in 0..<3 {
            let expected = grad(loss)(params, x[example])
            #expect(BatchingTable.isClose(perExample[0][example], expected["b"]!))
            #expect(BatchingTable.isClose(perExample[1][example], expected["w"]!))
        }
    }

    @Test func gradOfVMap() {
        // d/dx sum_i sum(exp(x_i) * i-th row) computed through vmap's batching rules.
        let x = GradientCheck.uniform([3, 4], -1, 1, seed: 4)
        let gradient = grad({ (x: Tensor) in
            vmapFlat({ [(exp($0[0]) * 2).sum()] }, inAxes: [0])([x])[0].sum()
        })(x)
        #expect(BatchingTable.isClose(gradient, exp(x) * 2))
    }

    @Test func gradOfVMapWithUnbatchedParameter() {
        // The gradient of an unbatched parameter sums over the batch.
        let w = Tensor([1, 2] as [Float])
        let x = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [3, 2])
        let gradient = grad({ (w: Tensor) in
            vmapFlat({ [($0[0] * $0[1]).sum()] }, inAxes: [nil, 0])([w, x])[0].sum()
        })(w)
        #expect(gradient.floats == [9, 12])
    }

    @Test func vmapOfGradOfGrad() {
        // Second derivatives of x^3 per example: 6x.
        let x = Tensor([1, -2, 0.5] as [Float])
        let result = vmapFlat({ [grad(grad({ (x: Tensor) in x * x * x }))($0[0])] }, inAxes: [0])([x])[0]
        #expect(result.floats == [6, -12, 3])
    }

    @Test func vmapOfCustomVJP() {
        // As JAX computes it, vmap of grad of a custom rule uses the rule per example.
        let claimed = customVJP(
            forward: { (x: Tensor) in (output: x * x * x, residuals: [x]) },
            backward: { residuals, cotangent in 7 * residuals[0] * cotangent })
        let x = Tensor([1, 2] as [Float])
        let gradients = vmapFlat({ [grad({ (x: Tensor) in claimed(x) })($0[0])] }, inAxes: [0])([x])[0]
        #expect(gradients.floats == [7, 14])
        #expect(vmapFlat({ [claimed($0[0])] }, inAxes: [0])([x])[0].floats == [1, 8])
    }

    @Test func vmapOfScatterUsesLoopFallback() {
        let operand = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let positions = Tensor([2, 0] as [Int32])
        let result = vmapFlat({ [$0[0].at[$0[1]].set(Tensor(Float(0)))] }, inAxes: [0, 0])([operand, positions])[0]
        #expect(result.floats == [1, 2, 0, 0, 5, 6])
    }

    @Test func traceDescriptionNamesVMap() {
        var description = ""
        _ = vmapFlat({ inputs in
            description = inputs[0].description
            return inputs
        }, inAxes: [0])([Tensor.zeros([2, 3])])
        #expect(description.contains("vmap"))
        #expect(description.contains("f32[3]"))
    }

    @Test func mismatchedAxisSizesStop() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = vmapFlat({ [$0[0] + $0[1]] }, inAxes: [0, 0])([Tensor.zeros([3]), Tensor.zeros([4])])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("vmap: mapped axes have different sizes: 3 and 4"))
    }

    @Test func outOfRangeInAxisStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = vmapFlat({ $0 }, inAxes: [2])([Tensor.zeros([3, 4])])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("vmap in_axes: axis 2 is out of range for a tensor of rank 2"))
    }

    @Test func outOfRangeOutAxisStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = vmapFlat({ $0 }, inAxes: [0], outAxes: [3])([Tensor.zeros([3, 4])])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("vmap out_axes: axis 3 is out of range for a tensor of rank 2"))
    }

    @Test func allInAxesNilStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = vmapFlat({ $0 }, inAxes: [nil])([Tensor.zeros([3])])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("at least one input must be mapped"))
    }

    @Test func nilOutAxisOfMappedOutputStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = vmapFlat({ $0 }, inAxes: [0], outAxes: [nil])([Tensor.zeros([3])])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("out_axes nil"))
    }

    @Test func readingValueUnderVMapStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = vmapFlat({ inputs in
                inputs[0].floatValue > 0 ? inputs : inputs.map { -$0 }
            }, inAxes: [0])([Tensor.zeros([3])])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("cannot read the value of a traced tensor"))
        #expect(message.contains("vmap"))
    }
}
