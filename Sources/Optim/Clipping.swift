/// Returns the L2 norm of all leaves of `tree` taken together, `√(Σ x²)` over every
/// element of every leaf, as a float32 scalar tensor (Optax's `global_norm`).
public func globalNorm(_ tree: some Tree) -> Tensor {
    let leaves = treeLeaves(tree)
    guard let first = leaves.first else {
        return Tensor(Float(0))
    }
    var sumOfSquares = (first * first).sum()
    for leaf in leaves.dropFirst() {
        sumOfSquares = sumOfSquares + (leaf * leaf).sum()
    }
    return sqrt(sumOfSquares)
}

/// Limits every element of every update to `[−maxDelta, maxDelta]`:
/// `u ← min(max(u, −maxDelta), maxDelta)`, with an `EmptyState`.
///
/// The name is Optax's, and it overloads `Tensor`'s `clip(_:min:max:)`. Give a bare
/// call its type (`let t: GradientTransformation = clip(0.5)`), which an argument of
/// `chain` already has.
public func clip(_ maxDelta: Double) -> GradientTransformation {
    precondition(maxDelta >= 0, "clip: maxDelta must not be negative, got \(maxDelta)")
    return GradientTransformation(
        initialize: { _ in EmptyState() },
        update: { updates, state, _ in
            (treeMap(updates) { minimum(maximum($0, -maxDelta), maxDelta) }, state)
        })
}

/// Scales all updates down together when their global norm exceeds `maxNorm`:
///
///     n = √(Σ u²) over all leaves
///     u ← u                 when n < maxNorm
///     u ← u · maxNorm / n   otherwise
///
/// The factor `maxNorm / max(n, maxNorm)` is computed once as a scalar, so zero
/// updates stay exactly zero (the factor is 1) and never produce NaN. The state is an
/// `EmptyState`. Stops when `maxNorm` is not positive.
///
/// Optax's `clip_by_global_norm` (0.2.8) instead computes `(u / n) · maxNorm` per
/// leaf and selects between the two branches. Above the threshold the results may
/// therefore differ from Optax's in the last bit. The derivative of the update with
/// respect to `n` at `n = maxNorm` may differ too.
public func clipByGlobalNorm(_ maxNorm: Double) -> GradientTransformation {
    precondition(maxNorm > 0, "clipByGlobalNorm: maxNorm must be positive, got \(maxNorm)")
    return GradientTransformation(
        initialize: { _ in EmptyState() },
        update: { updates, state, _ in
            let norm = globalNorm(updates)
            let factor = maxNorm / maximum(norm, maxNorm)
            return (treeMap(updates) { $0 * factor.astype($0.dtype) }, state)
        })
}
