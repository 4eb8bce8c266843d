import Foundation
import LinearRegressionWorkload
import Weft

// Linear regression by gradient descent, three ways: an eager loop, a jitted step
// called from a Swift loop, and the whole loop as one `forLoop` inside `jit`.
// N = 1e6 points, X uniform in [0, 1), y = 4X + 1 + standard normal noise (both drawn
// from PRNGKey(1), as the JAX reference does), parameters {w: 1, b: 0}, learning rate
// 0.01, 1000 steps on the mean squared error.

let steps = 1000
let problem = LinearRegression(count: 1_000_000, learningRate: 0.01, key: PRNGKey(1))
let initial = LinearRegression.initialParameters

func seconds(_ body: () -> Void) -> Double {
    let start = Date()
    body()
    return Date().timeIntervalSince(start)
}

func describe(_ name: String, _ time: Double, _ params: LinearRegression.Parameters) {
    let figures = String(
        format: "%7.3f s   w %.4f  b %.4f  loss %.4f",
        time, params["w"]!.floatValue, params["b"]!.floatValue, problem.loss(params).floatValue)
    print(name.padding(toLength: 22, withPad: " ", startingAt: 0) + figures)
}

var eager = initial
let eagerTime = seconds {
    for _ in 0..<steps { eager = problem.update(eager) }
}
describe("eager loop", eagerTime, eager)

let jittedUpdate = problem.makeJittedUpdate()
var jitted = initial
let jittedTime = seconds {
    for _ in 0..<steps { jitted = jittedUpdate(jitted) }
}
describe("jitted step x \(steps)", jittedTime, jitted)

let wholeLoop = problem.makeJittedLoop(steps: steps)
var fused = initial
let fusedTime = seconds { fused = wholeLoop(initial) }
describe("forLoop inside jit", fusedTime, fused)
