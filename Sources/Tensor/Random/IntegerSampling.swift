/// Samples `count` int32 values uniformly from [minval, maxval), like
/// `jax.random.randint(key, shape, minval, maxval, dtype=jnp.int32)` in JAX 0.10.2.
///
/// JAX splits `key` in two, draws one word per element from each half, and
/// reduces the pair modulo the span in uint32 arithmetic. The result is
/// slightly biased when the span is not a power of two, as in JAX.
/// When `maxval <= minval` every element is `minval`, which is also JAX's rule.
func randintScalars(
    _ key: PRNGKey,
    count: Int,
    minval: Int32,
    maxval: Int32,
    mode: ThreefryMode
) -> [Int32] {
    let keys = splitKeyScalars(key, count: 2, mode: mode)
    let higherBits = randomBitScalars(keys[0], count: count, mode: mode)
    let lowerBits = randomBitScalars(keys[1], count: count, mode: mode)

    let span: UInt32 = maxval <= minval ? 1 : UInt32(bitPattern: maxval &- minval)

    // multiplier = 2^32 mod span, computed as (2^16 mod span)^2 mod span. The
    // square wraps to 0 in uint32 when span > 2^16, as it does in JAX, and
    // then the higher word no longer affects the result.
    var multiplier = UInt32(1 << 16) % span
    multiplier = (multiplier &* multiplier) % span

    return (0..<count).map { index in
        let offset = ((higherBits[index] % span) &* multiplier &+ lowerBits[index] % span) % span
        return minval &+ Int32(bitPattern: offset)
    }
}

/// Samples int32 values uniformly from [minval, maxval), like
/// `jax.random.randint(key, shape, minval, maxval)`.
///
/// The values are slightly biased when `maxval - minval` is not a power of
/// two, as in JAX. When `maxval <= minval` every element is `minval`, which is
/// JAX's rule too. Stops unless both bounds fit in Int32, where JAX raises
/// OverflowError.
///
/// - Returns: An int32 tensor of `shape`.
public func randint(
    _ key: PRNGKey,
    shape: [Int],
    minval: Int,
    maxval: Int,
    mode: ThreefryMode? = nil
) -> Tensor {
    let int32Range = Int(Int32.min)...Int(Int32.max)
    precondition(
        int32Range.contains(minval) && int32Range.contains(maxval),
        "randint: minval \(minval) and maxval \(maxval) must both fit in Int32")
    let count = elementCount(of: shape, operation: "randint")
    let values = randintScalars(
        key, count: count, minval: Int32(minval), maxval: Int32(maxval), mode: resolvedMode(mode))
    return Tensor(values, shape: shape)
}
