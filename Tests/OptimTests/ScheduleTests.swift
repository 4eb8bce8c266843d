import Testing
@testable import Optim

/// One schedule of Tests/References/nn_optim_reference.py with its Optax 0.2.8 values
/// at `ScheduleReference.steps`.
struct ScheduleReference: Sendable, CustomTestStringConvertible {
    let optaxCall: String
    let schedule: Schedule
    let values: [Float]

    var testDescription: String { optaxCall }

    /// The steps at which the script evaluates every schedule.
    static let steps = [0, 1, 5, 10, 50, 99, 100, 150]

    /// The values printed by nn_optim_reference.py with Optax 0.2.8 (count passed as
    /// int32, values float32).
    static let all: [ScheduleReference] = [
        ScheduleReference(
            optaxCall: "constant_schedule(0.1)",
            schedule: .constant(0.1),
            values: [0.100000001, 0.100000001, 0.100000001, 0.100000001, 0.100000001, 0.100000001, 0.100000001, 0.100000001]),
        ScheduleReference(
            optaxCall: "exponential_decay(1.0, transition_steps=10, decay_rate=0.5)",
            schedule: .exponentialDecay(initValue: 1, transitionSteps: 10, decayRate: 0.5),
            values: [1, 0.93303299, 0.707106769, 0.5, 0.03125, 0.00104665407, 0.0009765625, 3.05175781e-05]),
        ScheduleReference(
            optaxCall: "exponential_decay(1.0, 10, 0.5, staircase=True)",
            schedule: .exponentialDecay(initValue: 1, transitionSteps: 10, decayRate: 0.5, staircase: true),
            values: [1, 1, 1, 0.5, 0.03125, 0.001953125, 0.0009765625, 3.05175781e-05]),
        ScheduleReference(
            optaxCall: "exponential_decay(1.0, 10, 0.5, transition_begin=5)",
            schedule: .exponentialDecay(initValue: 1, transitionSteps: 10, decayRate: 0.5, transitionBegin: 5),
            values: [1, 1, 1, 0.707106769, 0.0441941731, 0.0014801923, 0.00138106791, 4.31583721e-05]),
        ScheduleReference(
            optaxCall: "exponential_decay(1.0, 10, 0.5, end_value=0.1)",
            schedule: .exponentialDecay(initValue: 1, transitionSteps: 10, decayRate: 0.5, endValue: 0.1),
            values: [1, 0.93303299, 0.707106769, 0.5, 0.100000001, 0.100000001, 0.100000001, 0.100000001]),
        ScheduleReference(
            optaxCall: "exponential_decay(1.0, 10, 0.5, transition_begin=5, staircase=True, end_value=0.1)",
            schedule: .exponentialDecay(
                initValue: 1, transitionSteps: 10, decayRate: 0.5, transitionBegin: 5, staircase: true, endValue: 0.1),
            values: [1, 1, 1, 1, 0.100000001, 0.100000001, 0.100000001, 0.100000001]),
        ScheduleReference(
            optaxCall: "exponential_decay(1.0, 10, 2.0, end_value=4.0)",
            schedule: .exponentialDecay(initValue: 1, transitionSteps: 10, decayRate: 2, endValue: 4),
            values: [1, 1.07177341, 1.41421354, 2, 4, 4, 4, 4]),
        ScheduleReference(
            optaxCall: "cosine_decay_schedule(1.0, 100, alpha=0.1)",
            schedule: .cosineDecay(initValue: 1, decaySteps: 100, alpha: 0.1),
            values: [1, 0.999777913, 0.994459748, 0.977975428, 0.549999952, 0.100222059, 0.100000001, 0.100000001]),
        ScheduleReference(
            optaxCall: "warmup_cosine_decay_schedule(0.0, 1.0, 10, 100, end_value=0.01)",
            schedule: .warmupCosineDecay(initValue: 0, peakValue: 1, warmupSteps: 10, decaySteps: 100, endValue: 0.01),
            values: [0, 0.100000024, 0.5, 1, 0.590955794, 0.0103015341, 0.00999999978, 0.00999999978]),
        ScheduleReference(
            optaxCall: "linear_schedule(1.0, 0.0, 100, transition_begin=10)",
            schedule: .linear(initValue: 1, endValue: 0, transitionSteps: 100, transitionBegin: 10),
            values: [1, 1, 1, 1, 0.600000024, 0.110000014, 0.100000024, 0]),
        ScheduleReference(
            optaxCall: "piecewise_constant_schedule(1.0, {10: 0.5, 50: 0.1})",
            schedule: .piecewiseConstant(initValue: 1, boundariesAndScales: [10: 0.5, 50: 0.1]),
            values: [1, 1, 1, 0.5, 0.0500000007, 0.0500000007, 0.0500000007, 0.0500000007]),
    ]
}

