import Testing
@testable import Tensor

/// Deterministic values of `shape`: evenly spaced from -1 to 1, then scaled by
/// `1 + phase` and shifted by `phase`.
private func ramp(_ shape: [Int], phase: Double = 0) -> Tensor {
    let count = shape.reduce(1, *)
    return (Tensor.linspace(-1, 1, count: count) * Tensor(Float(1 + phase)) + Tensor(Float(phase)))
        .reshaped(shape)
}

/// Computes the squared-error loss of a two-layer perceptron's forward pass.
private func mlpLoss(_ params: [String: Tensor], _ x: Tensor, _ y: Tensor) -> Tensor {
    let hidden = relu(matmul(x, params["w1"]!) + params["b1"]!)
    let prediction = matmul(hidden, params["w2"]!) + params["b2"]!
    let error = prediction - y
    return (error * error).mean()
}

private func mlpParams() -> [String: Tensor] {
    ["w1": ramp([20, 16], phase: 0.1), "b1": ramp([16], phase: 0.2), "w2": ramp([16, 4], phase: 0.3), "b2": ramp([4])]
}

/// A state that a donated step updates: parameters and a moment per parameter.
private struct UpdateState: Tree {
    var weights: Tensor
    var moment: Tensor

    var treeChildren: [(key: String, value: any Tree)] { [("weights", weights), ("moment", moment)] }

    func withTreeChildren(_ children: [any Tree]) -> UpdateState {
        UpdateState(weights: children[0] as! Tensor, moment: children[1] as! Tensor)
    }
}

private func update(_ state: UpdateState, _ gradient: Tensor) -> UpdateState {
    let moment = state.moment * 0.9 + gradient * 0.1
    return UpdateState(weights: state.weights - moment * 0.01, moment: moment)
}

private struct UncheckedSendableFunction: @unchecked Sendable {
    let call: (Tensor) -> Tensor
}

@Suite struct ExecutionPlanTests {
    @Test func plannedMLPMatchesEager() {
        let (params, x, y) = (mlpParams(), ramp([8, 20], phase: 0.5), ramp([8, 4], phase: -0.2))
        let jitted = jit(mlpLoss)
        let eager = mlpLoss(params, x, y).floats
        #expect(jitted(params, x, y).floats == eager)
        #expect(jitted(params, x, y).floats == eager, "the warm call differs from the first call")
    }

    @Test func intermediateBuffersAreReused() {
        // A chain of same-shaped values: each needs a buffer only while the next is built.
        let chain = jit { (x: Tensor) in
            var value = x
            for _ in 0..<6 { value = exp(value * 0.5) - value }
            return value.sum()
        }
        let x = ramp([64, 64])
        var expected = x
        for _ in 0..<6 { expected = exp(expected * 0.5) - expected }
        #expect(chain(x).floats == expected.sum().floats)

        let cache = JitCache()
        let traced = jit({ (x: Tensor) in
            var value = x
            for _ in 0..<6 { value = exp(value * 0.5) - value }
            return value.sum()
        }, cache: cache)
        _ = traced(x)
        let plan = ExecutionPlan(cache.jaxprs[0], fusesElementwise: false)
        let persistent = plan.bufferPlan.buffers.filter { $0.kind == .persistent }
        #expect(plan.steps.count == 19)
        #expect(persistent.count <= 2, "\(persistent.count) buffers for a chain of 18 elementwise steps")
    }

    @Test func concurrentCallsUseSeparateBuffers() async {
        let function = jit { (x: Tensor) in
            var value = x
            for _ in 0..<4 { value = exp(value * 0.25) - value.sum(axis: 1, keepDims: true) * 0.01 }
            return value
        }
        let inputs = (0..<8).map { ramp([48, 48], phase: Double($0) * 0.1) }
        let expected = inputs.map { function($0).floats }
        // A jitted function is safe to call from several tasks (its cache and buffer
        // pool are locked), but its closure type is not marked Sendable.
        let shared = UncheckedSendableFunction(call: function)
        let results = await withTaskGroup(of: (Int, [Float]).self) { group in
            for _ in 0..<4 {
                for (index, input) in inputs.enumerated() {
                    group.addTask { (index, shared.call(input).floats) }
                }
            }
            var results = [(Int, [Float])]()
            for await result in group { results.append(result) }
            return results
        }
        for (index, values) in results {
            #expect(values == expected[index], "input \(index) gave different values when run concurrently")
        }
    }

