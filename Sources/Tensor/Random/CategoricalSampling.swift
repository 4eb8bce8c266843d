// Sampling from discrete distributions given by logits or probabilities, as
// `jax.random.categorical` and `jax.random.choice` with `p` do it in JAX 0.10.2.

/// Returns the index of the first maximum of `values`, treating NaN as larger
/// than every number, like `jnp.argmax`. `values` must not be empty.
func firstMaximumIndex(_ values: some Collection<Float>) -> Int {
    var bestOffset = 0
    var bestValue = values.first!
    for (offset, value) in values.enumerated() {
        if bestValue.isNaN {
            break
        }
        if value.isNaN || value > bestValue {
            bestOffset = offset
            bestValue = value
        }
    }
    return bestOffset
}

/// Returns the indices of the `k` largest `values` in descending order, like
/// `lax.top_k(values, k)[1]`. Equal values keep their index order, and NaN
/// ranks above every number.
func topKIndices(_ values: [Float], k: Int) -> [Int] {
    let order = values.indices.sorted { a, b in
        let valueA = values[a]
        let valueB = values[b]
        if valueA.isNaN != valueB.isNaN {
            return valueA.isNaN
        }
        if valueA == valueB || (valueA.isNaN && valueB.isNaN) {
            return a < b
        }
        return valueA > valueB
    }
    return Array(order.prefix(k))
}

/// Result of `categoricalIndices`: the sampled category indices in row-major
/// order and their shape.
struct CategoricalSample {
    var indices: [Int32]
    var shape: [Int]
}

/// Samples category indices from the logits along `axis`, like
/// `jax.random.categorical(key, logits, axis, shape, replace)` with the
/// default Gumbel `mode="low"`.
///
/// With replacement, JAX draws Gumbel noise shaped as the leading sample
/// dimensions followed by the logits dimensions, adds the broadcast logits,
/// and takes the argmax along the category axis (the Gumbel-max trick).
/// Without replacement, it perturbs the logits once and takes the top k
/// categories, where k is the number of elements of the leading sample
/// dimensions.
///
/// - Parameters:
///   - logits: Unnormalized log-probabilities in row-major order.
///   - logitsShape: Shape of `logits`, with at least one dimension.
///   - axis: Category axis of `logits`; negative values count from the end.
///   - sampleShape: Output shape. Its trailing dimensions must match the batch
///     shape (the logits shape without `axis`), where a batch dimension of 1
///     broadcasts. `nil` means the batch shape itself.
///   - replace: Whether to sample with replacement.
func categoricalIndices(
    _ key: PRNGKey,
    logits: [Float],
    logitsShape: [Int],
    axis: Int,
    sampleShape: [Int]?,
    replace: Bool,
    mode: ThreefryMode
) -> CategoricalSample {
    let rank = logitsShape.count
    precondition(rank >= 1, "categorical: logits must have at least one dimension, got shape \(formatShape(logitsShape))")
    precondition(
        axis >= -rank && axis < rank,
        "categorical: axis \(axis) is out of range for logits of shape \(formatShape(logitsShape))")
    precondition(
        logits.count == logitsShape.reduce(1, *),
        "categorical: \(logits.count) logits do not fill shape \(formatShape(logitsShape))")

    let categoryAxis = axis < 0 ? axis + rank : axis
    let categoryCount = logitsShape[categoryAxis]
    var batchShape = logitsShape
    batchShape.remove(at: categoryAxis)
    let shape = sampleShape ?? batchShape
    validateBroadcast(batchShape, to: shape)
    let prefixShape = Array(shape.prefix(shape.count - batchShape.count))

    if replace {
        precondition(categoryCount > 0, "categorical: the category axis \(axis) of logits shape \(formatShape(logitsShape)) is empty")
        var noiseShape = Array(shape.suffix(batchShape.count))
        noiseShape.insert(categoryCount, at: categoryAxis)
        noiseShape = prefixShape + noiseShape
        let perturbed = addingBroadcastLogits(
            gumbelScalars(key, count: noiseShape.reduce(1, *), mode: mode),
            noiseShape: noiseShape,
            logits: logits,
            logitsShape: logitsShape)
        let indices = argmaxAlongAxis(perturbed, shape: noiseShape, axis: prefixShape.count + categoryAxis)
        return CategoricalSample(indices: indices, shape: shape)
    }

    precondition(
        Array(shape.suffix(batchShape.count)) == batchShape,
        "categorical: without replacement the shape \(formatShape(shape)) must end with the batch shape \(formatShape(batchShape))")
    let drawCount = prefixShape.reduce(1, *)
    precondition(
        drawCount <= categoryCount,
        "categorical: number of samples without replacement (\(drawCount)) exceeds the number of categories (\(categoryCount))")

    let noise = gumbelScalars(key, count: logits.count, mode: mode)
    let perturbed = zip(logits, noise).map { $0 + $1 }
    let strides = ShapeRules.strides(logitsShape)
    let categoryStride = strides[categoryAxis]
    let outerCount = logitsShape[..<categoryAxis].reduce(1, *)
    let innerCount = categoryStride
    let batchCount = outerCount * innerCount

    // Output element (draw j, batch position b) is the j-th best category of b.
    var indices = [Int32](repeating: 0, count: drawCount * batchCount)
    for outer in 0..<outerCount {
        for inner in 0..<innerCount {
            let base = outer * categoryCount * categoryStride + inner
            let row = (0..<categoryCount).map { perturbed[base + $0 * categoryStride] }
            let batchPosition = outer * innerCount + inner
            for (draw, category) in topKIndices(row, k: drawCount).enumerated() {
                indices[draw * batchCount + batchPosition] = Int32(category)
            }
        }
    }
    return CategoricalSample(indices: indices, shape: shape)
}

