import Testing
@testable import Optim

/// Returns a model's parameters as nested tensor trees, as the NN module creates them.
private func modelParams() -> TensorTree {
    [
        "Dense1": ["kernel": Tensor.ones([3, 2]), "bias": Tensor.zeros([2])],
        "Output": ["kernel": Tensor.ones([2, 1]), "bias": Tensor.zeros([1])],
    ]
}

@Test func adamStateFieldsByPosition() {
    let params = modelParams()
    let tx = adam(learningRate: 1e-3)
    let grads = treeMap(params) { Tensor.full($0.shape, 0.5) }
    let state = tx.update(grads, state: tx.initialize(params), params: params).state

    let adamState = state[0].as(ScaleByAdamState<TensorTree>.self)
    #expect(adamState.count.dtype == .int32)
    #expect(adamState.count.shape == [])
    #expect(adamState.count.intValue == 1)
    #expect(adamState.mu["Dense1"]["kernel"].tensor.shape == [3, 2])
    expectClose(adamState.mu["Dense1"]["kernel"].tensor.floats, [Float](repeating: 0.05, count: 6), "mu")
    expectClose(adamState.nu["Output"]["bias"].tensor.floats, [0.00025], "nu")
    #expect(state[1].as(EmptyState.self) == EmptyState())
}

@Test func adamStateFieldsByTypeAndPath() {
    let params = modelParams()
    let state = adam(learningRate: 1e-3).initialize(params)

    let found = state.find(ScaleByAdamState<TensorTree>.self)
    #expect(found?.nu["Dense1"]["bias"].tensor.shape == [2])
    #expect(state.find(TraceState<TensorTree>.self) == nil)
    #expect(state[path: "0/mu/Dense1/kernel"].shape == [3, 2])
    #expect(state[path: "0/count"].dtype == .int32)
}

@Test func stateFindSearchesNestedChains() {
    let params = modelParams()
    let state = chain(clipByGlobalNorm(1), sgd(learningRate: 0.1, momentum: 0.9)).initialize(params)

    #expect(state.isChain)
    #expect(state.parts.count == 2)
    #expect(state[1].parts.count == 2)
    #expect(state.find(TraceState<TensorTree>.self)?.trace["Output"]["kernel"].tensor.shape == [2, 1])
}

@Test func statePathsMatchOptax() {
    let params = modelParams()
    let adamPaths = treePaths(adamw(learningRate: 1e-3).initialize(params))
    let rmsPaths = treePaths(rmsprop(learningRate: 1e-3, biasCorrection: true, momentum: 0.9).initialize(params))

    #expect(adamPaths == [
        "0/count",
        "0/mu/Dense1/bias", "0/mu/Dense1/kernel", "0/mu/Output/bias", "0/mu/Output/kernel",
        "0/nu/Dense1/bias", "0/nu/Dense1/kernel", "0/nu/Output/bias", "0/nu/Output/kernel",
    ])
    #expect(rmsPaths == [
        "0/count", "0/nu/Dense1/bias", "0/nu/Dense1/kernel", "0/nu/Output/bias", "0/nu/Output/kernel",
        "2/trace/Dense1/bias", "2/trace/Dense1/kernel", "2/trace/Output/bias", "2/trace/Output/kernel",
    ])
}

@Test func stateIsATreeOfTensors() {
    let params = modelParams()
    let tx = adam(learningRate: 1e-3)
    let grads = treeMap(params) { Tensor.ones(like: $0) }
    let state = tx.update(grads, state: tx.initialize(params), params: params).state

    // Rebuilding the state from its own leaves gives a state that update accepts.
    let (leaves, definition) = treeFlatten(state)
    let rebuilt = treeUnflatten(definition, leaves)
    #expect(treeStructureDifference(rebuilt, state) == nil)
    let next = tx.update(grads, state: rebuilt, params: params).state
    #expect(next[0].as(ScaleByAdamState<TensorTree>.self).count.intValue == 2)

    // treeMap keeps the state's type: doubling the moments keeps the count's dtype.
    let doubled = treeMap(state) { $0.dtype == .float32 ? $0 * 2 : $0 }
    #expect(doubled[path: "0/count"].intValue == 1)
    expectClose(doubled[path: "0/mu/Output/bias"].floats, [0.2], "doubled mu")
}

/// Parameters as a user struct instead of a dictionary tree.
private struct Line: Tree {
    var slope: Tensor
    var intercept: Tensor

    var treeChildren: [(key: String, value: any Tree)] { [("slope", slope), ("intercept", intercept)] }

    func withTreeChildren(_ children: [any Tree]) -> Line {
        Line(slope: children[0] as! Tensor, intercept: children[1] as! Tensor)
    }
}

@Test func userStructParameters() {
    // Fit y = 3x + 1 on four points with Adam. The state keeps the struct's type.
    let xs = Tensor([0, 1, 2, 3] as [Float])
    let ys = xs * 3 + 1
    let loss = { (line: Line) in
        let residual = xs * line.slope + line.intercept - ys
        return (residual * residual).mean()
    }
    let lossGradient = grad(loss)
    let tx = adam(learningRate: 0.1)
    var line = Line(slope: Tensor(Float(0)), intercept: Tensor(Float(0)))
    var state = tx.initialize(line)

    for _ in 0..<1000 {
        let result = tx.update(lossGradient(line), state: state, params: line)
        line = applyUpdates(line, result.updates)
        state = result.state
    }

    expectClose([line.slope.floatValue, line.intercept.floatValue], [3, 1], relative: 1e-3, absolute: 1e-3, "fitted line")
    #expect(state[0].as(ScaleByAdamState<Line>.self).mu.slope.shape == [])
}

@Test func adamUpdateRunsUnderVmap() {
    // A batch of three independent Adam runs, stacked on a leading axis, gives the
    // same result as three separate runs. vmap hides tensor values, so this also
    // checks that the update never reads a value and can be traced.
    let tx = adamw(learningRate: 0.1, weightDecay: 0.01, mask: .matching { $0 == "a" })
    let scales: [Float] = [1, -2, 0.5]
    let starts = scales.map { scale in treeMap(referenceParams()) { $0 * scale } }
    let separate = starts.map { descend(tx, from: $0, steps: 2) }

    let (paramLeaves, paramDefinition) = treeFlatten(starts[0])
    let (stateLeaves, stateDefinition) = treeFlatten(tx.initialize(starts[0]))
    let step = vmapFlat({ leaves in
        let params = treeUnflatten(paramDefinition, Array(leaves[..<paramLeaves.count]))
        let state = treeUnflatten(stateDefinition, Array(leaves[paramLeaves.count...]))
        let result = tx.update(referenceGradients(params), state: OptimizerState(state.content), params: params)
        return treeLeaves(applyUpdates(params, result.updates)) + treeLeaves(result.state)
    }, inAxes: [Int?](repeating: 0, count: paramLeaves.count + stateLeaves.count))

    let batchedParams = paramLeaves.indices.map { index in stack(starts.map { treeLeaves($0)[index] }) }
    let batchedState = stateLeaves.map { leaf in stack([leaf, leaf, leaf]) }
    var leaves = batchedParams + batchedState
    for _ in 0..<2 {
        leaves = step(leaves)
    }

    for (run, result) in separate.enumerated() {
        for (index, expected) in treeLeaves(result.trajectory[1]).enumerated() {
            expectClose(leaves[index][run].floats, expected.floats, "run \(run) parameter \(index)")
        }
        let count = leaves[paramLeaves.count][run]
        #expect(count.intValue == 2)
    }
}
