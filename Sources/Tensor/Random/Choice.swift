// `jax.random.choice`: sampling from a population with or without
// replacement, uniformly or with given probabilities, as JAX 0.10.2 does it.

/// Samples from `0..<n`, like `jax.random.choice(key, n, shape, replace, p)`.
///
/// Without `p`, draws with replacement are `randint(key, shape, 0, n)` and
/// draws without replacement are the first elements of
/// `permutation(key, n)`. With `p`, draws with replacement invert the
/// cumulative sum of `p`, and draws without replacement take the largest
/// `gumbel + log(p)` values (the Gumbel top-k trick).
///
/// - Parameters:
///   - n: Population size. It must be positive unless `shape` has no elements.
///   - shape: Output shape, `[]` for a single draw.
///   - replace: Whether a population member may be drawn more than once.
///     Without replacement `shape` may have at most `n` elements.
///   - p: Optional float32 probabilities of shape [n]. They need not sum to 1.
///   - mode: Threefry mode, or `nil` for `PRNGKey.defaultMode`.
/// - Returns: An int32 tensor of indices with shape `shape`.
public func choice(
    _ key: PRNGKey,
    _ n: Int,
    shape: [Int] = [],
    replace: Bool = true,
    p: Tensor? = nil,
    mode: ThreefryMode? = nil
) -> Tensor {
    let indices = withSubnormalsFlushed {
        choiceIndices(key, populationCount: n, shape: shape, replace: replace, p: p, mode: resolvedMode(mode))
    }
    return Tensor(indices, shape: shape)
}

/// Samples slices of `x` along `axis`, like
/// `jax.random.choice(key, x, shape, replace, p, axis)`.
///
/// The slice indices are those of `choice(key, x.shape[axis], ...)`, and the
/// result has shape `x.shape[..<axis] + shape + x.shape[(axis + 1)...]`.
/// Stops when `x` is a scalar: pass the population size as an `Int` instead.
public func choice(
    _ key: PRNGKey,
    _ x: Tensor,
    shape: [Int] = [],
    replace: Bool = true,
    p: Tensor? = nil,
    axis: Int = 0,
    mode: ThreefryMode? = nil
) -> Tensor {
    precondition(
        x.rank >= 1,
        "choice: x must have at least one dimension, got shape \(formatShape(x.shape)); pass an Int to choose from 0..<n")
    let normalizedAxis = axis < 0 ? axis + x.rank : axis
    precondition(
        normalizedAxis >= 0 && normalizedAxis < x.rank,
        "choice: axis \(axis) is out of range for x of shape \(formatShape(x.shape))")
    let indices = withSubnormalsFlushed {
        choiceIndices(
            key, populationCount: x.shape[normalizedAxis], shape: shape, replace: replace, p: p,
            mode: resolvedMode(mode))
    }
    return x.take(Tensor(indices, shape: shape), axis: normalizedAxis)
}

/// Returns the population indices that `choice` draws, in row-major order of `shape`.
func choiceIndices(
    _ key: PRNGKey,
    populationCount: Int,
    shape: [Int],
    replace: Bool,
    p: Tensor?,
    mode: ThreefryMode
) -> [Int32] {
    let drawCount = elementCount(of: shape, operation: "choice")
    if drawCount == 0 {
        return []
    }
    precondition(
        populationCount > 0 && populationCount <= Int(Int32.max),
        "choice: the population size must be in 1...\(Int32.max) unless no samples are taken, got \(populationCount)")

    guard let p else {
        if replace {
            return randintScalars(
                key, count: drawCount, minval: 0, maxval: Int32(populationCount), mode: mode)
        }
        let indices = choiceWithoutReplacementIndices(
            key, populationCount: populationCount, drawCount: drawCount, mode: mode)
        return indices.map { Int32($0) }
    }

    precondition(
        p.dtype == .float32 && p.shape == [populationCount],
        "choice: p must be a float32 tensor of shape (\(populationCount),), got \(p.type)")
    let probabilities = p.scalars(as: Float.self)
    let indices = choiceWithProbabilitiesIndices(
        key, p: probabilities, drawCount: drawCount, replace: replace, mode: mode)
    return indices.map { Int32($0) }
}

/// Returns `drawCount` distinct indices of `0..<populationCount`, the indices
/// that `jax.random.choice(key, populationCount, (drawCount,), replace=False)`
/// returns: the first `drawCount` entries of a random permutation.
func choiceWithoutReplacementIndices(
    _ key: PRNGKey,
    populationCount: Int,
    drawCount: Int,
    mode: ThreefryMode
) -> [Int] {
    precondition(
        drawCount <= populationCount,
        "choice: cannot take \(drawCount) samples without replacement from a population of \(populationCount)")
    return Array(permutationIndices(key, count: populationCount, mode: mode).prefix(drawCount))
}

/// Samples `drawCount` indices of `0..<p.count` with probabilities
/// proportional to `p`, like `jax.random.choice(key, n, (drawCount,),
/// replace, p)`.
///
/// With replacement JAX inverts the cumulative sum: it draws
/// `r = total * (1 - u)` and returns the first index whose running sum
/// reaches `r`. Without replacement it takes the `drawCount` largest
/// `gumbel + log(p)` (the Gumbel top-k trick).
func choiceWithProbabilitiesIndices(
    _ key: PRNGKey,
    p: [Float],
    drawCount: Int,
    replace: Bool,
    mode: ThreefryMode
) -> [Int] {
    precondition(drawCount >= 0, "choice: sample count must be non-negative, got \(drawCount)")
    if drawCount == 0 {
        return []
    }
    precondition(!p.isEmpty, "choice: p must not be empty unless no samples are taken")
    precondition(
        p.allSatisfy { $0 >= 0 && $0.isFinite } && p.contains { $0 > 0 },
        "choice: p must contain finite non-negative probabilities, at least one of them positive, got \(p)")

    if replace {
        let cumulative = xlaCumulativeSum(p)
        let total = cumulative[cumulative.count - 1]
        let uniforms = uniformScalars(key, count: drawCount, minval: 0, maxval: 1, mode: mode)
        return uniforms.map { uniform in
            let target = total * (1 - uniform)
            return firstIndex(in: cumulative, reaching: target)
        }
    }

    precondition(
        drawCount <= p.count,
        "choice: cannot take \(drawCount) samples without replacement from a population of \(p.count)")
    let noise = gumbelScalars(key, count: p.count, mode: mode)
    let scores = zip(noise, p).map { $0 + xlaLog($1) }
    return topKIndices(scores, k: drawCount)
}

/// Returns the number of elements of the non-decreasing array `sorted` that
/// are less than `target`, as `jnp.searchsorted(sorted, target)` does.
private func firstIndex(in sorted: [Float], reaching target: Float) -> Int {
    var low = 0
    var high = sorted.count
    while low < high {
        let middle = (low + high) / 2
        if sorted[middle] < target {
            low = middle + 1
        } else {
            high = middle
        }
    }
    return low
}
