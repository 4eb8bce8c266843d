import TrainState

/// The output of one training step as a tree, so that a jitted step can return it.
public struct StepOutput: Tree {
    /// The state after the gradient update.
    public let state: TrainState<TensorTree>
    /// The batch's mean loss, a float32 scalar.
    public let loss: Tensor

    /// Creates an output from the next state and the batch's loss.
    public init(state: TrainState<TensorTree>, loss: Tensor) {
        self.state = state
        self.loss = loss
    }

    /// The children in tree order: `state`, then `loss`.
    public var treeChildren: [(key: String, value: any Tree)] { [("state", state), ("loss", loss)] }

    /// Rebuilds an output from children in the order of `treeChildren`.
    public func withTreeChildren(_ children: [any Tree]) -> StepOutput {
        StepOutput(state: children[0] as! TrainState<TensorTree>, loss: children[1] as! Tensor)
    }
}

/// Runs one training step: gathers the batch at `indices`, computes the mean softmax
/// cross-entropy and its gradient, and applies the gradient. The body uses only tensor
/// operations, so `jit` can trace it.
public func trainStep(_ state: TrainState<TensorTree>, _ images: Tensor, _ oneHotLabels: Tensor, _ indices: Tensor) -> StepOutput {
    trainStep(state, batchImages: images[indices], batchOneHotLabels: oneHotLabels[indices])
}

/// Runs one training step on a batch given as tensors: uint8 images `[B, 28, 28]` and
/// float32 one-hot labels `[B, 10]`. It computes the mean softmax cross-entropy and its
/// gradient, and applies the gradient.
public func trainStep(_ state: TrainState<TensorTree>, batchImages: Tensor, batchOneHotLabels: Tensor) -> StepOutput {
    let (loss, grads) = valueAndGrad { (params: TensorTree) in
        let logits = state.applyFn(["params": params], batchImages)
        return softmaxCrossEntropy(logits: logits, labels: batchOneHotLabels).mean()
    }(state.params)
    return StepOutput(state: state.applyGradients(grads), loss: loss)
}

/// Returns the training step on `data` as a function of the state and the batch
/// indices, compiled with `jit` unless `compiled` is false.
///
/// The jitted step captures the images and the one-hot labels, so they are constants
/// of its graph, as in the JAX reference. It donates the state, so the next state may
/// reuse the buffers of the one passed in, and the caller must not use that one again.
public func makeTrainStep(
    _ data: ImageTensors, oneHotLabels: Tensor, compiled: Bool
) -> (TrainState<TensorTree>, Tensor) -> StepOutput {
    let images = data.images
    let step = { (state: TrainState<TensorTree>, indices: Tensor) in
        trainStep(state, images, oneHotLabels, indices)
    }
    return compiled ? jit(step, name: "the MNIST training step", donateArgnums: [0]) : step
}
