import TrainState

/// Runs one epoch: shuffles the example indices, then runs `step` on each full batch.
///
/// The permutation uses a key split from `key`, and `key` becomes the other half of that
/// split, so consecutive calls shuffle differently. The `exampleCount % batchSize`
/// examples left after the last full batch are skipped in this epoch. Each step's loss
/// is read as a number, and `afterStep`, when given, receives the zero-based step index
/// and the sum of the losses so far.
///
/// - Returns: the mean of the steps' losses.
public func trainEpoch(
    state: inout TrainState<TensorTree>,
    key: inout PRNGKey,
    exampleCount: Int,
    batchSize: Int,
    step: (TrainState<TensorTree>, Tensor) -> StepOutput,
    afterStep: ((_ stepIndex: Int, _ lossSum: Double) -> Void)? = nil
) -> Double {
    precondition(
        batchSize > 0 && batchSize <= exampleCount,
        "trainEpoch: batch size \(batchSize) must lie in 1...\(exampleCount), the number of examples")
    let stepCount = exampleCount / batchSize
    let keys = split(key)
    key = keys[0]
    // The order is read once. A batch's indices then become a tensor of their own, which
    // costs a tenth of slicing a row out of a tensor of all batches.
    let order = permutation(keys[1], exampleCount).ints

    var lossSum = 0.0
    for stepIndex in 0..<stepCount {
        let indices = Tensor(Array(order[(stepIndex * batchSize)..<((stepIndex + 1) * batchSize)]))
        let output = step(state, indices)
        state = output.state
        lossSum += Double(output.loss.floatValue)
        afterStep?(stepIndex, lossSum)
    }
    return lossSum / Double(stepCount)
}
