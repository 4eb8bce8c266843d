/// The state of `trace`: the momentum buffer, one tensor per parameter.
///
/// Its tree paths are Optax's (`trace/...`).
public struct TraceState<Params: Tree>: Tree {
    /// The decayed sum of past updates, `m`.
    public var trace: Params

    public init(trace: Params) {
        self.trace = trace
    }

    public var treeChildren: [(key: String, value: any Tree)] { [("trace", trace)] }

    public func withTreeChildren(_ children: [any Tree]) -> TraceState {
        TraceState(trace: children[0] as! Params)
    }
}

/// Accumulates a decayed sum of past updates, momentum (Optax's `trace`, 0.2.8).
///
///     m ← g + decay·m
///     u = m               (heavy ball)
///     u = g + decay·m     (with nesterov, using the new m)
///
/// The trace starts at zero with the shapes and dtypes of the parameters. Note that
/// this is not an exponential moving average: the updates are not scaled by
/// `1 − decay`. Optax's `accumulator_dtype` option is not provided.
public func trace(decay: Double, nesterov: Bool = false) -> GradientTransformation {
    let rule = TraceRule(decay: decay, nesterov: nesterov)
    return GradientTransformation(
        initialize: { params in rule.initialState(params) },
        update: { updates, state, _ in rule.update(updates, state) })
}

private struct TraceRule: Sendable {
    let decay: Double
    let nesterov: Bool

    func initialState<Params: Tree>(_ params: Params) -> any Tree {
        TraceState(trace: filledLike(params, 0))
    }

    func update<Params: Tree>(_ updates: Params, _ state: any Tree) -> (updates: any Tree, state: any Tree) {
        let state = castState(state, to: TraceState<Params>.self, in: "trace")
        requireMatchingLeaves(updates, state.trace, otherName: "the state's trace", in: "trace")

        let results = mapLeaves([updates, state.trace], outputCount: 2) { leaves in
            let g = leaves[0]
            let momentum = g + leaves[1] * decay
            return [nesterov ? g + momentum * decay : momentum, momentum]
        }
        return (results[0], TraceState(trace: results[1]))
    }
}
