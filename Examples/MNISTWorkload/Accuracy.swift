import TrainState

/// Returns the fraction of `data` that the model classifies correctly.
///
/// The examples are evaluated in chunks of `chunkSize`, so the model's float32 copy of
/// the images, and its activations, never cover more than `chunkSize` examples. At the
/// default of 1000 MNIST examples that copy is about 3 MB.
public func accuracy(_ state: TrainState<TensorTree>, _ data: ImageTensors, chunkSize: Int = 1000) -> Double {
    precondition(chunkSize > 0, "accuracy: chunk size must be positive, got \(chunkSize)")
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
