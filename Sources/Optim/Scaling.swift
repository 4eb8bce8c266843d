/// A learning rate: a constant, or a schedule of the step count.
///
/// A number literal is a constant, so `adam(learningRate: 1e-3)` works. Write
/// `.constant(rate)` for a variable and `.schedule(.cosineDecay(...))` for a schedule.
public enum LearningRate: Sendable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    /// A rate that stays the same at every step.
    case constant(Double)

    /// A rate computed from the step count, which starts at 0.
    case schedule(Schedule)

    public init(floatLiteral value: Double) {
        self = .constant(value)
    }

    public init(integerLiteral value: Int) {
        self = .constant(Double(value))
    }
}

/// The state of `scaleBySchedule` (tree path `count`, as in Optax).
public struct ScaleByScheduleState: Tree {
    /// The number of updates so far, an int32 scalar tensor. The next update evaluates
    /// the schedule at this count.
    public var count: Tensor

    public init(count: Tensor) {
        self.count = count
    }

    public var treeChildren: [(key: String, value: any Tree)] { [("count", count)] }

    public func withTreeChildren(_ children: [any Tree]) -> ScaleByScheduleState {
        ScaleByScheduleState(count: children[0] as! Tensor)
    }
}

/// Multiplies every update by `stepSize`: `u ← stepSize·u`, with an `EmptyState`.
///
/// `stepSize` is rounded to the dtype of each update (float32).
public func scale(_ stepSize: Double) -> GradientTransformation {
    GradientTransformation(
        initialize: { _ in EmptyState() },
        update: { updates, state, _ in (treeMap(updates) { $0 * stepSize }, state) })
}

/// Multiplies every update by `schedule(count)`, where `count` is the number of
/// earlier updates, starting at 0: `u ← schedule(t − 1)·u` on the t-th update.
///
/// The state is a `ScaleByScheduleState`, whose count stops at `Int32.max`.
public func scaleBySchedule(_ schedule: Schedule) -> GradientTransformation {
    GradientTransformation(
        initialize: { _ in ScaleByScheduleState(count: zeroCount()) },
        update: { updates, state, _ in
            let state = castState(state, to: ScaleByScheduleState.self, in: "scaleBySchedule")
            let stepSize = schedule(state.count)
            let scaled = treeMap(updates) { $0 * stepSize.astype($0.dtype) }
            return (scaled, ScaleByScheduleState(count: incrementCount(state.count)))
        })
}

/// Multiplies the updates by the negative learning rate, `u ← −η·u`, which turns a
/// gradient into a descent step (or by `η` when `flipSign` is false).
///
/// As in Optax, a constant rate gives `scale(−η)` with an `EmptyState`, and a schedule
/// gives `scaleBySchedule` of `−schedule(count)` with a `ScaleByScheduleState`.
public func scaleByLearningRate(_ learningRate: LearningRate, flipSign: Bool = true) -> GradientTransformation {
    let sign: Double = flipSign ? -1 : 1
    switch learningRate {
    case .constant(let rate):
        return scale(sign * rate)
    case .schedule(let schedule):
        return scaleBySchedule(Schedule { count in schedule(count) * sign })
    }
}
