// The schedules of Optax 0.2.8 (`optax.schedules`). In the formulas, `t` is the count.

extension Schedule {
    /// Returns a schedule with the same value at every step.
    public static func constant(_ value: Double) -> Schedule {
        Schedule { _ in Tensor(Float(value)) }
    }

    /// Returns a schedule that decays by the factor `decayRate` every `transitionSteps`
    /// steps, starting at `transitionBegin`:
    ///
    ///     p = (t − transitionBegin) / transitionSteps   (rounded down when staircase)
    ///     value = initValue                 when t ≤ transitionBegin
    ///     value = initValue · decayRate^p    otherwise
    ///
    /// With `endValue`, the value is bounded by it: from below when `decayRate < 1`,
    /// from above otherwise. As in Optax, a `transitionSteps` that is not positive or
    /// a `decayRate` of 0 gives the constant `initValue`, and a negative
    /// `transitionBegin` counts as 0.
    public static func exponentialDecay(
        initValue: Double, transitionSteps: Int, decayRate: Double,
        transitionBegin: Int = 0, staircase: Bool = false, endValue: Double? = nil
    ) -> Schedule {
        if transitionSteps <= 0 || decayRate == 0 {
            return .constant(initValue)
        }
        let begin = Swift.max(transitionBegin, 0)
        return Schedule { count in
            let elapsed = count - begin
            var exponent = elapsed / Double(transitionSteps)
            if staircase {
                exponent = floor(exponent)
            }
            let decayed = pow(Tensor(Float(decayRate)), exponent) * initValue
            var value = select(elapsed .<= 0, Tensor(Float(initValue)), decayed)
            if let endValue {
                value = decayRate < 1 ? maximum(value, endValue) : minimum(value, endValue)
            }
            return value
        }
    }

    /// Returns a schedule that decays from `initValue` to `alpha · initValue` along a
    /// half cosine over `decaySteps` steps and stays constant afterwards (Loshchilov
    /// and Hutter, SGDR, 2016):
    ///
    ///     c = ½ (1 + cos(π · min(t, decaySteps) / decaySteps))
    ///     value = initValue · ((1 − alpha) · c^exponent + alpha)
    ///
    /// Stops when `decaySteps` is not positive.
    public static func cosineDecay(
        initValue: Double, decaySteps: Int, alpha: Double = 0, exponent: Double = 1
    ) -> Schedule {
        precondition(decaySteps > 0, "Schedule.cosineDecay: decaySteps must be positive, got \(decaySteps)")
        return Schedule { count in
            let step = minimum(count.astype(.float32), Double(decaySteps))
            let cosine = (cos(step * Double.pi / Double(decaySteps)) + 1) * 0.5
            let decayed = pow(cosine, exponent) * (1 - alpha) + alpha
            return decayed * initValue
        }
    }

    /// Returns a schedule that rises linearly from `initValue` to `peakValue` over
    /// `warmupSteps` steps, then decays along a half cosine to `endValue` at step
    /// `decaySteps`, which includes the warmup.
    ///
    /// It joins `linear(initValue:endValue:transitionSteps:)` and
    /// `cosineDecay(initValue: peakValue, decaySteps: decaySteps − warmupSteps,
    /// alpha: endValue / peakValue, exponent:)` at `warmupSteps`, with alpha 0 when
    /// `peakValue` is 0. Stops unless `decaySteps > warmupSteps`.
    public static func warmupCosineDecay(
        initValue: Double, peakValue: Double, warmupSteps: Int, decaySteps: Int,
        endValue: Double = 0, exponent: Double = 1
    ) -> Schedule {
        precondition(
            decaySteps > warmupSteps,
            "Schedule.warmupCosineDecay: decaySteps (\(decaySteps)) must exceed warmupSteps (\(warmupSteps)), "
                + "because decaySteps counts the warmup too")
        let alpha = peakValue == 0 ? 0 : endValue / peakValue
        let warmup = linear(initValue: initValue, endValue: peakValue, transitionSteps: warmupSteps)
        let decay = cosineDecay(
            initValue: peakValue, decaySteps: decaySteps - warmupSteps, alpha: alpha, exponent: exponent)
        return join([warmup, decay], boundaries: [warmupSteps])
    }

    /// Returns a schedule that moves from `initValue` to `endValue` along a polynomial
    /// over `transitionSteps` steps, starting at `transitionBegin`:
    ///
    ///     s = clip(t − transitionBegin, 0, transitionSteps)
    ///     value = (initValue − endValue) · (1 − s / transitionSteps)^power + endValue
    ///
    /// As in Optax, a `transitionSteps` that is not positive gives the constant
    /// `initValue`, and a negative `transitionBegin` counts as 0.
    public static func polynomial(
        initValue: Double, endValue: Double, power: Double, transitionSteps: Int, transitionBegin: Int = 0
    ) -> Schedule {
        if transitionSteps <= 0 {
            return .constant(initValue)
        }
        let begin = Swift.max(transitionBegin, 0)
        return Schedule { count in
            let clipped = minimum(maximum(count - begin, 0), transitionSteps)
            let fraction = 1 - clipped / Double(transitionSteps)
            return pow(fraction, power) * (initValue - endValue) + endValue
        }
    }

    /// Returns a schedule that moves linearly from `initValue` to `endValue` over
    /// `transitionSteps` steps, starting at `transitionBegin` (`polynomial` with power 1).
    public static func linear(
        initValue: Double, endValue: Double, transitionSteps: Int, transitionBegin: Int = 0
    ) -> Schedule {
        polynomial(
            initValue: initValue, endValue: endValue, power: 1,
            transitionSteps: transitionSteps, transitionBegin: transitionBegin)
    }

    /// Returns a schedule that multiplies `initValue` by the scale of every boundary
    /// that the count has reached: with `[10: 0.5, 50: 0.1]`, the value is `initValue` before step 10,
    /// `0.5 · initValue` from step 10 and `0.05 · initValue` from step 50.
    ///
    /// Stops when a scale is negative.
    public static func piecewiseConstant(initValue: Double, boundariesAndScales: [Int: Double] = [:]) -> Schedule {
        for (boundary, scale) in boundariesAndScales {
            precondition(
                scale >= 0,
                "Schedule.piecewiseConstant: scales must not be negative, got \(scale) at boundary \(boundary)")
        }
        let sorted = boundariesAndScales.sorted { $0.key < $1.key }
        return Schedule { count in
            var value = Tensor(Float(initValue))
            for (boundary, scale) in sorted {
                // 1 before the boundary, 0 from the boundary on.
                let before = maximum(sign(boundary - count).astype(.float32), 0)
                value = value * before + (1 - before) * scale * value
            }
            return value
        }
    }

    /// Returns a schedule that follows `schedules[0]` before `boundaries[0]`, then
    /// `schedules[1]` evaluated at `t − boundaries[0]` before `boundaries[1]`, and so on
    /// (Optax's `join_schedules`). Stops unless there is one more schedule than boundaries.
    public static func join(_ schedules: [Schedule], boundaries: [Int]) -> Schedule {
        precondition(
            schedules.count == boundaries.count + 1,
            "Schedule.join: \(schedules.count) schedules need \(schedules.count - 1) boundaries, "
                + "got \(boundaries.count)")
        return Schedule { count in
            var output = schedules[0](count)
            for (boundary, schedule) in zip(boundaries, schedules.dropFirst()) {
                output = select(count .< boundary, output, schedule(count - boundary))
            }
            return output
        }
    }
}
