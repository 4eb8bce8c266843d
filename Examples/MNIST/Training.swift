import Datasets
import TrainState

/// A labeled image set as tensors: images stay uint8 `[N, 28, 28]`, labels int32 `[N]`.
struct ImageTensors {
    let images: Tensor
    let labels: Tensor

    init(_ set: LabeledImages) {
        images = Tensor(set.images.bytes, shape: set.images.shape)
        labels = Tensor(set.labels.bytes, shape: set.labels.shape).astype(.int32)
    }

    var count: Int { images.shape[0] }
}

/// The output of one training step as a tree, so that a jitted step can return it.
struct StepOutput: Tree {
    let state: TrainState<TensorTree>
    /// The batch's mean loss, a float32 scalar.
    let loss: Tensor

    var treeChildren: [(key: String, value: any Tree)] { [("state", state), ("loss", loss)] }

    func withTreeChildren(_ children: [any Tree]) -> StepOutput {
        StepOutput(state: children[0] as! TrainState<TensorTree>, loss: children[1] as! Tensor)
    }
}

/// Runs one training step: gathers the batch at `indices`, computes the mean softmax
/// cross-entropy and its gradient, and applies the gradient. The body uses only tensor
/// operations, so `jit` can trace it.
func trainStep(_ state: TrainState<TensorTree>, _ images: Tensor, _ oneHotLabels: Tensor, _ indices: Tensor) -> StepOutput {
    let x = images[indices]
    let y = oneHotLabels[indices]
    let (loss, grads) = valueAndGrad { (params: TensorTree) in
        let logits = state.applyFn(["params": params], x)
        return softmaxCrossEntropy(logits: logits, labels: y).mean()
    }(state.params)
    return StepOutput(state: state.applyGradients(grads), loss: loss)
}

/// Returns the training step on `data` as a function of the state and the batch
/// indices, compiled with `jit` unless `compiled` is false.
///
/// The jitted step captures the images and the one-hot labels, so they are constants
/// of its graph, as in the JAX reference. It donates the state, so the next state may
/// reuse the buffers of the one passed in, and the caller must not use that one again.
func makeTrainStep(
    _ data: ImageTensors, oneHotLabels: Tensor, compiled: Bool
) -> (TrainState<TensorTree>, Tensor) -> StepOutput {
    let images = data.images
    let step = { (state: TrainState<TensorTree>, indices: Tensor) in
        trainStep(state, images, oneHotLabels, indices)
    }
    return compiled ? jit(step, name: "the MNIST training step", donateArgnums: [0]) : step
}

/// The fraction of `data` that the model classifies correctly, evaluated in chunks
/// so the float32 copy of the images never exceeds `chunkSize` examples.
func accuracy(_ state: TrainState<TensorTree>, _ data: ImageTensors, chunkSize: Int = 10_000) -> Double {
    var correct = 0
    var start = 0
    while start < data.count {
        let end = min(start + chunkSize, data.count)
        let logits = state.applyFn(["params": state.params], data.images[start..<end])
        let hits = (logits.argmax(axis: -1) .== data.labels[start..<end]).sum()
        correct += hits.intValue
        start = end
    }
    return Double(correct) / Double(data.count)
}
