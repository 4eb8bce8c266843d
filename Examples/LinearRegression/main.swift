import Foundation
import Weft

// Linear regression by gradient descent, three ways: an eager loop, a jitted step
// called from a Swift loop, and the whole loop as one `forLoop` inside `jit`.
// N = 1e6 points, X uniform in [0, 1), y = 4X + 1 + standard normal noise (both drawn
// from PRNGKey(1), as the JAX reference does), parameters {w: 1, b: 0}, learning rate
// 0.01, 1000 steps on the mean squared error.

let count = 1_000_000
let steps = 1000
let learningRate: Float = 0.01

let key = PRNGKey(1)
let x = uniform(key, shape: [count])
let y = x * 4 + 1 + normal(key, shape: [count])

typealias Parameters = [String: Tensor]
let initial: Parameters = ["w": Tensor(Float(1)), "b": Tensor(Float(0))]

func loss(_ params: Parameters) -> Tensor {
    let error = x * params["w"]! + params["b"]! - y
    return (error * error).mean()
}

func update(_ params: Parameters) -> Parameters {
    let gradients = grad(loss)(params)
    return treeMap(params, gradients) { value, gradient in value - gradient * learningRate }
}

func seconds(_ body: () -> Void) -> Double {
    let start = Date()
    body()
    return Date().timeIntervalSince(start)
}

func describe(_ name: String, _ time: Double, _ params: Parameters) {
    let figures = String(
        format: "%7.3f s   w %.4f  b %.4f  loss %.4f",
        time, params["w"]!.floatValue, params["b"]!.floatValue, loss(params).floatValue)
    print(name.padding(toLength: 22, withPad: " ", startingAt: 0) + figures)
}

var eager = initial
let eagerTime = seconds {
    for _ in 0..<steps { eager = update(eager) }
}
describe("eager loop", eagerTime, eager)

let jittedUpdate = jit(update)
var jitted = initial
let jittedTime = seconds {
    for _ in 0..<steps { jitted = jittedUpdate(jitted) }
}
describe("jitted step x \(steps)", jittedTime, jitted)

let wholeLoop = jit { (params: Parameters) in
    forLoop(0, steps, body: { _, carry in update(carry) }, initial: params)
}
var fused = initial
let fusedTime = seconds { fused = wholeLoop(initial) }
describe("forLoop inside jit", fusedTime, fused)
