/// A gradient transformation: a pair of pure functions that turn gradients into
/// parameter updates, as in Optax.
///
/// `initialize(params)` creates the transformation's state, a tree of tensors such as
/// Adam's moments. `update(updates, state:, params:)` transforms a tree of updates
/// (gradients at first) and returns the transformed updates with the next state.
/// Neither function changes its inputs, and the hyperparameters are captured when
/// the transformation is created. `chain` composes transformations, and optimizers
/// such as `adam` are chains:
///
/// ```swift
/// let tx = adam(learningRate: 1e-3)
/// var optState = tx.initialize(params)
/// let lossGradient = grad(loss)
/// let grads = lossGradient(params)
/// let (updates, nextState) = tx.update(grads, state: optState, params: params)
/// params = applyUpdates(params, updates)
/// optState = nextState
/// ```
///
/// Parameters, gradients and updates are trees of one type `Params` (a `TensorTree`,
/// a dictionary of tensors, a user struct conforming to `Tree`) with float32 leaves.
/// The transformation itself is not generic, so the same value works for any
/// `Params`. States that contain tensors per parameter record the `Params` type they
/// were created for, and `update` stops with a message when it receives updates of
/// another type.
public struct GradientTransformation: Sendable {
    /// The untyped form of `initialize`: creates the state for `params`.
    public typealias InitializeFunction = @Sendable (_ params: any Tree) -> any Tree

    /// The untyped form of `update`: returns the transformed updates, of the same type
    /// as `updates`, and the next state. `params` is nil when the caller passed none.
    public typealias UpdateFunction = @Sendable (
        _ updates: any Tree, _ state: any Tree, _ params: (any Tree)?
    ) -> (updates: any Tree, state: any Tree)

    let initializeState: InitializeFunction
    let updateState: UpdateFunction

    /// Creates a transformation from its two functions, for transformations that this
    /// module does not provide.
    ///
    /// The functions receive the caller's trees as `any Tree`, which the tree functions
    /// of `Tensor` (`treeMap`, `treeLeaves`) accept directly. The state may be any
    /// tree, typically a struct with named fields. `update` receives the state that
    /// `initialize` or the previous `update` returned.
    public init(initialize: @escaping InitializeFunction, update: @escaping UpdateFunction) {
        self.initializeState = initialize
        self.updateState = update
    }

    /// Creates the state of this transformation for `params`.
    public func initialize<Params: Tree>(_ params: Params) -> OptimizerState {
        OptimizerState(initializeState(params))
    }

    /// Transforms `updates` and returns them with the next state.
    ///
    /// - Parameters:
    ///   - updates: gradients, or updates from an earlier transformation, with the
    ///     structure and leaf shapes of the parameters.
    ///   - state: the state from `initialize` or from the previous `update`.
    ///   - params: the current parameters. Transformations that read them
    ///     (`addDecayedWeights`, and so `adamw`) stop with a message when it is nil.
    public func update<Params: Tree>(
        _ updates: Params, state: OptimizerState, params: Params? = nil
    ) -> (updates: Params, state: OptimizerState) {
        let result = updateState(updates, state.content, params)
        guard let typed = result.updates as? Params else {
            preconditionFailure(
                "GradientTransformation.update: the transformation returned updates of type "
                    + "\(type(of: result.updates)) for updates of type \(Params.self). "
                    + "An update function must return updates of the type it received.")
        }
        return (typed, OptimizerState(result.state))
    }
}

/// Casts the state of a transformation to `S`, or stops with a message naming the
/// transformation, the expected type and the actual type.
func castState<S>(_ state: any Tree, to type: S.Type, in transformation: String) -> S {
    guard let typed = state as? S else {
        preconditionFailure(
            "\(transformation): expected a state of type \(S.self) but got \(Swift.type(of: state)). "
                + "Pass the state that this transformation's initialize or update returned, "
                + "for parameters of the same type as the updates.")
    }
    return typed
}

/// Stops with a message unless `updates` and `other` (described as `otherName` in
/// the message, such as "the state's mu") have the same structure and leaf shapes.
func requireMatchingLeaves(
    _ updates: some Tree, _ other: some Tree, otherName: String, in transformation: String
) {
    if let difference = treeStructureDifference(updates, other) {
        preconditionFailure("\(transformation): the updates and \(otherName) differ in structure \(difference)")
    }
    let updateLeaves = treeLeaves(updates)
    let otherLeaves = treeLeaves(other)
    for index in updateLeaves.indices where updateLeaves[index].shape != otherLeaves[index].shape {
        let path = treePaths(updates)[index]
        preconditionFailure(
            "\(transformation): the update at '\(path)' has shape \(formatShape(updateLeaves[index].shape)) "
                + "but \(otherName) has shape \(formatShape(otherLeaves[index].shape))")
    }
}

/// Returns the count plus one, staying at `Int32.max` instead of wrapping (Optax's
/// `safe_increment`). `count` is an int32 scalar tensor.
func incrementCount(_ count: Tensor) -> Tensor {
    select(count .< Int(Int32.max), count + 1, count)
}

/// Returns the initial step count of a state, an int32 scalar tensor containing zero.
func zeroCount() -> Tensor {
    Tensor(Int32(0))
}
