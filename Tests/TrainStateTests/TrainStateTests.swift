import Testing
import TrainState

/// A linear model `x @ w + b` with parameters in a `TensorTree`, for the tests.
private func linearApply(_ variables: TensorTree, _ x: Tensor) -> Tensor {
    let params = variables["params"]
    return matmul(x, params["w"].tensor) + params["b"].tensor
}

private func initialParams() -> TensorTree {
    TensorTree(["w": Tensor([0.5, -1.0, 2.0, 0.25] as [Float], shape: [2, 2]), "b": Tensor([0.1, -0.2] as [Float])])
}

private func squaredLoss(_ state: TrainState<TensorTree>, _ x: Tensor, _ y: Tensor) -> (TensorTree) -> Tensor {
    { params in
        let error = state.applyFn(["params": params], x) - y
        return (error * error).mean()
    }
}

@Test func createStartsAtStepZeroWithOptimizerState() {
    let state = TrainState.create(applyFn: linearApply, params: initialParams(), tx: adam(learningRate: 0.1))

    #expect(state.step.intValue == 0)
    #expect(treePaths(state).contains("params/w"))
    #expect(treePaths(state).contains("opt_state/0/mu/w"))
    #expect(treePaths(state).first == "step")
    #expect(state.optState[path: "0/count"].intValue == 0)
}

@Test func applyGradientsMatchesManualOptimizerStep() {
    let tx = adam(learningRate: 0.1)
    let state = TrainState.create(applyFn: linearApply, params: initialParams(), tx: tx)
    let x = Tensor([1, 2, 3, 4] as [Float], shape: [2, 2])
    let y = Tensor([0, 1, 1, 0] as [Float], shape: [2, 2])
    let grads = grad(squaredLoss(state, x, y))(state.params)

    let next = state.applyGradients(grads)

    let (updates, optState) = tx.update(grads, state: tx.initialize(initialParams()), params: initialParams())
    let expected = applyUpdates(initialParams(), updates)
    #expect(next.step.intValue == 1)
    #expect(next.params["w"].tensor.floats == expected["w"].tensor.floats)
    #expect(next.params["b"].tensor.floats == expected["b"].tensor.floats)
    #expect(next.optState[path: "0/mu/w"].floats == optState[path: "0/mu/w"].floats)
}

@Test func applyGradientsLeavesOriginalUnchanged() {
    let state = TrainState.create(applyFn: linearApply, params: initialParams(), tx: sgd(learningRate: 0.5))
    let grads = treeMap(state.params) { Tensor.ones(like: $0) }

    let next = state.applyGradients(grads)

    #expect(state.step.intValue == 0)
    #expect(state.params["b"].tensor.floats == [0.1, -0.2])
    #expect(next.params["b"].tensor.floats == [-0.4, -0.7])
}

@Test func trainingLoopReducesLoss() {
    var state = TrainState.create(applyFn: linearApply, params: initialParams(), tx: adam(learningRate: 0.05))
    let x = Tensor([1, 2, 3, 4, -1, 0.5] as [Float], shape: [3, 2])
    let y = Tensor([0, 1, 1, 0, 2, -1] as [Float], shape: [3, 2])
    let initialLoss = squaredLoss(state, x, y)(state.params).floatValue

    for _ in 0..<200 {
        let grads = grad(squaredLoss(state, x, y))(state.params)
        state = state.applyGradients(grads)
    }

    let finalLoss = squaredLoss(state, x, y)(state.params).floatValue
    #expect(state.step.intValue == 200)
    #expect(finalLoss < initialLoss * 0.2)
}

@Test func treeRoundTripKeepsCodeFields() {
    let state = TrainState.create(applyFn: linearApply, params: initialParams(), tx: sgd(learningRate: 0.1))
    let doubled = treeMap(state) { $0.dtype == .float32 ? $0 * 2 : $0 }
    let x = Tensor([1, 1] as [Float], shape: [1, 2])

    #expect(doubled.params["w"].tensor.floats == [1, -2, 4, 0.5])
    #expect(doubled.applyFn(["params": doubled.params], x).floats == linearApply(["params": doubled.params], x).floats)
}

@Test func applyGradientsStopsOnStructureMismatch() async {
    await #expect(processExitsWith: .failure) {
        let state = TrainState.create(applyFn: linearApply, params: initialParams(), tx: sgd(learningRate: 0.1))
        _ = state.applyGradients(TensorTree(["w": Tensor.zeros([2, 2])]))
    }
}
