import Foundation
import Weft

/// The MNIST example's model, for the training benchmarks.
private struct BenchmarkMLP: Module {
    func call(_ images: Tensor) -> Tensor {
        var x = images.reshaped([images.shape[0], -1]) / 255.0
        x = relu(Dense(128, name: "Dense1")(x))
        x = relu(Dense(128, name: "Dense2")(x))
        return Dense(10, name: "Output")(x)
    }
}

/// Training-step benchmarks on synthetic MNIST-shaped data (no dataset needed).
enum TrainingCases {
    /// Median and 90th-percentile latency of the example's eager training step over
    /// 1000 warm steps, at batch sizes 32 and 256.
    static func stepLatency() {
        for batchSize in [32, 256] {
            let keys = split(PRNGKey(0), count: 3)
            let images = randint(keys[0], shape: [batchSize, 28, 28], minval: 0, maxval: 256).astype(.uint8)
            let labels = oneHot(randint(keys[1], shape: [batchSize], minval: 0, maxval: 10), depth: 10)
            let model = BenchmarkMLP()
            let variables = model.initialize(key: keys[2], images[0..<1])
            var state = TrainState.create(applyFn: model.apply, params: variables["params"], tx: adam(learningRate: 1e-3))

            func step() {
                let (_, grads) = valueAndGrad { (params: TensorTree) in
                    softmaxCrossEntropy(logits: state.applyFn(["params": params], images), labels: labels).mean()
                }(state.params)
                state = state.applyGradients(grads)
            }

            let times = Timing.measure(repetitions: 1000, warmup: 50, step)
            report(
                "train step, batch \(batchSize)",
                String(format: "median %.0f us, p90 %.0f us (%.0f steps/s)",
                       Timing.median(times) * 1e6, Timing.percentile(times, 0.9) * 1e6, 1 / Timing.median(times)))
        }
    }

    /// Median and 90th-percentile latency of the same training step compiled with `jit`
    /// (state donated) over 1000 warm steps at batch size 32, with the number of tensor
    /// storages that one warm step allocates.
    static func jittedStepLatency() {
        let batchSize = 32
        let keys = split(PRNGKey(0), count: 3)
        let images = randint(keys[0], shape: [batchSize, 28, 28], minval: 0, maxval: 256).astype(.uint8)
        let labels = oneHot(randint(keys[1], shape: [batchSize], minval: 0, maxval: 10), depth: 10)
        let model = BenchmarkMLP()
        let variables = model.initialize(key: keys[2], images[0..<1])
        var state = TrainState.create(applyFn: model.apply, params: variables["params"], tx: adam(learningRate: 1e-3))

        for donated in [false, true] {
            let compiled = jit(
                { (state: TrainState, images: Tensor, labels: Tensor) in
                    let (_, grads) = valueAndGrad { (params: TensorTree) in
                        softmaxCrossEntropy(logits: state.applyFn(["params": params], images), labels: labels).mean()
                    }(state.params)
                    return state.applyGradients(grads)
                }, name: "the benchmark training step", donateArgnums: donated ? [0] : [])

            func step() { state = compiled(state, images, labels) }

            let times = Timing.measure(repetitions: 1000, warmup: 50, step)
            let before = tensorAllocationCount
            step()
            let allocations = tensorAllocationCount - before
            report(
                "jit train step, batch \(batchSize)\(donated ? ", donated" : "")",
                String(format: "median %.0f us, p90 %.0f us (%.0f steps/s), %d tensor allocations per step",
                       Timing.median(times) * 1e6, Timing.percentile(times, 0.9) * 1e6, 1 / Timing.median(times),
                       allocations))
        }
    }
}
