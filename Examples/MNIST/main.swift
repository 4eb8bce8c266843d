import Datasets
import Foundation
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

let dataset: ImageDataset
do {
    dataset = try DatasetLoader(options.dataset, dataDirectory: options.dataDirectory).load()
} catch {
    FileHandle.standardError.write("mnist: \(error)\n".data(using: .utf8)!)
    exit(1)
}
let train = ImageTensors(dataset.train)
let test = ImageTensors(dataset.test)
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
    let epochKeys = split(key)
    key = epochKeys[0]
    let order = permutation(epochKeys[1], train.count)
    let batches = order[0..<(steps * options.batchSize)].reshaped([steps, options.batchSize])

    let progress = ProgressBar(total: steps, description: "epoch \(epoch)")
    var lossSum = 0.0
    for step in 0..<steps {
        let output = runTrainStep(state, batches[step])
        state = output.state
        lossSum += Double(output.loss.floatValue)
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
        epoch, options.epochs, lossSum / Double(steps), trainAccuracy, testAccuracy,
        trainSeconds, Double(steps) / trainSeconds, seconds(since: evaluationStart))
    print(line)
    fflush(nil)
}
