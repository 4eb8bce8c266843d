// Float32 and bool samplers, bit-identical to those of `jax.random` in JAX
// 0.10.2 on XLA:CPU. The `...Scalars` functions fill flat arrays and the public
// functions wrap them in tensors. Every sampler draws one 32-bit word per
// element with `randomBitScalars`, so elements follow the row-major order of
// the requested shape. Their float arithmetic reads subnormal inputs as zero and
// flushes subnormal results, as XLA:CPU computes (see `withSubnormalsFlushed`).

/// √2 rounded to float32, JAX's `np.array(np.sqrt(2), float32)`.
let squareRootOfTwo = Float(bitPattern: 0x3FB5_04F3)

/// Maps a random word to a float32 in [0, 1) by JAX's mantissa trick: the top
/// 23 bits become the mantissa of a float in [1, 2), and 1 is subtracted.
@inline(__always)
func unitIntervalFloat(_ bits: UInt32) -> Float {
    Float(bitPattern: (bits >> 9) | 0x3F80_0000) - 1
}

/// Samples `count` floats uniformly from [minval, maxval), like
/// `jax.random.uniform(key, shape, float32, minval, maxval)`.
///
/// Each value is `max(minval, u * (maxval - minval) + minval)` for a unit
/// value `u`. The multiply-add is fused, as XLA:CPU fuses it, and the maximum
/// is JAX's clamp against rounding below `minval`.
func uniformScalars(
    _ key: PRNGKey,
    count: Int,
    minval: Float,
    maxval: Float,
    mode: ThreefryMode
) -> [Float] {
    let bits = randomBitScalars(key, count: count, mode: mode)
    return withSubnormalsFlushed {
        let span = maxval - minval
        return bits.map { bits in
            xlaMaximum(minval, minval.addingProduct(unitIntervalFloat(bits), span))
        }
    }
}

/// Samples `count` standard normal floats, like `jax.random.normal`.
///
/// JAX draws `u` uniformly from (-1, 1), with the open lower end at the float
/// just above -1, and returns `sqrt(2) * erfinv(u)`.
func normalScalars(_ key: PRNGKey, count: Int, mode: ThreefryMode) -> [Float] {
    let uniforms = uniformScalars(key, count: count, minval: Float(-1).nextUp, maxval: 1, mode: mode)
    return withSubnormalsFlushed { uniforms.map { squareRootOfTwo * erfInv($0) } }
}

/// Samples `count` standard normal floats truncated to (lower, upper), like
/// `jax.random.truncated_normal(key, lower, upper, shape)`.
///
/// JAX draws `u` uniformly between erf(lower/√2) and erf(upper/√2), returns
/// `√2 * erfinv(u)`, and clamps the result to the floats strictly inside
/// (lower, upper). Infinite bounds are allowed.
func truncatedNormalScalars(
    _ key: PRNGKey,
    count: Int,
    lower: Float,
    upper: Float,
    mode: ThreefryMode
) -> [Float] {
    precondition(
        lower < upper,
        "truncatedNormal: lower must be less than upper, got lower \(lower) and upper \(upper)")

    // XLA's algebraic simplifier turns JAX's division by √2 into a
    // multiplication by the float32 reciprocal, which can round differently.
    let reciprocalOfSquareRootOfTwo = 1 / squareRootOfTwo
    let (lowerCDF, upperCDF) = withSubnormalsFlushed {
        (xlaErf(lower * reciprocalOfSquareRootOfTwo), xlaErf(upper * reciprocalOfSquareRootOfTwo))
    }
    let uniforms = uniformScalars(key, count: count, minval: lowerCDF, maxval: upperCDF, mode: mode)
    let smallest = lower.nextUp
    let largest = upper.nextDown
    return withSubnormalsFlushed {
        uniforms.map { uniform in
            xlaMinimum(xlaMaximum(squareRootOfTwo * erfInv(uniform), smallest), largest)
        }
    }
}