    @Test func reshapeViewKeepsItsBufferAlive() {
        // The reshaped view is read after the value it views is last read directly, so
        // its buffer must not be reused in between.
        let function = jit { (x: Tensor) in
            let doubled = x * 2
            let flat = doubled.reshaped([16])
            let other = (x + 1) * 3
            return flat + other.reshaped([16])
        }
        let x = ramp([4, 4])
        let expected = (x * 2).reshaped([16]) + ((x + 1) * 3).reshaped([16])
        #expect(function(x).floats == expected.floats)
        #expect(function(x).floats == expected.floats)
    }

    @Test func warmMLPCallAllocatesOnlyOutputs() async {
        // tensorAllocationCount is process-wide and other tests allocate concurrently,
        // so the count is taken in a child process.
        await #expect(processExitsWith: .success) {
            let (params, x, y) = (mlpParams(), ramp([32, 20], phase: 0.5), ramp([32, 4], phase: -0.2))
            let lossAndGradient = jit { (params: [String: Tensor], x: Tensor, y: Tensor) in
                let (loss, gradients) = valueAndGrad { (params: [String: Tensor]) in mlpLoss(params, x, y) }(params)
                return gradients.merging(["loss": loss]) { first, _ in first }
            }
            _ = lossAndGradient(params, x, y)
            _ = lossAndGradient(params, x, y)
            let before = tensorAllocationCount
            let outputs = lossAndGradient(params, x, y)
            let allocations = tensorAllocationCount - before
            // One loss and four gradients.
            #expect(allocations <= 5, "a warm call allocated \(allocations) tensors for 5 outputs")
            #expect(outputs.count == 5)
        }
    }

    @Test func donatedStepReusesInputStorage() {
        let gradient = ramp([32, 8], phase: 0.4)
        let initial = UpdateState(weights: ramp([32, 8]), moment: ramp([32, 8], phase: 0.3) * 0.1)

        let plain = jit(update)
        let donated = jit(update, donateArgnums: [0])
        var expected = initial
        var state = UpdateState(weights: initial.weights + 0, moment: initial.moment + 0)
        for _ in 0..<3 {
            expected = plain(expected, gradient)
            let weightsAddress = state.weights.storage!.raw
            let momentAddress = state.moment.storage!.raw
            state = donated(state, gradient)
            #expect(state.weights.storage!.raw == weightsAddress)
            #expect(state.moment.storage!.raw == momentAddress)
            #expect(state.weights.floats == expected.weights.floats)
            #expect(state.moment.floats == expected.moment.floats)
        }
    }

    @Test func warmDonatedStepAllocatesNothing() async {
        await #expect(processExitsWith: .success) {
            let gradient = ramp([32, 8], phase: 0.4)
            let step = jit(update, donateArgnums: [0])
            var state = UpdateState(weights: ramp([32, 8]), moment: ramp([32, 8], phase: 0.3))
            state = step(state, gradient)
            state = step(state, gradient)
            let before = tensorAllocationCount
            state = step(state, gradient)
            let allocations = tensorAllocationCount - before
            #expect(allocations == 0, "a warm donated step allocated \(allocations) tensors")
        }
    }

    @Test func donatedStorageSharedByTwoLeavesIsCopied() {
        // Both leaves share one storage, so writing the new weights into it would change
        // the moment that the step still reads.
        let shared = ramp([16])
        let state = UpdateState(weights: shared, moment: shared)
        let gradient = ramp([16], phase: 0.7)
        let expected = update(state, gradient)
        let result = jit(update, donateArgnums: [0])(state, gradient)
        #expect(result.weights.floats == expected.weights.floats)
        #expect(result.moment.floats == expected.moment.floats)
        #expect(shared.floats == ramp([16]).floats)
    }

    @Test func gradAndVMapOfDonatingJitIgnoreDonation() {
        let donated = jit({ (x: Tensor) in (x * x).sum() }, donateArgnums: [0])
        let x = ramp([5])
        #expect(grad(donated)(x).floats == (x * 2).floats)
        #expect(vmap(donated)(ramp([3, 5])).floats == (ramp([3, 5]) * ramp([3, 5])).sum(axis: 1).floats)
        #expect(x.floats == ramp([5]).floats)
    }
}

@Suite struct ElementwiseFusionTests {
    /// Traces `function` at `x` and compiles the graph with and without fusion.
    private func plans(_ function: @escaping (Tensor) -> Tensor, _ x: Tensor) -> (fused: ExecutionPlan, unfused: ExecutionPlan) {
        plans({ [function($0)] }, x)
    }

