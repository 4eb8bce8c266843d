/// The state of `scaleByAdam`: the step count and both moment estimates.
///
/// Its tree paths are Optax's (`count`, `mu/...`, `nu/...`).
public struct ScaleByAdamState<Params: Tree>: Tree {
    /// The number of updates so far, an int32 scalar tensor.
    public var count: Tensor

    /// The first moment estimate `m`, one tensor per parameter, of its shape.
    public var mu: Params

    /// The second moment estimate `v`, one tensor per parameter, of its shape.
    public var nu: Params

    public init(count: Tensor, mu: Params, nu: Params) {
        self.count = count
        self.mu = mu
        self.nu = nu
    }

    public var treeChildren: [(key: String, value: any Tree)] {
        [("count", count), ("mu", mu), ("nu", nu)]
    }

    public func withTreeChildren(_ children: [any Tree]) -> ScaleByAdamState {
        ScaleByAdamState(count: children[0] as! Tensor, mu: children[1] as! Params, nu: children[2] as! Params)
    }
}

/// Rescales updates by the Adam rule (Kingma and Ba, 2014, Algorithm 1), without the
/// learning rate.
///
/// With `t` the count after this update and `g` the incoming update:
///
///     m ← b1·m + (1 − b1)·g
///     v ← b2·v + (1 − b2)·g²
///     m̂ = m / (1 − b1ᵗ)
///     v̂ = v / (1 − b2ᵗ)
///     u = m̂ / (√(v̂ + epsRoot) + eps)
///
/// This is Optax's `scale_by_adam` (0.2.8) with the same placement of `eps` (outside
/// the square root) and `epsRoot` (inside it, to keep gradients through the update
/// finite). The state starts with `m = v = 0` and `count = 0` (int32), and `count`
/// stops at `Int32.max`. Hyperparameters are `Double`, as Python floats are in Optax, so
/// constants such as `1 − b2` are computed in double precision and rounded once to
/// float32. Per leaf the update is one fused pass (`adamUpdate` in Tensor) that reads
/// the gradient and both moments once and writes the direction and both moments once.
///
/// Optax's `mu_dtype` and `nesterov` options are not provided: the moments have the
/// dtype of the parameters.
///
/// - Parameters:
///   - b1: decay rate of the first moment, 0.9 by default.
///   - b2: decay rate of the second moment, 0.999 by default.
///   - eps: added to the denominator outside the square root, 1e-8 by default.
///   - epsRoot: added to `v̂` inside the square root, 0 by default.
public func scaleByAdam(
    b1: Double = 0.9, b2: Double = 0.999, eps: Double = 1e-8, epsRoot: Double = 0
) -> GradientTransformation {
    let rule = AdamRule(b1: b1, b2: b2, eps: eps, epsRoot: epsRoot)
    return GradientTransformation(
        initialize: { params in rule.initialState(params) },
        update: { updates, state, _ in rule.update(updates, state) })
}

/// The hyperparameters of `scaleByAdam` and its two functions.
private struct AdamRule: Sendable {
    let b1: Double
    let b2: Double
    let eps: Double
    let epsRoot: Double

    func initialState<Params: Tree>(_ params: Params) -> any Tree {
        ScaleByAdamState(count: zeroCount(), mu: filledLike(params, 0), nu: filledLike(params, 0))
    }

    func update<Params: Tree>(_ updates: Params, _ state: any Tree) -> (updates: any Tree, state: any Tree) {
        let state = castState(state, to: ScaleByAdamState<Params>.self, in: "scaleByAdam")
        requireMatchingLeaves(updates, state.mu, otherName: "the state's mu", in: "scaleByAdam")
        requireMatchingLeaves(updates, state.nu, otherName: "the state's nu", in: "scaleByAdam")

        // Scalars shared by all leaves: the new count and both bias corrections 1 − βᵗ.
        let count = incrementCount(state.count)
        let correction1 = 1 - pow(Tensor(Float(b1)), count)
        let correction2 = 1 - pow(Tensor(Float(b2)), count)

        let results = mapLeaves([updates, state.mu, state.nu], outputCount: 3) { leaves in
            let (g, m, v) = (leaves[0], leaves[1], leaves[2])
            let fused = adamUpdate(
                gradient: g, mu: m, nu: v, correction1: correction1, correction2: correction2,
                b1: b1, b2: b2, eps: eps, epsRoot: epsRoot)
            return [fused.direction, fused.mu, fused.nu]
        }
        return (results[0], ScaleByAdamState(count: count, mu: results[1], nu: results[2]))
    }
}
