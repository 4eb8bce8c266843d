// The common optimizers as chains of the transformations in this module, with the
// chains and defaults of Optax 0.2.8 (`optax/_src/alias.py`), so their states have
// Optax's layout: `state[0]` is the first transformation's state.

/// Returns stochastic gradient descent, optionally with momentum (Sutskever et al.,
/// 2013).
///
///     u = −η·g                          without momentum
///     m ← g + momentum·m,  u = −η·m      with momentum
///     u = −η·(g + momentum·m)           with momentum and nesterov (new m)
///
/// The chain is `trace(decay: momentum, nesterov:)` (or `identity()` when `momentum`
/// is nil) followed by `scaleByLearningRate(learningRate)`. A momentum of 0 keeps a
/// trace state, as in Optax, but gives the same updates as nil.
public func sgd(learningRate: LearningRate, momentum: Double? = nil, nesterov: Bool = false) -> GradientTransformation {
    let first = momentum.map { trace(decay: $0, nesterov: nesterov) } ?? identity()
    return chain(first, scaleByLearningRate(learningRate))
}

/// Returns Adam (Kingma and Ba, 2014), with Optax's placement of `eps` and bias
/// correction:
///
///     m ← b1·m + (1 − b1)·g,   v ← b2·v + (1 − b2)·g²
///     u = −η · (m / (1 − b1ᵗ)) / (√(v / (1 − b2ᵗ) + epsRoot) + eps)
///
/// The chain is `scaleByAdam(b1:b2:eps:epsRoot:)` then
/// `scaleByLearningRate(learningRate)`, so `state[0]` is a `ScaleByAdamState` with
/// the count and the moments. Defaults: b1 = 0.9, b2 = 0.999, eps = 1e-8, epsRoot = 0.
public func adam(
    learningRate: LearningRate, b1: Double = 0.9, b2: Double = 0.999, eps: Double = 1e-8, epsRoot: Double = 0
) -> GradientTransformation {
    chain(scaleByAdam(b1: b1, b2: b2, eps: eps, epsRoot: epsRoot), scaleByLearningRate(learningRate))
}

/// Returns AdamW, Adam with decoupled weight decay (Loshchilov and Hutter, 2019):
///
///     u = −η · (m̂ / (√(v̂ + epsRoot) + eps) + weightDecay·p)
///
/// with `m̂` and `v̂` as in `adam`. The decay applies to the parameters that `mask`
/// includes, or all when it is nil, while the Adam moments cover all parameters. The
/// chain is `scaleByAdam`, `addDecayedWeights(weightDecay:mask:)`,
/// `scaleByLearningRate`, so `update` needs `params`. Defaults: b1 = 0.9,
/// b2 = 0.999, eps = 1e-8, epsRoot = 0, weightDecay = 1e-4.
public func adamw(
    learningRate: LearningRate, b1: Double = 0.9, b2: Double = 0.999, eps: Double = 1e-8, epsRoot: Double = 0,
    weightDecay: Double = 1e-4, mask: ParameterMask? = nil
) -> GradientTransformation {
    chain(
        scaleByAdam(b1: b1, b2: b2, eps: eps, epsRoot: epsRoot),
        addDecayedWeights(weightDecay: weightDecay, mask: mask),
        scaleByLearningRate(learningRate))
}

/// Returns RMSProp (Tieleman and Hinton, 2012) as Optax's `rmsprop` defines it:
///
///     v ← decay·v + (1 − decay)·g²,   u = −η · g / √(v + eps)
///
/// The chain is `scaleByRMS(decay:eps:initialScale:epsInSqrt:biasCorrection:)`,
/// `scaleByLearningRate(learningRate)`, then `trace(decay: momentum, nesterov:)`
/// (or `identity()` when `momentum` is nil). Defaults: decay = 0.9, eps = 1e-8,
/// `v` starting at `initialScale` = 0, eps inside the square root, no bias
/// correction, no momentum. Optax's `centered` variant is not provided.
public func rmsprop(
    learningRate: LearningRate, decay: Double = 0.9, eps: Double = 1e-8, initialScale: Double = 0,
    epsInSqrt: Bool = true, biasCorrection: Bool = false, momentum: Double? = nil, nesterov: Bool = false
) -> GradientTransformation {
    chain(
        scaleByRMS(
            decay: decay, eps: eps, initialScale: initialScale, epsInSqrt: epsInSqrt, biasCorrection: biasCorrection),
        scaleByLearningRate(learningRate),
        momentum.map { trace(decay: $0, nesterov: nesterov) } ?? identity())
}

/// Returns Adagrad (Duchi et al., 2011):
///
///     s ← s + g²,   u = −η · g / √(s + eps)
///
/// with `s` starting at `initialAccumulatorValue` (0.1 by default) and eps 1e-7 by
/// default. The chain is `scaleByRSS(initialAccumulatorValue:eps:)` then
/// `scaleByLearningRate(learningRate)`. Because `s` only grows, the step size shrinks
/// over training.
public func adagrad(
    learningRate: LearningRate, initialAccumulatorValue: Double = 0.1, eps: Double = 1e-7
) -> GradientTransformation {
    chain(
        scaleByRSS(initialAccumulatorValue: initialAccumulatorValue, eps: eps),
        scaleByLearningRate(learningRate))
}
