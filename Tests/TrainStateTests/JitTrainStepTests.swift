import Testing
import Weft

private struct SmallMLP: Module {
    func call(_ x: Tensor) -> Tensor {
        Dense(3, name: "Output")(relu(Dense(8, name: "Hidden")(x)))
    }
}

/// A whole training step, `TrainState` in and out, compiled with `jit`.
@Suite struct JitTrainStepTests {
    @Test(arguments: [false, true])
    func jittedStepMatchesEagerStep(donatesState: Bool) {
        let model = SmallMLP()
        let x = uniform(PRNGKey(1), shape: [4, 5])
        let y = Tensor([0, 1, 2, 1] as [Int32])
        let variables = model.initialize(key: PRNGKey(0), x)
        let initial = TrainState.create(applyFn: model.apply, params: variables["params"], tx: adam(learningRate: 1e-2))

        func eagerStep(_ state: TrainState<TensorTree>, _ x: Tensor, _ y: Tensor) -> TrainState<TensorTree> {
            let gradients = grad { (params: TensorTree) in
                softmaxCrossEntropy(logits: state.applyFn(["params": params], x), integerLabels: y).mean()
            }(state.params)
            return state.applyGradients(gradients)
        }
        let cache = JitCache()
        // With the state donated, the plan writes the new parameters and moments into
        // the old state's buffers (the MNIST example's setting).
        let compiledStep = jit(eagerStep, name: "train step", cache: cache, donateArgnums: donatesState ? [0] : [])

        // A donated state must not be read again, so the compiled steps start from a
        // state of their own with the same values.
        var compiled = TrainState.create(
            applyFn: model.apply, params: treeMap(variables["params"]) { $0 * 1 }, tx: adam(learningRate: 1e-2))
        var eager = initial
        for _ in 0..<3 {
            compiled = compiledStep(compiled, x, y)
            eager = eagerStep(eager, x, y)
        }

        #expect(cache.traceCount == 1)
        #expect(compiled.step.intValue == 3)
        #expect(treePaths(compiled.params) == treePaths(eager.params))
        for (path, (actual, expected)) in zip(treePaths(eager.params), zip(treeLeaves(compiled.params), treeLeaves(eager.params))) {
            let difference = abs(actual - expected).max().floatValue
            #expect(difference == 0, "params/\(path) differs by \(difference)")
        }
        for (actual, expected) in zip(treeLeaves(compiled.optState), treeLeaves(eager.optState)) {
            #expect(abs(actual.astype(.float32) - expected.astype(.float32)).max().floatValue == 0)
        }
    }
}