    private func plans(_ function: @escaping (Tensor) -> [Tensor], _ x: Tensor) -> (fused: ExecutionPlan, unfused: ExecutionPlan) {
        let cache = JitCache()
        _ = jit(function, cache: cache)(x)
        let jaxpr = cache.jaxprs[0]
        return (ExecutionPlan(jaxpr), ExecutionPlan(jaxpr, fusesElementwise: false))
    }

    @Test func geluChainBecomesOneStep() {
        let gelu = { (x: Tensor) in x * 0.5 * (tanh((x + x * x * x * 0.044715) * 0.7978846) + 1) }
        let x = ramp([64, 33], phase: 0.25)
        let (fused, unfused) = plans(gelu, x)
        #expect(unfused.steps.count == 9)
        #expect(fused.steps.count == 1)
        #expect(fused.fusedStepCount == 1)
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
        #expect(fused.run([x])[0].floats == gelu(x).floats)
    }

    @Test func rowBroadcastAndSharedValues() {
        // `hidden` is read twice, so it ends one chain and starts two reads of another.
        let bias = ramp([300], phase: 0.6)
        let function = { (x: Tensor) in
            let hidden = relu(x + bias) * 1.5
            return exp(-hidden) + hidden / (hidden + 2)
        }
        let x = ramp([3, 300], phase: -0.4)
        let (fused, unfused) = plans(function, x)
        #expect(fused.steps.count == 1, "a value read twice stays in the group")
        #expect(fused.fusedStepCount == 1)
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
    }

    @Test func columnOperandJoinsThePass() {
        // One value per row, crossing block ends: 300 rows of 7 do not divide 1024.
        let column = ramp([300, 1], phase: 0.2)
        let function = { (x: Tensor) in exp(x * column) + 1 }
        let x = ramp([300, 7])
        let (fused, unfused) = plans(function, x)
        #expect(fused.steps.count == 1, "the multiply by a column joins the pass")
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
        #expect(fused.run([x])[0].floats == function(x).floats)
    }

    @Test func bytesDividedByScalarShareOneLoop() {
        // Image bytes scaled to [0, 1] as the MNIST model does, over a block end and a
        // tail that does not fill eight lanes.
        let bytes = Tensor((0..<(3 * 1001)).map { UInt8(truncatingIfNeeded: $0 &* 37) }, shape: [3, 1001])
        let function = { (x: Tensor) in x.reshaped([3, 7, 143]) / 255.0 }
        let (fused, unfused) = plans(function, bytes)
        let step = fused.steps.compactMap { $0.primitive as? FusedElementwise }.first
        #expect(step.map { $0.parameterDescription == "operations=1" } == true)
        #expect(fused.run([bytes])[0].floats == unfused.run([bytes])[0].floats)
        #expect(fused.run([bytes])[0].floats == bytes.floats.map { $0 / 255 })
    }

    @Test func broadcastColumnIsReadInPlace() {
        let column = ramp([4, 1], phase: 0.7)
        let function = { (x: Tensor) in x * column.broadcast(to: [4, 6]) - column }
        let x = ramp([4, 6])
        let (fused, unfused) = plans(function, x)
        #expect(fused.steps.count == 1, "the broadcast is read as its column")
        #expect(!fused.steps.contains { $0.primitive is BroadcastTo })
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
    }

    @Test func selectOnComparisonJoinsThePass() {
        // The pattern of a cross-entropy with zero labels left out: the condition
        // compares an input with a scalar, and the pass recomputes it. (A condition on
        // constants alone would be folded before planning.)
        let function = { (x: Tensor) in select(x .== 0, Tensor(Float(0)), x * log(abs(x) + 1)) * 2 }
        let x = round(ramp([8, 10], phase: 0.1) * 2) / 2
        let (fused, unfused) = plans(function, x)
        #expect(unfused.steps.contains { $0.primitive is Select })
        #expect(fused.steps.count == 1)
        #expect(!fused.steps.contains { $0.outputTypes.contains { $0.dtype == .bool } }, "no bool mask is stored")
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
    }

