@_exported import NN
@_exported import Optim
@_exported import Tensor

/// An immutable training state: the step count, the model's apply function, the
/// parameters, the optimizer and its state (Flax's `TrainState`).
///
/// `applyGradients` returns the next state and leaves this one unchanged. The state is
/// a tree whose leaves are `step`, `params` and `optState` (paths `step`,
/// `params/...`, `opt_state/...`). The apply function and the optimizer are code, not
/// leaves, so a transformation can trace a whole training step through it.
///
/// ```swift
/// let variables = model.initialize(key: initKey, xTrain[0..<1])
/// var state = TrainState.create(applyFn: model.apply, params: variables["params"], tx: adam(learningRate: 1e-3))
/// let grads = grad { (params: TensorTree) in loss(state.applyFn(["params": params], x), y) }(state.params)
/// state = state.applyGradients(grads)
/// ```
public struct TrainState<Params: Tree>: Tree {
    /// The model's forward pass: variables (with a `params` collection) and a batch of
    /// inputs to outputs, usually a module's `apply`.
    public typealias ApplyFunction = (_ variables: TensorTree, _ input: Tensor) -> Tensor

    /// The number of gradient steps applied so far, an int32 scalar tensor.
    public let step: Tensor

    /// The model's forward pass.
    public let applyFn: ApplyFunction

    /// The model parameters.
    public let params: Params

    /// The optimizer.
    public let tx: GradientTransformation

    /// The optimizer's state for `params`.
    public let optState: OptimizerState

    /// A state with every field given; `create` is the usual way to make one.
    public init(step: Tensor, applyFn: @escaping ApplyFunction, params: Params, tx: GradientTransformation, optState: OptimizerState) {
        precondition(
            step.shape.isEmpty && step.dtype == .int32,
            "TrainState: step must be an int32 scalar, got \(step.dtype) of shape \(formatShape(step.shape))")
        self.step = step
        self.applyFn = applyFn
        self.params = params
        self.tx = tx
        self.optState = optState
    }

    /// A state at step 0 with the optimizer state initialized for `params`.
    public static func create(applyFn: @escaping ApplyFunction, params: Params, tx: GradientTransformation) -> TrainState {
        TrainState(step: Tensor(Int32(0)), applyFn: applyFn, params: params, tx: tx, optState: tx.initialize(params))
    }

    /// The state after one optimizer step with `grads` (same structure as `params`):
    /// the optimizer transforms the gradients into updates, the updates are added to
    /// the parameters, and `step` grows by one.
    ///
    /// Stops with a message naming the first differing path when `grads` does not
    /// match the structure of `params`.
    public func applyGradients(_ grads: Params) -> TrainState {
        if let difference = treeStructureDifference(params, grads) {
            preconditionFailure("TrainState.applyGradients: the gradients differ from the parameters in structure \(difference)")
        }
        let (updates, nextOptState) = tx.update(grads, state: optState, params: params)
        return replacing(step: step + 1, params: applyUpdates(params, updates), optState: nextOptState)
    }

    /// A copy with the given fields replaced (Flax's `replace`).
    public func replacing(step: Tensor? = nil, params: Params? = nil, optState: OptimizerState? = nil) -> TrainState {
        TrainState(
            step: step ?? self.step, applyFn: applyFn, params: params ?? self.params, tx: tx,
            optState: optState ?? self.optState)
    }

    public var treeChildren: [(key: String, value: any Tree)] {
        [("step", step), ("params", params), ("opt_state", optState)]
    }

    public func withTreeChildren(_ children: [any Tree]) -> TrainState {
        TrainState(
            step: children[0] as! Tensor, applyFn: applyFn, params: children[1] as! Params, tx: tx,
            optState: children[2] as! OptimizerState)
    }
}
