import Testing
@testable import Optim

@Test func scaleByRMSMatchesItsDefinition() {
    // v ← 0.8·v + 0.2·g² from v = 0.5, then u = g / √(v + 1e-3), written out by hand.
    let decay: Float = 0.8
    let eps: Float = 1e-3
    let params = referenceParams()
    let tx = scaleByRMS(decay: 0.8, eps: 1e-3, initialScale: 0.5)
    var state = tx.initialize(params)
    var nu = treeMap(params) { Tensor.full($0.shape, 0.5) }

    for step in 1...3 {
        let g = treeMap(params) { $0 * Float(step) - 1 }
        let result = tx.update(g, state: state)
        state = result.state
        nu = treeMap(nu, g) { v, g in v * decay + g * g * (1 - decay) }
        let expected = treeMap(g, nu) { g, v in g / sqrt(v + eps) }

        for path in ["a", "b"] {
            // Float32 arithmetic on 1 − decay here differs from the double-precision
            // constant of the implementation in the last bits.
            expectClose(
                result.updates[path].tensor.floats, expected[path].tensor.floats, relative: 2e-6,
                "step \(step) update \(path)")
            expectClose(
                state.as(ScaleByRMSState<TensorTree>.self).nu[path].tensor.floats, nu[path].tensor.floats,
                relative: 2e-6, "step \(step) nu \(path)")
        }
    }
}

@Test func scaleByRMSWithEpsOutsideMatchesItsDefinition() {
    // u = g / (√v + eps) with v = 0.1·g² after one update from 0.
    let g = referenceGradients(referenceParams())
    let tx = scaleByRMS(decay: 0.9, eps: 0.5, epsInSqrt: false)
    let result = tx.update(g, state: tx.initialize(g))
    let expected = treeMap(g) { g in g / (sqrt(g * g * Float(0.1)) + 0.5) }

    expectClose(
        treeLeaves(result.updates).flatMap(\.floats), treeLeaves(expected).flatMap(\.floats), relative: 2e-6, "updates")
}

@Test func biasCorrectedRMSEqualsAdamWithoutMomentum() {
    // Optax documents scale_by_rms(decay=b2, eps_in_sqrt=False, bias_correction=True)
    // as the same rule as scale_by_adam(b1=0, b2=b2).
    let rms = descend(
        chain(scaleByRMS(decay: 0.99, eps: 1e-6, epsInSqrt: false, biasCorrection: true), scale(-0.05)),
        from: referenceParams(), steps: 4)
    let adam = descend(
        chain(scaleByAdam(b1: 0, b2: 0.99, eps: 1e-6), scale(-0.05)), from: referenceParams(), steps: 4)

    for step in 0..<4 {
        expectClose(treeLeaves(rms.trajectory[step]).flatMap(\.floats), treeLeaves(adam.trajectory[step]).flatMap(\.floats), "step \(step + 1)")
    }
    let rmsState = rms.state[0].as(ScaleByRMSWithCountState<TensorTree>.self)
    #expect(rmsState.count.intValue == 4)
}

@Test func sgdWithZeroMomentumEqualsPlainSGD() {
    let plain = descend(sgd(learningRate: 0.1), from: referenceParams(), steps: 5)
    let zeroMomentum = descend(sgd(learningRate: 0.1, momentum: 0), from: referenceParams(), steps: 5)
    let zeroNesterov = descend(sgd(learningRate: 0.1, momentum: 0, nesterov: true), from: referenceParams(), steps: 5)

    for step in 0..<5 {
        expectIdentical(zeroMomentum.trajectory[step], plain.trajectory[step], "momentum 0, step \(step + 1)")
        expectIdentical(zeroNesterov.trajectory[step], plain.trajectory[step], "nesterov momentum 0, step \(step + 1)")
    }
    // Optax keeps the trace for a momentum of 0 and no state without momentum.
    #expect(treePaths(zeroMomentum.state) == ["0/trace/a", "0/trace/b"])
    #expect(treePaths(plain.state).isEmpty)
}

