// Random permutations by repeated sorting on random keys, as
// `jax.random.permutation` computes them in JAX 0.10.2.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Number of sort rounds JAX's `_shuffle` uses for `elementCount` elements:
/// ceil(3 * ln(max(1, n)) / ln(2^32 - 1)).
///
/// Each round sorts by fresh 32-bit keys. More rounds make it less likely that
/// two elements drew equal keys in every round, which would bias the order.
/// JAX calls the exponent 3 a heuristic.
func shuffleRoundCount(elementCount: Int) -> Int {
    let exponent = 3.0
    let rounds = exponent * log(Double(max(1, elementCount))) / log(Double(UInt32.max))
    return Int(rounds.rounded(.up))
}

/// Returns a random permutation of `0..<count`, the values of
/// `jax.random.permutation(key, count)`.
///
/// It is also the index order in which `jax.random.permutation(key, x)` and
/// `jax.random.choice(key, x, replace=False)` reorder the leading axis of an
/// array `x` of length `count`.
func permutationIndices(_ key: PRNGKey, count: Int, mode: ThreefryMode) -> [Int] {
    precondition(count >= 0, "permutation: n must be non-negative, got \(count)")

    var indices = Array(0..<count)
    var roundKey = key
    for _ in 0..<shuffleRoundCount(elementCount: count) {
        let keys = splitKeyScalars(roundKey, count: 2, mode: mode)
        roundKey = keys[0]
        let sortKeys = randomBitScalars(keys[1], count: count, mode: mode)

        // XLA's sort is stable, so equal keys keep their current order.
        let order = stableOrder(of: sortKeys)
        indices = indices.withUnsafeBufferPointer { current in order.map { current[$0] } }
    }
    return indices
}

/// Returns a random permutation of `0..<n` as an int32 tensor of shape [n],
/// like `jax.random.permutation(key, n)`. Stops unless `n` is in 0...Int32.max.
///
/// JAX shuffles by sorting on fresh random 32-bit keys for
/// `shuffleRoundCount(elementCount: n)` rounds: one round up to n = 1625,
/// two up to n = 2642245, three beyond.
public func permutation(_ key: PRNGKey, _ n: Int, mode: ThreefryMode? = nil) -> Tensor {
    precondition(n <= Int(Int32.max), "permutation: n must fit in Int32, got \(n)")
    let indices = permutationIndices(key, count: n, mode: resolvedMode(mode))
    return Tensor(indices.map { Int32($0) }, shape: [n])
}

/// Returns `x` with its leading axis randomly permuted, like
/// `jax.random.permutation(key, x)` for an array `x`.
///
/// The order is the one `permutation(key, x.shape[0])` returns, so rows of a
/// matrix move together. Stops when `x` is a scalar: pass the length as an
/// `Int` to permute a range.
public func permutation(_ key: PRNGKey, _ x: Tensor, mode: ThreefryMode? = nil) -> Tensor {
    precondition(
        x.rank >= 1,
        "permutation: x must have at least one dimension, got shape \(formatShape(x.shape)); pass an Int to permute 0..<n")
    let indices = permutationIndices(key, count: x.shape[0], mode: resolvedMode(mode))
    return x.take(Tensor(indices.map { Int32($0) }, shape: [indices.count]), axis: 0)
}

/// Returns the positions of `keys` in ascending key order, equal keys in position order
/// (a stable sort). A least-significant-digit radix sort on 11-bit digits: three
/// counting passes, each stable, so the order equals a comparison sort's. The three
/// digit histograms come from one read of the keys.
func stableOrder(of keys: [UInt32]) -> [Int] {
    let digitBits = 11
    let bucketCount = 1 << digitBits
    let mask = UInt32(bucketCount - 1)
    let passCount = 3
    let count = keys.count
    var order = Array(0..<count)
    var next = [Int](repeating: 0, count: count)
    var starts = [Int](repeating: 0, count: passCount * bucketCount)

    // Invariant for the loops below: every digit is below `bucketCount`, so each index
    // into `starts` lies in its pass's row, and the running starts of a pass stay below
    // `count`, the length of `order` and `next`.
    keys.withUnsafeBufferPointer { keys in
        starts.withUnsafeMutableBufferPointer { starts in
            for key in keys {
                for pass in 0..<passCount {
                    starts[pass * bucketCount + Int((key >> UInt32(pass * digitBits)) & mask)] += 1
                }
            }
            for pass in 0..<passCount {
                // Counts become the position of each bucket's first element.
                var total = 0
                for bucket in 0..<bucketCount {
                    let bucketSize = starts[pass * bucketCount + bucket]
                    starts[pass * bucketCount + bucket] = total
                    total += bucketSize
                }
            }
            for pass in 0..<passCount {
                let shift = UInt32(pass * digitBits)
                order.withUnsafeBufferPointer { order in
                    next.withUnsafeMutableBufferPointer { next in
                        for position in order {
                            let slot = pass * bucketCount + Int((keys[position] >> shift) & mask)
                            next[starts[slot]] = position
                            starts[slot] += 1
                        }
                    }
                }
                swap(&order, &next)
            }
        }
    }
    return order
}
