// Key splitting, folding and raw bit generation, bit-identical to the
// threefry2x32 implementation of `jax.random` in JAX 0.10.2.

/// Splits `key` into `count` new keys, like `jax.random.split(key, count)`.
///
/// In `.partitionable` mode key `i` is the threefry block of the 64-bit counter
/// `i`. In `.legacy` mode the keys are consecutive word pairs of the threefry
/// hash of the counters `0..<2*count`. Stops when `count` is negative.
///
/// - Parameters:
///   - key: The key to split. It should not be used again afterwards.
///   - count: Number of keys to return, 2 by default.
///   - mode: Threefry mode, or `nil` for `PRNGKey.defaultMode`.
/// `count` new keys from `key`, JAX's positional spelling `split(key, 3)`; see
/// `split(_:count:mode:)`.
public func split(_ key: PRNGKey, _ count: Int, mode: ThreefryMode? = nil) -> [PRNGKey] {
    split(key, count: count, mode: mode)
}

public func split(_ key: PRNGKey, count: Int = 2, mode: ThreefryMode? = nil) -> [PRNGKey] {
    splitKeyScalars(key, count: count, mode: resolvedMode(mode))
}

/// Derives a new key from `key` and an integer, like `jax.random.fold_in(key, data)`.
/// The result is the same in both threefry modes.
///
/// Stops unless `data` is in 0...2^32 - 1, the range JAX accepts.
public func foldIn(_ key: PRNGKey, _ data: Int) -> PRNGKey {
    precondition(
        data >= 0 && data <= Int(UInt32.max),
        "foldIn: data must be in 0...\(UInt32.max), got \(data)")
    return foldInKey(key, UInt32(data))
}

/// Returns uniformly distributed random bits as a uint32 tensor of `shape`,
/// like `jax.random.bits(key, shape, dtype=jnp.uint32)`.
///
/// Stops when `shape` has a negative extent.
public func randomBits(_ key: PRNGKey, shape: [Int], mode: ThreefryMode? = nil) -> Tensor {
    let count = elementCount(of: shape, operation: "randomBits")
    return Tensor(randomBitScalars(key, count: count, mode: resolvedMode(mode)), shape: shape)
}

/// Returns the number of elements of `shape`, or stops with a message naming
/// `operation` when an extent is negative.
func elementCount(of shape: [Int], operation: String) -> Int {
    precondition(
        shape.allSatisfy { $0 >= 0 },
        "\(operation): shape \(formatShape(shape)) has a negative extent")
    return shape.reduce(1, *)
}

/// Splits `key` like `split(_:count:mode:)`, with the mode already resolved.
func splitKeyScalars(_ key: PRNGKey, count: Int, mode: ThreefryMode) -> [PRNGKey] {
    precondition(count >= 0, "split: count must be non-negative, got \(count)")

    switch mode {
    case .partitionable:
        return (0..<count).map { index in
            let (word0, word1) = threefry2x32Block(
                key0: key.word0, key1: key.word1,
                counter0: counterHighWord(index), counter1: counterLowWord(index))
            return PRNGKey(word0: word0, word1: word1)
        }
    case .legacy:
        precondition(
            2 * count <= Int(UInt32.max) + 1,
            "split: count must be at most 2^31 in legacy mode, got \(count)")
        let words = threefry2x32HashOfRange(key0: key.word0, key1: key.word1, count: 2 * count)
        return (0..<count).map { index in
            PRNGKey(word0: words[2 * index], word1: words[2 * index + 1])
        }
    }
}

/// Derives a new key from `key` and a 32-bit value, like `jax.random.fold_in`.
/// The result is the same in both threefry modes.
func foldInKey(_ key: PRNGKey, _ data: UInt32) -> PRNGKey {
    // JAX hashes the seed key of `data`, which is the counter pair (0, data).
    let (word0, word1) = threefry2x32Block(
        key0: key.word0, key1: key.word1, counter0: 0, counter1: data)
    return PRNGKey(word0: word0, word1: word1)
}

/// Returns `count` uniformly distributed 32-bit words, the flattened
/// (row-major) elements of `jax.random.bits(key, shape, dtype=jnp.uint32)` for
/// any shape with `count` elements.
func randomBitScalars(_ key: PRNGKey, count: Int, mode: ThreefryMode) -> [UInt32] {
    precondition(count >= 0, "randomBits: element count must be non-negative, got \(count)")

    switch mode {
    case .partitionable:
        // Element i hashes the 64-bit counter i and XORs the two output words.
        return threefry2x32CounterBits(key0: key.word0, key1: key.word1, count: count)
    case .legacy:
        return legacyRandomBitScalars(key, count: count)
    }
}

/// Returns legacy-mode random bits: the threefry hash of the counters `0..<count`.
///
/// A uint32 counter range holds at most 2^32 - 1 values, so JAX hashes larger
/// requests in blocks of that size, one block per key of a legacy split.
private func legacyRandomBitScalars(_ key: PRNGKey, count: Int) -> [UInt32] {
    let blockSize = Int(UInt32.max)
    if count < blockSize {
        return threefry2x32HashOfRange(key0: key.word0, key1: key.word1, count: count)
    }

    // NOTE: this branch needs at least 2^32 - 1 elements (16 GiB), so no test
    // runs it. It follows `_threefry_random_bits_original` in JAX 0.10.2.
    let (blockCount, remainder) = count.quotientAndRemainder(dividingBy: blockSize)
    let blockKeys = splitKeyScalars(key, count: blockCount + 1, mode: .legacy)
    var bits: [UInt32] = []
    bits.reserveCapacity(count)
    for blockKey in blockKeys.dropLast() {
        bits += threefry2x32HashOfRange(key0: blockKey.word0, key1: blockKey.word1, count: blockSize)
    }
    let lastKey = blockKeys[blockCount]
    bits += threefry2x32HashOfRange(key0: lastKey.word0, key1: lastKey.word1, count: remainder)
    return bits
}

/// Returns the high 32 bits of a 64-bit element counter (JAX's `iota_2x32_shape`).
@inline(__always)
private func counterHighWord(_ index: Int) -> UInt32 {
    UInt32(truncatingIfNeeded: UInt64(index) >> 32)
}

/// Returns the low 32 bits of a 64-bit element counter.
@inline(__always)
private func counterLowWord(_ index: Int) -> UInt32 {
    UInt32(truncatingIfNeeded: index)
}
