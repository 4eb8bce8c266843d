import Datasets
import Foundation
import MNISTWorkload
import TrainState

// The MNIST example: the Flax + Optax reference program in Swift. It prints the
// parameter overview, trains with a progress bar, and prints one line per epoch with
// the mean training loss and the train and test accuracies. The training step runs
// under `jit` unless `--no-jit` is given.

let options: Options
switch Options.parse(Array(CommandLine.arguments.dropFirst())) {
case .success(let parsed):
    options = parsed
case .failure(let error):
    if let message = error.message {
        FileHandle.standardError.write("mnist: \(message)\n\n\(Options.usage)\n".data(using: .utf8)!)
        exit(2)
    }
    print(Options.usage)
    exit(0)
}

func seconds(since start: Double) -> Double { ProgressBar.monotonicSeconds() - start }

// Only the tensors are kept: the loader's IDX bytes are released inside `load`.
let train: ImageTensors
let test: ImageTensors
do {
    (train, test) = try ImageTensors.load(with: DatasetLoader(options.dataset, dataDirectory: options.dataDirectory))
} catch {
    FileHandle.standardError.write("mnist: \(error)\n".data(using: .utf8)!)
    exit(1)
}
guard options.batchSize <= train.count else {
    FileHandle.standardError.write(
        "mnist: the batch size \(options.batchSize) exceeds the \(train.count) training images; pass a smaller --batch-size\n"
            .data(using: .utf8)!)
    exit(2)
}
let oneHotTrain = oneHot(train.labels, depth: 10)
print("\(options.dataset): \(train.count) training and \(test.count) test images")

var key = PRNGKey(options.seed)
let keys = split(key)
key = keys[0]
let initKey = keys[1]

let applyFn: TrainState<TensorTree>.ApplyFunction
let variables: TensorTree
switch options.style {
case .compact:
    let model = CompactMLP()
    variables = model.initialize(key: initKey, train.images[0..<1])
    applyFn = model.apply
case .setup:
    let model = SetupMLP()
    variables = model.initialize(key: initKey, train.images[0..<1])
    applyFn = model.apply
}
print(parameterOverview(variables["params"]))
fflush(nil)

var state = TrainState.create(applyFn: applyFn, params: variables["params"], tx: adam(learningRate: .constant(options.learningRate)))
let steps = train.count / options.batchSize
let runTrainStep = makeTrainStep(train, oneHotLabels: oneHotTrain, compiled: options.jit)

for epoch in 1...options.epochs {
    let start = ProgressBar.monotonicSeconds()
    let progress = ProgressBar(total: steps, description: "epoch \(epoch)")
    let meanLoss = trainEpoch(
        state: &state, key: &key, exampleCount: train.count, batchSize: options.batchSize, step: runTrainStep
    ) { step, lossSum in
        if step % 50 == 0 {
            progress.postfix = String(format: "loss=%.4f", lossSum / Double(step + 1))
        }
        progress.update()
    }
    progress.close()
    let trainSeconds = seconds(since: start)

    let evaluationStart = ProgressBar.monotonicSeconds()
    let trainAccuracy = accuracy(state, train)
    let testAccuracy = accuracy(state, test)
    let line = String(
        format: "Epoch %d/%d loss %.4f acc train/test: %.4f/%.4f  (train %.2f s, %.0f steps/s; eval %.2f s)",
        epoch, options.epochs, meanLoss, trainAccuracy, testAccuracy,
        trainSeconds, Double(steps) / trainSeconds, seconds(since: evaluationStart))
    print(line)
    fflush(nil)
}