@Test func adamwWithoutDecayEqualsAdam() {
    let adamRun = descend(adam(learningRate: 0.05), from: referenceParams(), steps: 5)
    let adamwRun = descend(adamw(learningRate: 0.05, weightDecay: 0), from: referenceParams(), steps: 5)

    for step in 0..<5 {
        expectIdentical(adamwRun.trajectory[step], adamRun.trajectory[step], "step \(step + 1)")
    }
    expectIdentical(
        adamwRun.state[0].as(ScaleByAdamState<TensorTree>.self), adamRun.state[0].as(ScaleByAdamState<TensorTree>.self),
        "Adam state")
}

@Test func chainOfOneEqualsItsPart() {
    let single = descend(scaleByAdam(), from: referenceParams(), steps: 3)
    let chained = descend(chain(scaleByAdam()), from: referenceParams(), steps: 3)

    for step in 0..<3 {
        expectIdentical(chained.trajectory[step], single.trajectory[step], "step \(step + 1)")
    }
    expectIdentical(
        chained.state[0].as(ScaleByAdamState<TensorTree>.self), single.state.as(ScaleByAdamState<TensorTree>.self),
        "state")
}

@Test func nestedChainEqualsFlatChain() {
    let nested = descend(chain(clip(1), chain(trace(decay: 0.5), scale(-0.1))), from: referenceParams(), steps: 3)
    let flat = descend(chain(clip(1), trace(decay: 0.5), scale(-0.1)), from: referenceParams(), steps: 3)

    for step in 0..<3 {
        expectIdentical(nested.trajectory[step], flat.trajectory[step], "step \(step + 1)")
    }
    #expect(treePaths(nested.state) == ["1/0/trace/a", "1/0/trace/b"])
    #expect(treePaths(flat.state) == ["1/trace/a", "1/trace/b"])
}

@Test func identityAndEmptyChainKeepUpdates() {
    let g = referenceGradients(referenceParams())

    for tx in [identity(), chain()] {
        let result = tx.update(g, state: tx.initialize(g))
        expectIdentical(result.updates, g, "updates")
        #expect(treeLeaves(result.state).isEmpty)
    }
}

@Test func scaleMultipliesUpdates() {
    let g = referenceGradients(referenceParams())
    let tx = scale(-2.5)
    let result = tx.update(g, state: tx.initialize(g))

    expectIdentical(result.updates, treeMap(g) { $0 * Float(-2.5) }, "updates")
}

@Test func learningRateSignFlip() {
    let g = referenceGradients(referenceParams())
    let descent = scaleByLearningRate(0.5)
    let ascent = scaleByLearningRate(0.5, flipSign: false)

    expectIdentical(descent.update(g, state: descent.initialize(g)).updates, treeMap(g) { $0 * Float(-0.5) }, "flipped")
    expectIdentical(ascent.update(g, state: ascent.initialize(g)).updates, treeMap(g) { $0 * Float(0.5) }, "not flipped")
}

@Test func traceMatchesItsDefinition() {
    // m ← g + 0.5·m. Heavy ball returns m, and Nesterov returns g + 0.5·m with the new m.
    let g = referenceGradients(referenceParams())
    for nesterov in [false, true] {
        let tx = trace(decay: 0.5, nesterov: nesterov)
        let first = tx.update(g, state: tx.initialize(g))
        let second = tx.update(g, state: first.state)
        let momentum = treeMap(g) { $0 * Float(1.5) }
        let expected = nesterov ? treeMap(g) { $0 * Float(1.75) } : momentum

        expectIdentical(second.state.as(TraceState<TensorTree>.self).trace, momentum, "trace, nesterov \(nesterov)")
        expectClose(
            treeLeaves(second.updates).flatMap(\.floats), treeLeaves(expected).flatMap(\.floats),
            "updates, nesterov \(nesterov)")
    }
}

@Test func adagradZeroAccumulatorGivesZeroUpdate() {
    // With a zero initial accumulator a zero gradient leaves s = 0, where Optax's rule
    // returns 0 rather than 0 / √eps.
    let params: [String: Tensor] = ["w": Tensor([0, 1] as [Float])]
    let tx = scaleByRSS(initialAccumulatorValue: 0, eps: 0)
    let result = tx.update(["w": Tensor([0, 2] as [Float])], state: tx.initialize(params))

    #expect(result.updates["w"]!.floats == [0, 1])
    #expect(result.state.as(ScaleByRSSState<[String: Tensor]>.self).sumOfSquares["w"]!.floats == [0, 4])
}
