/// A function of the step count that returns a hyperparameter value, such as a
/// learning rate that decays over training (Optax's `Schedule`).
///
/// A schedule computes with tensor operations on an int32 scalar count, so it can run
/// inside a traced training step. Call it with an `Int` to read a value eagerly:
///
/// ```swift
/// let schedule = Schedule.warmupCosineDecay(initValue: 0, peakValue: 1e-3, warmupSteps: 100, decaySteps: 1000)
/// schedule(50)                  // 0.0005 as a Float
/// schedule(Tensor(Int32(50)))   // the same value as a float32 scalar tensor
/// let tx = adam(learningRate: .schedule(schedule))
/// ```
///
/// The factory methods (`constant`, `exponentialDecay`, `cosineDecay`,
/// `warmupCosineDecay`, `polynomial`, `linear`, `piecewiseConstant`, `join`) follow
/// Optax 0.2.8. Their numbers are `Double` because Python floats are: constants
/// derived from them are computed in double precision and rounded once to float32.
public struct Schedule: Sendable {
    private let evaluate: @Sendable (Tensor) -> Tensor

    /// Creates a schedule from a function of the count, an int32 scalar tensor, that
    /// returns a scalar tensor. The result is converted to float32.
    public init(_ evaluate: @escaping @Sendable (_ count: Tensor) -> Tensor) {
        self.evaluate = evaluate
    }

    /// Evaluates the schedule at `count`, an int32 scalar tensor, and returns a float32
    /// scalar tensor.
    public func callAsFunction(_ count: Tensor) -> Tensor {
        evaluate(count).astype(.float32)
    }

    /// Evaluates the schedule at `step`. Stops when `step` does not fit in an int32.
    public func callAsFunction(_ step: Int) -> Float {
        precondition(
            step >= Int(Int32.min) && step <= Int(Int32.max),
            "Schedule: step \(step) does not fit the int32 step count")
        return self(Tensor(Int32(step))).floatValue
    }
}
