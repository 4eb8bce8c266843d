import Foundation
import MNISTWorkload
import Weft

/// Benchmarks of the MNIST example's workload on the real dataset.
enum MNISTCases {
    /// Creates the example's starting point: PRNGKey(42) split into the shuffling key and the
    /// initialization key, `CompactMLP` and Adam with learning rate 1e-3.
    static func initialSetup(_ data: MNISTData) -> (key: PRNGKey, state: TrainState<TensorTree>) {
        let keys = split(PRNGKey(42))
        let model = CompactMLP()
        let variables = model.initialize(key: keys[1], data.train.images[0..<1])
        let state = TrainState.create(applyFn: model.apply, params: variables["params"], tx: adam(learningRate: 1e-3))
        return (keys[0], state)
    }

    /// Measures `mnist-epoch-b<batchSize>`: two epochs with the jitted, donated step that captures
    /// the training set. The second epoch's time (permutation and all steps, reading each
    /// step's loss) is reported, so tracing and planning in the first step are left out.
    static func epoch(batchSize: Int, data: MNISTData) {
        var (key, state) = initialSetup(data)
        let step = makeTrainStep(data.train, oneHotLabels: data.oneHotTrain, compiled: true)
        var durations = [Double]()
        var meanLosses = [Double]()
        for _ in 0..<2 {
            let start = Timing.now()
            let meanLoss = trainEpoch(
                state: &state, key: &key, exampleCount: data.train.count, batchSize: batchSize, step: step)
            durations.append(Timing.now() - start)
            meanLosses.append(meanLoss)
        }

        let steps = data.train.count / batchSize
        let name = "mnist-epoch-b\(batchSize)"
        Report.note(String(
            format: "%@: %d steps per epoch, epoch times %.3f s and %.3f s, mean training loss %.4f and %.4f",
            name, steps, durations[0], durations[1], meanLosses[0], meanLosses[1]))
        Report.caseLine(name, [
            "seconds_per_epoch": durations[1],
            "steps_per_second": Double(steps) / durations[1],
        ])
    }

    /// Measures `train-step-b<batchSize>`: the latency of single jitted, donated steps on
    /// consecutive batches of one permutation, which wrap around after its last full
    /// batch. 50 warm-up steps come before the 1000 timed ones.
    static func stepLatency(batchSize: Int, data: MNISTData, warmupSteps: Int = 50, timedSteps: Int = 1000) {
        var (key, state) = initialSetup(data)
        let order = permutation(split(key)[1], data.train.count)
        let batchCount = min(data.train.count / batchSize, warmupSteps + timedSteps)
        let batches = (0..<batchCount).map { order[($0 * batchSize)..<(($0 + 1) * batchSize)] }
        let step = makeTrainStep(data.train, oneHotLabels: data.oneHotTrain, compiled: true)

        var latencies = [Double]()
        for stepIndex in 0..<(warmupSteps + timedSteps) {
            let indices = batches[stepIndex % batchCount]
            let start = Timing.now()
            state = step(state, indices).state
            if stepIndex >= warmupSteps {
                latencies.append(Timing.now() - start)
            }
        }
        latencies.sort()
        Report.caseLine("train-step-b\(batchSize)", [
            "median_us": Timing.median(latencies) * 1e6,
            "p90_us": Timing.percentile(latencies, 0.9) * 1e6,
        ])
    }

    /// Measures `first-step-captured`: the time from creating a new jitted step that captures the
    /// training set, as `makeTrainStep` does, through its first result on a batch of 32
    /// (tracing, planning and running). The state exists before the clock starts.
    static func firstStepCaptured(data: MNISTData) {
        let (_, state) = initialSetup(data)
        let indices = Tensor.arange(32)
        let seconds = Timing.seconds {
            let step = makeTrainStep(data.train, oneHotLabels: data.oneHotTrain, compiled: true)
            _ = step(state, indices).loss.floatValue
        }
        Report.caseLine("first-step-captured", ["seconds": seconds])
    }

    /// Measures `first-step-argument`: the same for a new jitted step that takes the batch's 32
    /// images and one-hot labels as arguments, as the JAX reference's argument variant
    /// does, so no training data is a constant of its graph.
    static func firstStepArgument(data: MNISTData) {
        let (_, state) = initialSetup(data)
        let images = data.train.images[0..<32]
        let labels = data.oneHotTrain[0..<32]
        let seconds = Timing.seconds {
            let step = jit(
                { (state: TrainState<TensorTree>, images: Tensor, labels: Tensor) in
                    trainStep(state, batchImages: images, batchOneHotLabels: labels)
                }, name: "the MNIST training step on a given batch", donateArgnums: [0])
            _ = step(state, images, labels).loss.floatValue
        }
        Report.caseLine("first-step-argument", ["seconds": seconds])
    }

    /// Measures `inference-10k`: the jitted model on all 10,000 test images in one call, warm
    /// (median of 10 calls), with the initial parameters.
    static func inference(data: MNISTData) {
        let (_, state) = initialSetup(data)
        let applyFn = state.applyFn
        let predict = jit(
            { (params: TensorTree, images: Tensor) in applyFn(["params": params], images) },
            name: "the MNIST model on a batch")
        let images = data.test.images
        let times = Timing.measure(repetitions: 10, warmup: 1) { _ = predict(state.params, images) }
        let seconds = Timing.median(times)
        Report.caseLine("inference-10k", [
            "seconds": seconds,
            "images_per_second": Double(data.test.count) / seconds,
        ])
    }
}