/// Samples `count` Bernoulli values with probability `p` of `true`, like
/// `jax.random.bernoulli(key, p, shape)` with its default `mode="low"`.
/// Element `i` is `uniform_i < p`.
func bernoulliScalars(_ key: PRNGKey, count: Int, p: Float, mode: ThreefryMode) -> [Bool] {
    precondition(p >= 0 && p <= 1, "bernoulli: p must be in [0, 1], got \(p)")
    return uniformScalars(key, count: count, minval: 0, maxval: 1, mode: mode).map { $0 < p }
}

/// Samples `count` standard Gumbel floats, like `jax.random.gumbel` with its
/// default `mode="low"`: `-log(-log(u))` for `u` uniform in
/// [smallest normal float32, 1).
func gumbelScalars(_ key: PRNGKey, count: Int, mode: ThreefryMode) -> [Float] {
    let uniforms = uniformScalars(
        key, count: count, minval: Float.leastNormalMagnitude, maxval: 1, mode: mode)
    return withSubnormalsFlushed { uniforms.map { -xlaLog(-xlaLog($0)) } }
}

/// Samples float32 values uniformly from [minval, maxval), like
/// `jax.random.uniform(key, shape, minval=minval, maxval=maxval)`.
///
/// Stops when `minval` or `maxval` is not finite, when `minval > maxval`, or
/// when `shape` has a negative extent.
///
/// - Returns: A float32 tensor of `shape`.
public func uniform(
    _ key: PRNGKey,
    shape: [Int] = [],
    minval: Float = 0,
    maxval: Float = 1,
    mode: ThreefryMode? = nil
) -> Tensor {
    precondition(
        minval.isFinite && maxval.isFinite && minval <= maxval,
        "uniform: minval and maxval must be finite with minval <= maxval, got minval \(minval) and maxval \(maxval)")
    let count = elementCount(of: shape, operation: "uniform")
    let values = uniformScalars(key, count: count, minval: minval, maxval: maxval, mode: resolvedMode(mode))
    return Tensor(values, shape: shape)
}

/// Samples standard normal float32 values, like `jax.random.normal(key, shape)`.
///
/// - Returns: A float32 tensor of `shape`.
public func normal(_ key: PRNGKey, shape: [Int] = [], mode: ThreefryMode? = nil) -> Tensor {
    let count = elementCount(of: shape, operation: "normal")
    return Tensor(normalScalars(key, count: count, mode: resolvedMode(mode)), shape: shape)
}

/// Samples standard normal float32 values truncated to the open interval
/// (lower, upper), like `jax.random.truncated_normal(key, lower, upper, shape)`.
///
/// Either bound may be infinite. Stops unless `lower < upper`.
///
/// - Returns: A float32 tensor of `shape`.
public func truncatedNormal(
    _ key: PRNGKey,
    lower: Float,
    upper: Float,
    shape: [Int] = [],
    mode: ThreefryMode? = nil
) -> Tensor {
    let count = elementCount(of: shape, operation: "truncatedNormal")
    let values = truncatedNormalScalars(key, count: count, lower: lower, upper: upper, mode: resolvedMode(mode))
    return Tensor(values, shape: shape)
}

/// Samples Bernoulli values that are `true` with probability `p`, like
/// `jax.random.bernoulli(key, p, shape)`. Stops unless `p` is in [0, 1].
///
/// - Returns: A bool tensor of `shape`.
public func bernoulli(
    _ key: PRNGKey,
    p: Float = 0.5,
    shape: [Int] = [],
    mode: ThreefryMode? = nil
) -> Tensor {
    let count = elementCount(of: shape, operation: "bernoulli")
    return Tensor(bernoulliScalars(key, count: count, p: p, mode: resolvedMode(mode)), shape: shape)
}

/// Samples standard Gumbel float32 values, like `jax.random.gumbel(key, shape)`
/// with its default `mode="low"`.
///
/// - Returns: A float32 tensor of `shape`.
public func gumbel(_ key: PRNGKey, shape: [Int] = [], mode: ThreefryMode? = nil) -> Tensor {
    let count = elementCount(of: shape, operation: "gumbel")
    return Tensor(gumbelScalars(key, count: count, mode: resolvedMode(mode)), shape: shape)
}