    @Test func selectOnColumnConditionJoinsThePass() {
        let function = { (x: Tensor) in
            let column = x.max(axis: 1, keepDims: true)
            return select(column .> 0, x * 2, x - 1) + 3
        }
        let x = ramp([5, 9], phase: -0.1)
        let (fused, unfused) = plans(function, x)
        #expect(!fused.steps.contains { $0.primitive is Select })
        #expect(!fused.steps.contains { $0.outputTypes.contains { $0.dtype == .bool } }, "no bool mask is stored")
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
        #expect(fused.run([x])[0].floats == function(x).floats)
    }

    @Test func comparisonOfAPassValueJoinsThatPass() {
        // logSoftmax's guard `isFinite(peak) ? peak : 0` on a value its pass computes: the
        // comparison reads the pass's value, yet the pass takes the select as well.
        let function = { (x: Tensor) in
            let peak = x.max(axis: 1, keepDims: true)
            let magnitude = abs(peak)
            return select(magnitude .< Float.infinity, peak, Tensor(Float(0))) * 2 + magnitude
        }
        let x = ramp([5, 9], phase: -0.1)
        let (fused, unfused) = plans(function, x)
        #expect(!fused.steps.contains { $0.outputTypes.contains { $0.dtype == .bool } })
        #expect(fused.steps.filter { $0.primitive is FusedElementwise }.count == 1)
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
    }

    @Test func comparisonThatStaysIsGroupedAgain() {
        // The select cannot join a pass (its other operands are an input and a constant),
        // so the comparison stays. Left open, the pass of `scaled` would take `doubled`
        // and run after the comparison that reads `scaled`: the steps are grouped again
        // with the comparison closing that pass.
        let constant = ramp([5, 9], phase: 0.5)
        let function = { (x: Tensor) -> [Tensor] in
            let scaled = exp(x.max(axis: 1, keepDims: true))
            let condition = scaled .> 1.5
            let doubled = scaled * 2 + 1
            return [select(condition, x, constant), doubled]
        }
        let x = ramp([5, 9], phase: -0.1)
        let (fused, unfused) = plans(function, x)
        #expect(fused.steps.contains { $0.outputTypes.contains { $0.dtype == .bool } })
        for (got, expected) in zip(fused.run([x]), unfused.run([x])) {
            #expect(got.floats == expected.floats)
        }
    }

    @Test func conditionWithAnotherReaderStays() {
        // The condition is also returned, so its comparison step stays, and the select
        // in the pass gives the same values.
        let function = { (x: Tensor) -> [Tensor] in
            let condition = x .> 0.1
            return [select(condition, exp(x), x * 3) + 1, condition]
        }
        let x = ramp([6, 11], phase: -0.2)
        let (fused, unfused) = plans(function, x)
        #expect(fused.steps.contains { $0.outputTypes.contains { $0.dtype == .bool } })
        let results = fused.run([x])
        #expect(results[0].floats == unfused.run([x])[0].floats)
        #expect(results[1].scalars(as: Bool.self) == unfused.run([x])[1].scalars(as: Bool.self))
    }

    @Test func selectsInTwoPassesShareOneCondition() {
        // A reduction between the two selects puts them in separate passes, and each
        // recomputes the comparison, which then has no reader left.
        let function = { (x: Tensor) in
            let isZero = x .== 0
            let first = select(isZero, Tensor(Float(0)), x * 3)
            let total = first.sum(axis: 1, keepDims: true)
            return select(isZero, x, first * total)
        }
        let x = round(ramp([6, 10], phase: 0.2) * 2) / 2
        let (fused, unfused) = plans(function, x)
        #expect(!fused.steps.contains { $0.outputTypes.contains { $0.dtype == .bool } })
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
        #expect(fused.run([x])[0].floats == function(x).floats)
    }

    @Test func storeOverAnInputComesAfterItsSum() {
        // A plan may give a stored value the buffer of an input that the pass reads last.
        // The sum of products reads that input too, so it must see the input's values,
        // not the stored ones: the block's stores come after its sums.
        let a = ramp([3000], phase: 0.3)
        let b = ramp([3000], phase: -0.6)
        let pass = FusedElementwise(
            instructions: [.unary(.negate, .input(0))], shape: [3000],
            results: [.store(0), .sumOfProducts(.input(0), .input(1))],
            resultTypes: [TensorType(shape: [3000], dtype: .float32), TensorType(shape: [], dtype: .float32)])
        let separate = [Tensor.zeros([3000]), Tensor.zeros([])]
        pass.evaluate([a, b.astype(.float32) + 0], into: separate)

        let shared = b.astype(.float32) + 0
        let aliased = [Tensor(shape: [3000], dtype: .float32, storage: shared.storage!), Tensor.zeros([])]
        pass.evaluate([a, shared], into: aliased)
        #expect(aliased[1].floats == separate[1].floats)
        #expect(aliased[0].floats == separate[0].floats)
    }