// These values also pass with a zero tolerance. The tolerance of expectClose allows
// 2 float32 ulps.
@Test(arguments: ScheduleReference.all)
func scheduleMatchesOptax(_ reference: ScheduleReference) {
    let values = ScheduleReference.steps.map { reference.schedule($0) }
    expectClose(values, reference.values, reference.optaxCall)
}

@Test func scheduleOfTensorCount() {
    let schedule = Schedule.cosineDecay(initValue: 2, decaySteps: 10)
    let value = schedule(Tensor(Int32(5)))

    #expect(value.dtype == .float32)
    #expect(value.shape == [])
    #expect(value.floatValue == schedule(5))
}

@Test func scheduleFallbacksToConstant() {
    let steps = [0, 3, 100]
    let exponentialWithoutSteps = Schedule.exponentialDecay(initValue: 0.5, transitionSteps: 0, decayRate: 0.1)
    let exponentialWithoutDecay = Schedule.exponentialDecay(initValue: 0.5, transitionSteps: 10, decayRate: 0)
    let polynomialWithoutSteps = Schedule.polynomial(initValue: 0.5, endValue: 0, power: 2, transitionSteps: 0)

    #expect(steps.map { exponentialWithoutSteps($0) } == [0.5, 0.5, 0.5])
    #expect(steps.map { exponentialWithoutDecay($0) } == [0.5, 0.5, 0.5])
    #expect(steps.map { polynomialWithoutSteps($0) } == [0.5, 0.5, 0.5])
}

@Test func scheduleNegativeBeginCountsAsZero() {
    let shifted = Schedule.linear(initValue: 1, endValue: 0, transitionSteps: 4, transitionBegin: -3)
    let unshifted = Schedule.linear(initValue: 1, endValue: 0, transitionSteps: 4)

    #expect((0...5).map { shifted($0) } == (0...5).map { unshifted($0) })
}

@Test func polynomialSchedulePower() {
    // (1 − s/4)² scaled from 1 to 0: 1, 0.5625, 0.25, 0.0625, 0, then constant.
    let schedule = Schedule.polynomial(initValue: 1, endValue: 0, power: 2, transitionSteps: 4)

    expectClose((0...5).map { schedule($0) }, [1, 0.5625, 0.25, 0.0625, 0, 0], "polynomial power 2")
}

@Test func cosineDecayExponent() {
    // At the midpoint c = 0.5, so c² = 0.25 and the value is 4 · 0.25.
    let schedule = Schedule.cosineDecay(initValue: 4, decaySteps: 10, exponent: 2)

    expectClose([schedule(5)], [1], "cosine decay with exponent 2 at the midpoint")
}

@Test func joinedSchedulesShiftTheCount() {
    let joined = Schedule.join(
        [.constant(1), .linear(initValue: 10, endValue: 0, transitionSteps: 10), .constant(3)],
        boundaries: [2, 7])

    // Step 2 starts the linear part at its own step 0, and step 7 switches to the constant 3.
    expectClose((0...8).map { joined($0) }, [1, 1, 10, 9, 8, 7, 6, 3, 3], "joined schedule")
}

@Test func scheduledLearningRateUsesCountBeforeUpdate() {
    // With g = 1 the update is −schedule(count), and the count starts at 0.
    let schedule = Schedule.piecewiseConstant(initValue: 1, boundariesAndScales: [1: 0.5, 2: 0.5])
    let tx = sgd(learningRate: .schedule(schedule))
    let params: [String: Tensor] = ["w": Tensor(Float(0))]
    var state = tx.initialize(params)
    var updates = [Float]()

    for _ in 0..<3 {
        let result = tx.update(["w": Tensor(Float(1))], state: state)
        updates.append(result.updates["w"]!.floatValue)
        state = result.state
    }

    #expect(updates == [-1, -0.5, -0.25])
    #expect(state[1].as(ScaleByScheduleState.self).count.intValue == 3)
}

@Test func constantScheduleMatchesConstantRate() {
    let (scheduled, scheduledState) = descend(
        adam(learningRate: .schedule(.constant(0.01))), from: referenceParams(), steps: 3)
    let (constant, constantState) = descend(adam(learningRate: 0.01), from: referenceParams(), steps: 3)

    expectIdentical(scheduled[2], constant[2], "parameters after 3 steps")
    // The scheduled rate keeps a count, as Optax's scale_by_schedule does.
    #expect(treePaths(scheduledState) == ["0/count", "0/mu/a", "0/mu/b", "0/nu/a", "0/nu/b", "1/count"])
    #expect(treePaths(constantState) == ["0/count", "0/mu/a", "0/mu/b", "0/nu/a", "0/nu/b"])
}
