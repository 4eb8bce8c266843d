/// The state of `scaleByRMS` without bias correction: the moving average of squared
/// updates, one tensor per parameter (tree paths `nu/...`, as in Optax).
public struct ScaleByRMSState<Params: Tree>: Tree {
    /// The exponential moving average of squared updates, `v`.
    public var nu: Params

    public init(nu: Params) {
        self.nu = nu
    }

    public var treeChildren: [(key: String, value: any Tree)] { [("nu", nu)] }

    public func withTreeChildren(_ children: [any Tree]) -> ScaleByRMSState {
        ScaleByRMSState(nu: children[0] as! Params)
    }
}

/// The state of `scaleByRMS` with bias correction: the step count and the moving
/// average of squared updates (tree paths `count` and `nu/...`, as in Optax).
public struct ScaleByRMSWithCountState<Params: Tree>: Tree {
    /// The number of updates so far, an int32 scalar tensor.
    public var count: Tensor

    /// The exponential moving average of squared updates, `v`.
    public var nu: Params

    public init(count: Tensor, nu: Params) {
        self.count = count
        self.nu = nu
    }

    public var treeChildren: [(key: String, value: any Tree)] { [("count", count), ("nu", nu)] }

    public func withTreeChildren(_ children: [any Tree]) -> ScaleByRMSWithCountState {
        ScaleByRMSWithCountState(count: children[0] as! Tensor, nu: children[1] as! Params)
    }
}

/// Divides updates by the root of the moving average of their squares, as RMSProp
/// does (Optax's `scale_by_rms`, 0.2.8).
///
///     v ← decay·v + (1 − decay)·g²
///     v̂ = v / (1 − decayᵗ)     with biasCorrection, t the count after this update
///     v̂ = v                    otherwise
///     u = g / √(v̂ + eps)        with epsInSqrt (computed as rsqrt(v̂ + eps)·g)
///     u = g / (√v̂ + eps)        otherwise
///
/// `v` starts at `initialScale`. The state is a `ScaleByRMSWithCountState` with
/// `biasCorrection` and a `ScaleByRMSState` otherwise. With `epsInSqrt: false` and
/// `biasCorrection: true` this equals `scaleByAdam(b1: 0, b2: decay, eps: eps)`.
///
/// - Parameters:
///   - decay: decay rate of the moving average, 0.9 by default.
///   - eps: added to the denominator, 1e-8 by default.
///   - initialScale: the initial value of every element of `v`, 0 by default.
///   - epsInSqrt: whether `eps` goes inside the square root, true by default.
///   - biasCorrection: whether `v` is divided by `1 − decayᵗ`, false by default.
public func scaleByRMS(
    decay: Double = 0.9, eps: Double = 1e-8, initialScale: Double = 0,
    epsInSqrt: Bool = true, biasCorrection: Bool = false
) -> GradientTransformation {
    let rule = RMSRule(
        decay: decay, eps: eps, initialScale: initialScale, epsInSqrt: epsInSqrt, biasCorrection: biasCorrection)
    return GradientTransformation(
        initialize: { params in rule.initialState(params) },
        update: { updates, state, _ in rule.update(updates, state) })
}

private struct RMSRule: Sendable {
    let decay: Double
    let eps: Double
    let initialScale: Double
    let epsInSqrt: Bool
    let biasCorrection: Bool

    func initialState<Params: Tree>(_ params: Params) -> any Tree {
        let nu = filledLike(params, initialScale)
        return biasCorrection ? ScaleByRMSWithCountState(count: zeroCount(), nu: nu) : ScaleByRMSState(nu: nu)
    }

    func update<Params: Tree>(_ updates: Params, _ state: any Tree) -> (updates: any Tree, state: any Tree) {
        let (count, nu): (Tensor?, Params)
        if biasCorrection {
            let typed = castState(state, to: ScaleByRMSWithCountState<Params>.self, in: "scaleByRMS")
            (count, nu) = (incrementCount(typed.count), typed.nu)
        } else {
            (count, nu) = (nil, castState(state, to: ScaleByRMSState<Params>.self, in: "scaleByRMS").nu)
        }
        requireMatchingLeaves(updates, nu, otherName: "the state's nu", in: "scaleByRMS")
        let correction = count.map { 1 - pow(Tensor(Float(decay)), $0) }

        let results = mapLeaves([updates, nu], outputCount: 2) { leaves in
            let g = leaves[0]
            let newNu = g * g * (1 - decay) + leaves[1] * decay
            let nuHat = correction.map { newNu / $0 } ?? newNu
            let scaling = epsInSqrt ? rsqrt(nuHat + eps) : 1 / (sqrt(nuHat) + eps)
            return [scaling * g, newNu]
        }

        if let count {
            return (results[0], ScaleByRMSWithCountState(count: count, nu: results[1]))
        }
        return (results[0], ScaleByRMSState(nu: results[1]))
    }
}

/// The state of `scaleByRSS`: the running sum of squared updates, one tensor per
/// parameter. Its tree key is Optax's `sum_of_squares`.
public struct ScaleByRSSState<Params: Tree>: Tree {
    /// The initial accumulator value plus the sum of all squared updates so far.
    public var sumOfSquares: Params

    public init(sumOfSquares: Params) {
        self.sumOfSquares = sumOfSquares
    }

    public var treeChildren: [(key: String, value: any Tree)] { [("sum_of_squares", sumOfSquares)] }

    public func withTreeChildren(_ children: [any Tree]) -> ScaleByRSSState {
        ScaleByRSSState(sumOfSquares: children[0] as! Params)
    }
}

/// Divides updates by the root of the sum of all squared updates so far, as Adagrad
/// does (Optax's `scale_by_rss`, 0.2.8).
///
///     s ← s + g²
///     u = g / √(s + eps)    where s > 0, computed as rsqrt(s + eps)·g
///     u = 0                 where s = 0
///
/// `s` starts at `initialAccumulatorValue`, which should not be negative.
///
/// - Parameters:
///   - initialAccumulatorValue: the initial value of every element of `s`, 0.1 by
///     default.
///   - eps: added to `s` inside the square root, 1e-7 by default.
public func scaleByRSS(initialAccumulatorValue: Double = 0.1, eps: Double = 1e-7) -> GradientTransformation {
    let rule = RSSRule(initialAccumulatorValue: initialAccumulatorValue, eps: eps)
    return GradientTransformation(
        initialize: { params in rule.initialState(params) },
        update: { updates, state, _ in rule.update(updates, state) })
}

private struct RSSRule: Sendable {
    let initialAccumulatorValue: Double
    let eps: Double

    func initialState<Params: Tree>(_ params: Params) -> any Tree {
        ScaleByRSSState(sumOfSquares: filledLike(params, initialAccumulatorValue))
    }

    func update<Params: Tree>(_ updates: Params, _ state: any Tree) -> (updates: any Tree, state: any Tree) {
        let state = castState(state, to: ScaleByRSSState<Params>.self, in: "scaleByRSS")
        requireMatchingLeaves(updates, state.sumOfSquares, otherName: "the state's sum_of_squares", in: "scaleByRSS")

        let results = mapLeaves([updates, state.sumOfSquares], outputCount: 2) { leaves in
            let g = leaves[0]
            let sum = g * g + leaves[1]
            let scaling = select(sum .> 0, rsqrt(sum + eps), 0.0)
            return [scaling * g, sum]
        }
        return (results[0], ScaleByRSSState(sumOfSquares: results[1]))
    }
}