    @Test func unusedInstructionsAreDropped() {
        // Merging operations leaves `unused` instructions behind. The pass drops them and
        // renumbers the operands and outputs that read the others, so that its blocks
        // visit only the instructions that compute values.
        let count = 3000
        let x = ramp([count], phase: 0.3)
        let y = ramp([count], phase: -0.6)
        let (w, b, scale): (Float, Float, Float) = (1.5, 0.25, 0.001)
        let scalar = TensorType(shape: [], dtype: .float32)
        let pass = FusedElementwise(
            instructions: [
                .unused, .scaleShift(.input(0), scale: 1, shift: 2, subtracts: false), .unused,
                .combineScale(.result(1), .input(3), scale: 4, subtracts: true, doubles: true), .unused,
            ],
            shape: [count], results: [.store(1), .sum(3), .sumOfProducts(.result(3), .input(0))],
            resultTypes: [TensorType(shape: [count], dtype: .float32), scalar, scalar])
        #expect(pass.instructions.count == 2)
        guard case .combineScale(.result(0), .input(3), scale: 4, subtracts: true, doubles: true) = pass.instructions[1],
            case .store(0) = pass.results[0], case .sum(1) = pass.results[1],
            case .sumOfProducts(.result(1), .input(0)) = pass.results[2]
        else {
            Issue.record("not renumbered: \(pass.instructions) \(pass.results)")
            return
        }

        let outputs = [Tensor.zeros([count]), Tensor.zeros([]), Tensor.zeros([])]
        pass.evaluate([x, Tensor(w), Tensor(b), y, Tensor(scale)], into: outputs)
        let shifted = x.floats.map { $0 * w + b }
        let gradient = zip(shifted, y.floats).map { pair -> Float in
            let scaled = (pair.0 - pair.1) * scale
            return scaled + scaled
        }
        let products = zip(gradient, x.floats).map { $0 * $1 }
        #expect(outputs[0].floats == shifted)
        #expect(outputs[1].floatValue == gradient.withUnsafeBufferPointer { Summation.pairwise($0.baseAddress!, count) })
        #expect(outputs[2].floatValue == products.withUnsafeBufferPointer { Summation.pairwise($0.baseAddress!, count) })
    }

    @Test func rowReductionsJoinThePass() {
        // Softmax's pattern: a maximum over rows of one value, then a sum over rows of
        // another, each joining the pass that computes its input.
        let bias = ramp([10], phase: 0.3)
        let function = { (x: Tensor) in
            let logits = x + bias
            let shifted = logits - logits.max(axis: 1, keepDims: true)
            return shifted - log(exp(shifted).sum(axis: 1, keepDims: true))
        }
        let x = ramp([300, 10], phase: -0.2)
        let (fused, unfused) = plans(function, x)
        #expect(!fused.steps.contains { $0.primitive is Reduce }, "both reductions join passes")
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
        #expect(fused.run([x])[0].floats == function(x).floats)
    }

    @Test func logSoftmaxIsOnePass() {
        // The maximum, its finite shift, the sum of exponentials and its logarithm are
        // all computed in the pass of the logits, one value per row repeated along it.
        let bias = ramp([10], phase: 0.3)
        let function = { (x: Tensor) in logSoftmax(x + bias) }
        let x = ramp([300, 10], phase: -0.2)
        let (fused, unfused) = plans(function, x)
        #expect(fused.steps.count == 1, "\(fused.steps.map(\.primitive.name))")
        #expect(unfused.steps.count >= 10)
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
        #expect(fused.run([x])[0].floats == function(x).floats)
    }

    @Test(arguments: [[32, 10], [5, 300], [2, 3, 7]])
    func crossEntropyGradientKeepsBits(shape: [Int]) {
        // The MNIST loss and its gradient, with a row holding -inf and a row holding NaN.
        let count = shape.reduce(1, *)
        let classes = shape.last!
        var values = ramp([count], phase: 0.4).floats.map { $0 * 7 }
        values[1] = -Float.infinity
        values[classes + 2] = .nan
        let x = Tensor(values, shape: shape)
        let labels = Tensor((0..<count).map { $0 % classes == ($0 / classes) % classes ? Float(1) : 0 }, shape: shape)
        let loss = { (logits: Tensor) in (-(labels * logSoftmax(logits)).sum(axis: -1)).mean() }
        let function = { (x: Tensor) -> [Tensor] in
            let (value, gradient) = valueAndGrad(loss)(x)
            return [value, gradient]
        }
        let (fused, unfused) = plans(function, x)
        #expect(fused.steps.count < unfused.steps.count / 2, "\(fused.steps.count) of \(unfused.steps.count) steps")
        let eager = function(x).map { $0.floats.map(\.bitPattern) }
        #expect(fused.run([x]).map { $0.floats.map(\.bitPattern) } == eager)
        #expect(unfused.run([x]).map { $0.floats.map(\.bitPattern) } == eager)
    }

