import Testing
@testable import Optim

// The examples of the doc comments in Sources/Optim, compiled and run.

@Test func gradientTransformationExample() {
    let loss = { (params: TensorTree) in (params["w"].tensor * params["w"].tensor).sum() }
    var params: TensorTree = ["w": Tensor([1, -2] as [Float])]

    let tx = adam(learningRate: 1e-3)
    var optState = tx.initialize(params)
    let lossGradient = grad(loss)
    let grads = lossGradient(params)
    let (updates, nextState) = tx.update(grads, state: optState, params: params)
    params = applyUpdates(params, updates)
    optState = nextState

    expectClose(params["w"].tensor.floats, [0.999, -1.999], "parameters after one Adam step")
    #expect(optState[0].as(ScaleByAdamState<TensorTree>.self).count.intValue == 1)
}

@Test func optimizerStateExample() {
    let params: TensorTree = ["Dense1": ["kernel": Tensor.ones([2, 3]), "bias": Tensor.zeros([3])]]

    let optState = adam(learningRate: 1e-3).initialize(params)
    let adamState = optState[0].as(ScaleByAdamState<TensorTree>.self)
    let count = adamState.count
    let kernelMoment = adamState.mu["Dense1"]["kernel"]
    let biasMoment = optState.find(ScaleByAdamState<TensorTree>.self)?.nu["Dense1"]["bias"]
    let sameKernelMoment = optState[path: "0/mu/Dense1/kernel"]

    #expect(count.intValue == 0)
    #expect(kernelMoment.tensor.shape == [2, 3])
    #expect(biasMoment?.tensor.shape == [3])
    #expect(sameKernelMoment.floats == kernelMoment.tensor.floats)
}

@Test func scheduleExample() {
    let schedule = Schedule.warmupCosineDecay(initValue: 0, peakValue: 1e-3, warmupSteps: 100, decaySteps: 1000)
    let eager = schedule(50)
    let traced = schedule(Tensor(Int32(50)))
    let tx = adam(learningRate: .schedule(schedule))

    expectClose([eager], [0.0005], "value at step 50")
    #expect(traced.floatValue == eager)
    #expect(treePaths(tx.initialize(Tensor.zeros([2]))).last == "1/count")
}

@Test func parameterMaskExample() {
    let params: TensorTree = ["Dense1": ["kernel": Tensor.ones([2, 2]), "bias": Tensor.ones([2])]]
    let kernelsOnly = ParameterMask.matching { $0.hasSuffix("kernel") }
    let byTree = ParameterMask.tree(["Dense1": ["kernel": true, "bias": false]] as [String: [String: Tensor]])
    let byRank = ParameterMask.tree(treeMap(params) { Tensor($0.rank > 1) })

    for mask in [kernelsOnly, byTree, byRank] {
        #expect(mask.includes(treePaths(params), in: "test") == [false, true])
    }
}
