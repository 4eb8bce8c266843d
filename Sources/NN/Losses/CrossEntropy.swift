/// Computes the softmax cross-entropy between `logits` and target distributions
/// `labels`, one value per example: `-Σ labels * logSoftmax(logits)` over the
/// last axis (`optax.softmax_cross_entropy`).
///
/// - Parameters:
///   - logits: Unnormalized log-probabilities, shape [..., classes].
///   - labels: Target probabilities of the same shape, usually one-hot rows.
/// - Returns: A float32 tensor of shape [...]: the logits' shape without the
///   last axis. Average it for a batch loss.
///
/// Terms whose label is exactly 0 are left out of the sum instead of being
/// computed as `0 * logSoftmax`. Masked logits of `-inf` with label 0 thus
/// give a finite loss and a zero gradient, and logits of ±1e30 stay finite.
/// NOTE: this differs on purpose from Optax 0.2.8, whose
/// `softmax_cross_entropy` returns NaN when a `-inf` logit meets a 0 label
/// (0 * -inf). The values agree with `optax.safe_softmax_cross_entropy`.
/// A row whose logits are all `-inf` still gives NaN, as in Optax.
///
/// Stops when the shapes differ or the logits are scalars.
public func softmaxCrossEntropy(logits: Tensor, labels: Tensor) -> Tensor {
    precondition(logits.rank >= 1, "softmaxCrossEntropy: logits must have a class axis, got a scalar")
    precondition(
        logits.shape == labels.shape,
        "softmaxCrossEntropy: logits \(formatShape(logits.shape)) and labels \(formatShape(labels.shape)) "
            + "must have the same shape; for class indices use softmaxCrossEntropy(logits:integerLabels:)")

    let logProbabilities = logSoftmax(logits, axis: -1)
    let targets = labels.astype(.float32)
    let terms = select(targets .== 0, Tensor.zeros([], dtype: .float32), targets * logProbabilities)
    return -terms.sum(axis: -1)
}

/// Computes the softmax cross-entropy between `logits` and class indices, one value
/// per example: `-logSoftmax(logits)[label]`
/// (`optax.softmax_cross_entropy_with_integer_labels`).
///
/// - Parameters:
///   - logits: Unnormalized log-probabilities, shape [..., classes].
///   - integerLabels: Class indices of any integer dtype, shape [...]: the
///     logits' shape without the last axis.
/// - Returns: A float32 tensor of shape [...].
///
/// Logits of `-inf` in other classes and logits of ±1e30 give finite values,
/// and a row of all `-inf` gives NaN, as in Optax 0.2.8. As in Optax, a
/// negative label counts from the end (-1 is the last class), and a label
/// outside [-classes, classes) gives NaN.
///
/// Stops when the shapes do not fit or the labels are not integers.
public func softmaxCrossEntropy(logits: Tensor, integerLabels: Tensor) -> Tensor {
    precondition(logits.rank >= 1, "softmaxCrossEntropy: logits must have a class axis, got a scalar")
    precondition(
        integerLabels.dtype.isInteger,
        "softmaxCrossEntropy: integerLabels must have an integer dtype, got \(integerLabels.dtype)")
    precondition(
        Array(logits.shape.dropLast()) == integerLabels.shape,
        "softmaxCrossEntropy: integerLabels \(formatShape(integerLabels.shape)) must have the shape of logits "
            + "\(formatShape(logits.shape)) without the class axis")

    let classCount = logits.shape[logits.rank - 1]
    let labels = integerLabels.astype(.int32)
    let logProbabilities = logSoftmax(logits, axis: -1)
    let picked = logProbabilities.takeAlongAxis(labels.expandDims(-1), axis: -1).squeeze([logits.rank - 1])

    let isValid = (labels .>= -classCount) .&& (labels .< classCount)
    return select(isValid, -picked, Tensor(Float.nan))
}
