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

/// One training step: gathers the batch, computes the mean softmax cross-entropy and
/// its gradient, and applies the gradient. Returns the next state and the loss.
func trainStep(_ state: TrainState<TensorTree>, _ data: ImageTensors, _ oneHotLabels: Tensor, _ indices: Tensor) -> (TrainState<TensorTree>, Float) {
    let x = data.images[indices]
    let y = oneHotLabels[indices]
    let (loss, grads) = valueAndGrad { (params: TensorTree) in
        let logits = state.applyFn(["params": params], x)
        return softmaxCrossEntropy(logits: logits, labels: y).mean()
    }(state.params)
    return (state.applyGradients(grads), loss.floatValue)
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