    @Test func rowValuesReadOutsideAreStoredPerRow() {
        // A column computed in the pass (the log of a row sum) and a row sum without its
        // last axis, both returned, beside the full-shape result that reads them. Rows
        // longer than a block (1500) are reduced by separate steps.
        let function = { (x: Tensor) -> [Tensor] in
            let total = log(exp(x).sum(axis: 1, keepDims: true))
            let negated = -(x * 0.5).sum(axis: 1)
            return [x - total + negated.reshaped([x.shape[0], 1]), total * 2, negated]
        }
        for shape in [[4, 6], [300, 7], [3, 1500]] {
            let x = ramp(shape, phase: 0.1)
            let (fused, unfused) = plans(function, x)
            #expect((fused.steps.count == 1) == (shape[1] <= FusedElementwise.blockSize), "shape \(shape)")
            let expected = unfused.run([x]).map(\.floats)
            #expect(fused.run([x]).map(\.floats) == expected, "shape \(shape)")
            #expect(function(x).map(\.floats) == expected, "shape \(shape)")
            #expect(fused.run([x]).map(\.shape) == [shape, [shape[0], 1], [shape[0]]])
        }
    }

    @Test(arguments: [4, 10])
    func rowValueOnSquareShape(size: Int) {
        // On a square shape, `x - t` with t of shape [n] subtracts t[j] from column j.
        // The pass computes t once per row, so the step must read t as a row instead.
        let function = { (x: Tensor) -> Tensor in
            let total = -(x * 0.5).sum(axis: 1)
            return x - total + (total * 2).reshaped([size, 1])
        }
        let x = ramp([size, size], phase: 0.3)
        let (fused, unfused) = plans(function, x)
        let expected = function(x).floats
        #expect(unfused.run([x])[0].floats == expected)
        #expect(fused.run([x])[0].floats == expected)
    }

    @Test func maxWithoutKeepDimsOnSquare() {
        // Read once per row, `y.max(axis: 1) * 1` gave [-1, 0, -1, 0] on [2, 2].
        let function = { (x: Tensor) in let y = x * 1; return y - y.max(axis: 1) * 1 }
        let x = Tensor([0, 1, 2, 3] as [Float], shape: [2, 2])
        let (fused, unfused) = plans(function, x)
        #expect(unfused.run([x])[0].floats == [-1, -2, 1, 0])
        #expect(fused.run([x])[0].floats == [-1, -2, 1, 0])
    }

    @Test func rowReductionOfBroadcastRowValue() {
        // The sum over the broadcast maximum once read scratch that its pass never wrote.
        let function = { (x: Tensor) -> Tensor in
            let y = x * 1
            let s = y.max(axis: 1, keepDims: true).broadcast(to: x.shape).sum(axis: 1, keepDims: true)
            return y - s * 1
        }
        for shape in [[2, 3], [4, 6], [300, 7]] {
            let x = ramp(shape, phase: 0.2)
            let (fused, unfused) = plans(function, x)
            let expected = function(x).floats
            #expect(unfused.run([x])[0].floats == expected, "shape \(shape)")
            #expect(fused.run([x])[0].floats == expected, "shape \(shape)")
        }
        let x = Tensor([0, 1, 2, 3, 4, 5] as [Float], shape: [2, 3])
        #expect(jit(function)(x).floats == [-6, -5, -4, -12, -11, -10])
    }

