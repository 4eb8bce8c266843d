import Testing
@testable import Optim

// Programmer errors stop the process with a message. Each test runs the failing call
// in a child process and checks the message on its standard error.

/// Expects the standard error of an exit test's child process to contain `message`.
private func expectMessage(
    _ message: String, in result: ExitTest.Result?, sourceLocation: SourceLocation = #_sourceLocation
) {
    let output = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(output.contains(message), "standard error: \(output)", sourceLocation: sourceLocation)
}

@Test func stateOfOtherParameterTypeStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        let tx = adam(learningRate: 0.1)
        let state = tx.initialize(referenceParams())
        let updates: [String: Tensor] = ["a": Tensor.zeros([2, 2]), "b": Tensor.zeros([3])]
        _ = tx.update(updates, state: state)
    }
    expectMessage("scaleByAdam: expected a state of type ScaleByAdamState<Dictionary<String, Tensor>>", in: result)
}

@Test func adamwWithoutParamsStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        let tx = adamw(learningRate: 0.1)
        let g = referenceGradients(referenceParams())
        _ = tx.update(g, state: tx.initialize(g))
    }
    expectMessage("addDecayedWeights: the parameters are missing. Pass params: to update.", in: result)
}

@Test func maskPathWithoutParameterStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        let mask: [String: Tensor] = ["a": true, "b": false, "c": true]
        let tx = addDecayedWeights(weightDecay: 0.1, mask: .tree(mask))
        let params = referenceParams()
        _ = tx.update(params, state: tx.initialize(params), params: params)
    }
    expectMessage("addDecayedWeights: the mask path 'c' matches no parameter", in: result)
}

@Test func parameterWithoutMaskEntryStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        let mask: [String: Tensor] = ["a": true]
        let tx = addDecayedWeights(weightDecay: 0.1, mask: .tree(mask))
        let params = referenceParams()
        _ = tx.update(params, state: tx.initialize(params), params: params)
    }
    expectMessage("addDecayedWeights: the mask has no entry for the parameter 'b'", in: result)
}

@Test func updatesOfOtherShapeStop() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        let tx = trace(decay: 0.9)
        let state = tx.initialize(referenceParams())
        let updates: TensorTree = ["a": Tensor.zeros([2, 2]), "b": Tensor.zeros([2])]
        _ = tx.update(updates, state: state)
    }
    expectMessage("trace: the update at 'b' has shape (2,) but the state's trace has shape (3,)", in: result)
}

@Test func chainStateReadAsPartStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = adam(learningRate: 0.1).initialize(referenceParams()).as(ScaleByAdamState<TensorTree>.self)
    }
    expectMessage("It is a chain, so take a part with [index] first.", in: result)
}
