import Testing
@testable import Optim

/// Returns the parameters of the reference script
/// (Tests/References/nn_optim_reference.py): a 2x2 matrix `a` and a vector `b`.
func referenceParams() -> TensorTree {
    [
        "a": Tensor([[0.5, -1.0], [2.0, 0.25]] as [[Float]]),
        "b": Tensor([0.1, -0.3, 0.7] as [Float]),
    ]
}

/// Returns the gradient that the reference script uses, `g = 2p − 1`, which is the
/// gradient of `Σ (p² − p)` over all leaves.
func referenceGradients<Params: Tree>(_ params: Params) -> Params {
    treeMap(params) { $0 * 2 - 1 }
}

/// Runs `steps` steps of gradient descent with `transformation` on `params` and
/// returns the parameters after each step and the state after the last one.
func descend<Params: Tree>(
    _ transformation: GradientTransformation, from params: Params, steps: Int,
    gradients: (Params) -> Params = referenceGradients
) -> (trajectory: [Params], state: OptimizerState) {
    var params = params
    var state = transformation.initialize(params)
    var trajectory = [Params]()
    for _ in 0..<steps {
        let result = transformation.update(gradients(params), state: state, params: params)
        params = applyUpdates(params, result.updates)
        state = result.state
        trajectory.append(params)
    }
    return (trajectory, state)
}

/// Expects `|actual − expected| ≤ absolute + relative·|expected|` for every element,
/// naming `label` and the index in the failure message.
func expectClose(
    _ actual: [Float], _ expected: [Float], relative: Float = 2.5e-7, absolute: Float = 0, _ label: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(label): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
    for (index, (value, reference)) in zip(actual, expected).enumerated() {
        let tolerance = absolute + relative * abs(reference)
        #expect(
            abs(value - reference) <= tolerance,
            "\(label)[\(index)] = \(value), expected \(reference)", sourceLocation: sourceLocation)
    }
}

/// Expects two trees with the same paths and elementwise equal leaves.
func expectIdentical(_ actual: some Tree, _ expected: some Tree, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(treePaths(actual) == treePaths(expected), "\(label): paths differ", sourceLocation: sourceLocation)
    for (path, (left, right)) in zip(treePaths(actual), zip(treeLeaves(actual), treeLeaves(expected))) {
        #expect(left.floats == right.floats, "\(label) at '\(path)': \(left.floats) vs \(right.floats)", sourceLocation: sourceLocation)
    }
}
