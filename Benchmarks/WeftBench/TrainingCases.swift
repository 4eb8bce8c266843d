import Foundation
import MNISTWorkload
import Weft

/// Training-step benchmarks on synthetic MNIST-shaped data, so they need no dataset:
/// one fixed random batch, the example's model and Adam 1e-3.
enum TrainingCases {
    /// Creates a random batch of uint8 images and one-hot labels, and the initial state.
    private static func syntheticSetup(batchSize: Int) -> (images: Tensor, labels: Tensor, state: TrainState<TensorTree>) {
        let keys = split(PRNGKey(0), count: 3)
        let images = randint(keys[0], shape: [batchSize, 28, 28], minval: 0, maxval: 256).astype(.uint8)
        let labels = oneHot(randint(keys[1], shape: [batchSize], minval: 0, maxval: 10), depth: 10)
        let model = CompactMLP()
        let variables = model.initialize(key: keys[2], images[0..<1])
        let state = TrainState.create(applyFn: model.apply, params: variables["params"], tx: adam(learningRate: 1e-3))
        return (images, labels, state)
    }

    /// Measures `eager-train-step-b<batchSize>`: median and 90th-percentile latency of the eager
    /// training step over 1000 steps after 50 warm-up steps.
    static func eagerStepLatency(batchSize: Int) {
        var (images, labels, state) = syntheticSetup(batchSize: batchSize)
        let times = Timing.measure(repetitions: 1000, warmup: 50) {
            state = trainStep(state, batchImages: images, batchOneHotLabels: labels).state
        }
        Report.caseLine("eager-train-step-b\(batchSize)", [
            "median_us": Timing.median(times) * 1e6,
            "p90_us": Timing.percentile(times, 0.9) * 1e6,
        ])
    }

    /// Measures `jit-train-step-b32` or `jit-train-step-b32-donated`: the same step compiled with
    /// `jit`, with the state donated or not, over 1000 steps after 50 warm-up steps, and
    /// the number of tensor storages that one warm step allocates.
    static func jittedStepLatency(donated: Bool) {
        let batchSize = 32
        var (images, labels, state) = syntheticSetup(batchSize: batchSize)
        let compiled = jit(
            { (state: TrainState<TensorTree>, images: Tensor, labels: Tensor) in
                trainStep(state, batchImages: images, batchOneHotLabels: labels).state
            }, name: "the benchmark training step", donateArgnums: donated ? [0] : [])

        func step() { state = compiled(state, images, labels) }

        let times = Timing.measure(repetitions: 1000, warmup: 50, step)
        let before = tensorAllocationCount
        step()
        let allocations = tensorAllocationCount - before
        Report.caseLine("jit-train-step-b\(batchSize)\(donated ? "-donated" : "")", [
            "median_us": Timing.median(times) * 1e6,
            "p90_us": Timing.percentile(times, 0.9) * 1e6,
            "allocations": Double(allocations),
        ])
    }
}
