/// Computes the mean squared error of each example: `mean((predictions - targets)²)`
/// over every axis but the first.
///
/// - Parameters:
///   - predictions: Shape [batch, ...].
///   - targets: The same shape as `predictions`.
/// - Returns: A float32 tensor of shape [batch]. A [batch] input gives the
///   squared error of each example, and a scalar input gives a scalar.
///
/// Optax 0.2.8 has no mean squared error, only the elementwise
/// `optax.squared_error`; this is its mean over each example's elements.
/// Stops when the shapes differ.
public func meanSquaredError(predictions: Tensor, targets: Tensor) -> Tensor {
    precondition(
        predictions.shape == targets.shape,
        "meanSquaredError: predictions \(formatShape(predictions.shape)) and targets "
            + "\(formatShape(targets.shape)) must have the same shape")

    let difference = predictions.astype(.float32) - targets.astype(.float32)
    let squared = difference * difference
    if squared.rank <= 1 {
        return squared
    }
    return squared.mean(axes: Array(1..<squared.rank))
}