/// Stops with a message unless `source` broadcasts to the trailing dimensions
/// of `target` (aligned from the right, each equal or 1), the rule of JAX's
/// `_check_shape`.
private func validateBroadcast(_ source: [Int], to target: [Int]) {
    let compatible = source.count <= target.count
        && zip(source.reversed(), target.reversed()).allSatisfy { $0 == $1 || $0 == 1 }
    precondition(
        compatible,
        "categorical: batch shape \(formatShape(source)) of the logits does not broadcast to the end of shape \(formatShape(target))")
}

/// Adds `logits`, broadcast from the right to `noiseShape`, to `noise`.
private func addingBroadcastLogits(
    _ noise: [Float],
    noiseShape: [Int],
    logits: [Float],
    logitsShape: [Int]
) -> [Float] {
    let rank = noiseShape.count
    let alignedLogitsShape = [Int](repeating: 1, count: rank - logitsShape.count) + logitsShape
    let logitsStrides = ShapeRules.strides(alignedLogitsShape).enumerated().map { dimension, stride in
        alignedLogitsShape[dimension] == 1 ? 0 : stride
    }

    var result = noise
    var coordinates = [Int](repeating: 0, count: rank)
    var logitsOffset = 0
    for position in 0..<noise.count {
        result[position] = noise[position] + logits[logitsOffset]

        // Advance the row-major coordinates and the matching logits offset.
        var dimension = rank - 1
        while dimension >= 0 {
            coordinates[dimension] += 1
            logitsOffset += logitsStrides[dimension]
            if coordinates[dimension] < noiseShape[dimension] {
                break
            }
            logitsOffset -= coordinates[dimension] * logitsStrides[dimension]
            coordinates[dimension] = 0
            dimension -= 1
        }
    }
    return result
}

/// Returns `jnp.argmax(values, axis)` for a row-major array of shape `shape`.
private func argmaxAlongAxis(_ values: [Float], shape: [Int], axis: Int) -> [Int32] {
    let axisLength = shape[axis]
    let innerCount = shape[(axis + 1)...].reduce(1, *)
    let outerCount = shape[..<axis].reduce(1, *)
    var result = [Int32](repeating: 0, count: outerCount * innerCount)
    for outer in 0..<outerCount {
        for inner in 0..<innerCount {
            let base = outer * axisLength * innerCount + inner
            let column = stride(from: base, to: base + axisLength * innerCount, by: innerCount).map { values[$0] }
            result[outer * innerCount + inner] = Int32(firstMaximumIndex(column))
        }
    }
    return result
}

/// Samples category indices from unnormalized log-probabilities, like
/// `jax.random.categorical(key, logits, axis, shape, replace)` with the
/// default Gumbel `mode="low"`.
///
/// With replacement each draw is the argmax of `logits + gumbel noise` along
/// `axis` (the Gumbel-max trick). Without replacement the logits are perturbed
/// once and the top k categories are taken, where k is the number of elements
/// of the leading dimensions of `shape`.
///
/// - Parameters:
///   - logits: Float32 logits with at least one dimension. They must be
///     concrete, because the sampling reads their values.
///   - axis: Category axis of `logits`; negative values count from the end.
///   - shape: Output shape. Its trailing dimensions must match the batch shape
///     (`logits.shape` without `axis`), where a batch dimension of 1
///     broadcasts, and its leading dimensions hold independent draws. `nil`
///     means the batch shape. Without replacement the trailing dimensions
///     must equal the batch shape exactly.
///   - replace: Whether to sample with replacement. Without replacement the
///     leading dimensions of `shape` may hold at most as many elements as
///     there are categories.
///   - mode: Threefry mode, or `nil` for `PRNGKey.defaultMode`.
/// - Returns: An int32 tensor of category indices with shape `shape`.
public func categorical(
    _ key: PRNGKey,
    logits: Tensor,
    axis: Int = -1,
    shape: [Int]? = nil,
    replace: Bool = true,
    mode: ThreefryMode? = nil
) -> Tensor {
    precondition(
        logits.dtype == .float32,
        "categorical: logits must have dtype float32, got \(logits.type); convert them with astype(.float32)")
    if let shape {
        _ = elementCount(of: shape, operation: "categorical")
    }
    // The Gumbel scores are float arithmetic, flushed as in `uniform`.
    let sample = withSubnormalsFlushed {
        categoricalIndices(
            key,
            logits: logits.scalars(as: Float.self),
            logitsShape: logits.shape,
            axis: axis,
            sampleShape: shape,
            replace: replace,
            mode: resolvedMode(mode))
    }
    return Tensor(sample.indices, shape: sample.shape)
}
