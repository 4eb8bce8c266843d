/// The state of a transformation that keeps none (Optax's `EmptyState`): a tree
/// without leaves.
public struct EmptyState: Tree, Equatable, CustomStringConvertible {
    public init() {}

    public var treeChildren: [(key: String, value: any Tree)] { [] }

    public func withTreeChildren(_ children: [any Tree]) -> EmptyState { self }

    public var description: String { "EmptyState()" }
}

/// Returns a transformation that leaves the updates unchanged, with an `EmptyState`.
public func identity() -> GradientTransformation {
    GradientTransformation(
        initialize: { _ in EmptyState() },
        update: { updates, state, _ in (updates, state) })
}

/// Returns a transformation that applies `transformations` one after another: the
/// updates that one returns are the input of the next, and every part receives the
/// same `params`.
///
/// The state contains the parts' states in order, so `state[i]` is the state of
/// `transformations[i]` (Optax's `opt_state[i]`).
/// A chain of no transformations is the identity with an empty chain state.
public func chain(_ transformations: GradientTransformation...) -> GradientTransformation {
    chain(transformations)
}

/// Returns a transformation that applies the transformations of an array one after
/// another, as the variadic form does.
public func chain(_ transformations: [GradientTransformation]) -> GradientTransformation {
    GradientTransformation(
        initialize: { params in
            transformations.map { OptimizerState($0.initializeState(params)) }
        },
        update: { updates, state, params in
            let states = castState(state, to: [OptimizerState].self, in: "chain")
            precondition(
                states.count == transformations.count,
                "chain: the state contains \(states.count) states for a chain of \(transformations.count) transformations")
            var current = updates
            var nextStates = [OptimizerState]()
            nextStates.reserveCapacity(states.count)
            for (transformation, partState) in zip(transformations, states) {
                let result = transformation.updateState(current, partState.content, params)
                current = result.updates
                nextStates.append(OptimizerState(result.state))
            }
            return (current, nextStates)
        })
}