    @Test func broadcastRowValueInAnotherPass() {
        // The second pass once read the broadcast's column, which the first pass never
        // stored, and the plan stopped on a missing value.
        let function = { (x: Tensor) -> Tensor in
            let y = x * 2
            let spread = (y.max(axis: 1, keepDims: true) * 3).broadcast(to: x.shape)
            return (x * 5 + y.sum(axis: 0)) * spread
        }
        let x = Tensor([0, 1, 2, 3, 4, 5] as [Float], shape: [2, 3])
        #expect(jit(function)(x).floats == [72, 180, 288, 630, 900, 1170])
        for shape in [[7, 2], [4, 6], [1, 5]] {
            let x = ramp(shape, phase: 0.4)
            let (fused, unfused) = plans(function, x)
            #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats, "shape \(shape)")
        }
        let gradient = jit(grad { (l: Tensor) in ((l * 2).max(axis: -1, keepDims: true) * l).sum() })
        for shape in [[2, 3], [33, 10], [2, 3, 7]] {
            let x = ramp(shape, phase: -0.3)
            let eager = grad { (l: Tensor) in ((l * 2).max(axis: -1, keepDims: true) * l).sum() }(x)
            #expect(gradient(x).floats == eager.floats, "shape \(shape)")
        }
    }

    @Test(arguments: [64, 512])
    func rowReductionDoesNotOverwriteARowInput(size: Int) {
        // On a square shape a row input ([n]) and a row sum ([n]) have the same shape, and
        // the row sum is read only by a later step, so the plan could give it the row
        // input's buffer. The pass writes row sums block by block while later blocks (and
        // the other thread) still read that input, so it must not.
        let bias = ramp([size], phase: 0.4)
        let function = { (x: Tensor) -> Tensor in
            let scaled = exp(x[0] * 0.01) * 2 + bias
            return ((x * scaled) + 1).sum(axis: 1) * 2 + 1
        }
        let x = ramp([size, size], phase: -0.3)
        let (fused, unfused) = plans(function, x)
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
        #expect(fused.run([x])[0].floats == function(x).floats)
    }

    @Test func donatedRowInputIsNotOverwrittenByARowSum() {
        let x = ramp([64, 64], phase: 0.2)
        let function = { (b: Tensor, x: Tensor) in ((x * b) + 1).sum(axis: 1) }
        let expected = function(ramp([64], phase: -0.5), x)
        let step = jit(function, donateArgnums: [0])
        #expect(step(ramp([64], phase: -0.5), x).floats == expected.floats)
        #expect(step(ramp([64], phase: -0.5), x).floats == expected.floats)
    }

    @Test func rowReductionStaysOutOfAPassWithAFullSum() {
        // A pass either sums all elements or reduces rows, never both.
        let function = { (x: Tensor) -> [Tensor] in
            let y = exp(x) * 0.5
            return [y.sum(), y.max(axis: 1), y]
        }
        let x = ramp([6, 40], phase: 0.1)
        let (fused, unfused) = plans(function, x)
        #expect(fused.steps.contains { $0.primitive is Reduce })
        for (got, expected) in zip(fused.run([x]), unfused.run([x])) {
            #expect(got.floats == expected.floats)
        }
    }

    @Test func sumsJoinTheirGroupWithTheSameBits() {
        // Long enough for several blocks and parts, and not a multiple of either.
        let function = { (x: Tensor) in ((x * 3 + 1) * x).sum() + (x * x).sum() }
        let x = ramp([70_001], phase: 0.3)
        let (fused, unfused) = plans(function, x)
        #expect(fused.steps.count == 2, "one pass with two sums, then the scalar add")
        // x * 3 + 1 is one scale-and-shift loop, and both products are summed without
        // being stored.
        #expect(fused.steps.contains { $0.primitive.parameterDescription == "operations=1 sums=2" })
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
        #expect(fused.run([x])[0].floats == function(x).floats)
    }

    @Test func manySumsOfOneGroupKeepTheirBits() {
        // More sums than the C kernel takes at once, so they run in two batches.
        let function = { (x: Tensor) in
            (1...10).map { (x * Float($0) + x * x).sum() }.reduce(Tensor(Float(0)), +)
        }
        let x = ramp([3000], phase: 0.7)
        let (fused, unfused) = plans(function, x)
        #expect(fused.steps.contains { $0.primitive.parameterDescription.contains("sums=10") })
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
    }

