import Testing
@testable import Optim

/// A function to minimize, with its starting point and its minimizer.
struct Objective: Sendable, CustomTestStringConvertible {
    let name: String
    let loss: @Sendable ([String: Tensor]) -> Tensor
    let start: [String: Tensor]
    let minimizer: [String: Tensor]

    var testDescription: String { name }

    /// `Σ (p − c)²` with `c = (1, −2, 3)`, from the origin.
    static let parabola = Objective(
        name: "parabola",
        loss: { params in
            let difference = params["p"]! - Tensor([1, -2, 3] as [Float])
            return (difference * difference).sum()
        },
        start: ["p": Tensor.zeros([3])],
        minimizer: ["p": Tensor([1, -2, 3] as [Float])])

    /// Rosenbrock's function `(1 − x)² + 100 (y − x²)²`, from the origin. Its minimum
    /// 0 is at (1, 1) at the end of a curved, flat valley.
    static let rosenbrock = Objective(
        name: "Rosenbrock",
        loss: { params in
            let x = params["x"]!
            let y = params["y"]!
            let offset = 1 - x
            let valley = y - x * x
            return offset * offset + valley * valley * 100
        },
        start: ["x": Tensor(Float(0)), "y": Tensor(Float(0))],
        minimizer: ["x": Tensor(Float(1)), "y": Tensor(Float(1))])
}

/// An optimizer with the number of steps it gets on an objective.
struct ConvergenceCase: Sendable, CustomTestStringConvertible {
    let name: String
    let transformation: GradientTransformation
    let steps: Int

    var testDescription: String { "\(name), \(steps) steps" }
}

/// Runs `optimizer` on `objective` and expects every parameter within `tolerance` of
/// the minimizer.
func expectConvergence(_ optimizer: ConvergenceCase, on objective: Objective, tolerance: Float) {
    let gradient = grad(objective.loss)
    let (trajectory, _) = descend(
        optimizer.transformation, from: objective.start, steps: optimizer.steps, gradients: gradient)

    let found = treeLeaves(trajectory.last!).flatMap(\.floats)
    let expected = treeLeaves(objective.minimizer).flatMap(\.floats)
    expectClose(found, expected, relative: 0, absolute: tolerance, "\(optimizer.name) on \(objective.name)")
}

@Test(arguments: [
    ConvergenceCase(name: "sgd", transformation: sgd(learningRate: 0.1), steps: 100),
    ConvergenceCase(name: "sgd momentum", transformation: sgd(learningRate: 0.05, momentum: 0.9), steps: 200),
    ConvergenceCase(name: "sgd nesterov", transformation: sgd(learningRate: 0.05, momentum: 0.9, nesterov: true), steps: 200),
    ConvergenceCase(name: "adam", transformation: adam(learningRate: 0.1), steps: 400),
    ConvergenceCase(name: "adamw", transformation: adamw(learningRate: 0.1, weightDecay: 1e-4), steps: 400),
    ConvergenceCase(name: "rmsprop", transformation: rmsprop(learningRate: 0.01), steps: 600),
    ConvergenceCase(name: "adagrad", transformation: adagrad(learningRate: 1), steps: 300),
    ConvergenceCase(
        name: "rmsprop nesterov", transformation: rmsprop(learningRate: 0.01, momentum: 0.5, nesterov: true), steps: 600),
    ConvergenceCase(
        name: "clipped sgd", transformation: chain(clipByGlobalNorm(1), sgd(learningRate: 0.1)), steps: 200),
    ConvergenceCase(
        name: "adam warmup cosine",
        transformation: adam(
            learningRate: .schedule(.warmupCosineDecay(initValue: 0, peakValue: 0.2, warmupSteps: 20, decaySteps: 400))),
        steps: 400),
])
func parabolaConverges(_ optimizer: ConvergenceCase) {
    expectConvergence(optimizer, on: .parabola, tolerance: 1e-3)
}

@Test(arguments: [
    ConvergenceCase(name: "sgd", transformation: sgd(learningRate: 1.9e-3), steps: 8000),
    ConvergenceCase(name: "sgd momentum", transformation: sgd(learningRate: 1e-3, momentum: 0.9), steps: 3000),
    ConvergenceCase(
        name: "sgd nesterov", transformation: sgd(learningRate: 1e-3, momentum: 0.9, nesterov: true), steps: 3000),
    ConvergenceCase(name: "adam", transformation: adam(learningRate: 0.05), steps: 3000),
    ConvergenceCase(name: "adamw", transformation: adamw(learningRate: 0.05, weightDecay: 1e-4), steps: 3000),
    ConvergenceCase(name: "rmsprop", transformation: rmsprop(learningRate: 1e-3), steps: 5000),
    ConvergenceCase(name: "adagrad", transformation: adagrad(learningRate: 0.5), steps: 5000),
])
func rosenbrockConverges(_ optimizer: ConvergenceCase) {
    expectConvergence(optimizer, on: .rosenbrock, tolerance: 1e-2)
}