    @Test func linearRegressionGradientIsOnePass() {
        let x = ramp([50_000], phase: 0.1)
        let y = x * 4 + 1
        let loss = { (params: [String: Tensor]) in
            let error = x * params["w"]! + params["b"]! - y
            return (error * error).mean()
        }
        let gradient = { (w: Tensor) in
            let grads = grad(loss)(["w": w, "b": Tensor(Float(0.5))])
            return grads["w"]! + grads["b"]!
        }
        let (fused, unfused) = plans(gradient, Tensor(Float(1)))
        let passes = fused.steps.filter { $0.primitive is FusedElementwise && $0.outputTypes[0].size == 1 }
        // x * w + b, then (that - y) * ct doubled: two loops, and the two sums.
        #expect(passes.contains { $0.primitive.parameterDescription == "operations=2 sums=2" })
        #expect(fused.steps.filter { $0.outputTypes.contains { $0.size == 50_000 } }.isEmpty, "no full-size value is stored")
        #expect(!passes.isEmpty)
        #expect(fused.run([Tensor(Float(1))])[0].floats == unfused.run([Tensor(Float(1))])[0].floats)
    }

    @Test func valueReadingItsGroupsSumIsNotFusedIntoIt() {
        let function = { (x: Tensor) in x * (x * 2).sum() + x }
        let x = ramp([5, 7], phase: -0.2)
        let (fused, unfused) = plans(function, x)
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
        #expect(fused.run([x])[0].floats == function(x).floats)
        #expect(fused.steps.count == 2)
    }

    @Test func rowOperandsAcrossBlockEndsInASum() {
        let bias = ramp([300], phase: 0.6)
        let function = { (x: Tensor) in relu(x + bias).sum() }
        let x = ramp([7, 300], phase: -0.4)
        let (fused, unfused) = plans(function, x)
        #expect(fused.steps.count == 1)
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
    }

    @Test func reluDerivativeMaskJoinsThePass() {
        // relu's gradient is g * convert(x > 0): the comparison and its conversion join
        // the multiply's pass instead of storing a bool mask and a float32 copy of it.
        let upstream = ramp([6, 300], phase: 0.3)
        let function = { (x: Tensor) in
            vjp({ relu($0) }, x).pullback(upstream)
        }
        let x = ramp([6, 300], phase: -0.1)
        let (fused, unfused) = plans(function, x)
        #expect(unfused.steps.contains { $0.primitive is ConvertElementType })
        #expect(!fused.steps.contains { $0.primitive is ConvertElementType }, "the conversion is fused")
        #expect(!fused.steps.contains { $0.outputTypes.contains { $0.dtype == .bool } }, "no bool mask is stored")
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
        #expect(fused.run([x])[0].floats == zip(x.floats, upstream.floats).map { $0 > 0 ? $1 : 0 })
    }

    @Test func everyComparisonGivesOneOrZeroInAPass() {
        let threshold = ramp([40], phase: 0.05)
        let comparisons: [(Tensor, Tensor) -> Tensor] = [
            { $0 .== $1 }, { $0 .!= $1 }, { $0 .< $1 }, { $0 .<= $1 }, { $0 .> $1 }, { $0 .>= $1 },
        ]
        // Rounded values, so that some elements equal the threshold.
        let x = round(ramp([5, 40], phase: 0.05) * 4) / 4
        for compare in comparisons {
            let function = { (x: Tensor) in compare(x, threshold).astype(.float32) * 3 + x }
            let (fused, unfused) = plans(function, x)
            #expect(fused.steps.count == 1)
            #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
        }
    }

    @Test func maskReadTwiceStaysABoolStep() {
        // The bool mask has a second reader, so the comparison cannot be dropped.
        let function = { (x: Tensor) in
            let mask = x .> 0
            return mask.astype(.float32) * x + select(mask, x, Tensor(Float(-1)))
        }
        let x = ramp([4, 9], phase: -0.2)
        let (fused, unfused) = plans(function, x)
        #expect(fused.steps.contains { $0.outputTypes.contains { $0.dtype == .bool } })
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
    }

    @Test func broadcastScalarIsReadInPlace() {
        let function = { (x: Tensor) in x * Tensor(Float(0.25)).broadcast(to: [4, 6]) + 1 }
        let x = ramp([4, 6])
        let (fused, unfused) = plans(function, x)
        #expect(fused.steps.count == 1, "the broadcast is read as its scalar")
        #expect(fused.run([x])[0].floats == unfused.run([x])[0].floats)
    }

    @Test func repeatedStepsAreComputedOnce() {
        let function = { (x: Tensor) in exp(x) * 2 + exp(x) }
        let x = ramp([3, 3])
        let (_, unfused) = plans(function, x)
        #expect(unfused.steps.filter { $0.primitive.name == "exp" }.count == 1)
        #expect(unfused.run([x])[0].floats == function(x).floats)
    }
}
