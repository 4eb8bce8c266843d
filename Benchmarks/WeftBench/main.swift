import Datasets
import Foundation

// weft-bench: prints one `<case-name> <metric>=<value> ...` line per benchmark case, in
// the format of the JAX reference program, so that a script can pair the two outputs.
// `weft-bench [--data-dir DIR] [case ...]` runs only the named cases.

/// One benchmark case: its name, whether it reads MNIST, and the code that prints its line.
struct BenchmarkCase {
    let name: String
    let needsMNIST: Bool
    let run: (BenchmarkInputs) -> Void
}

// peak-rss-mnist-1-epoch comes first because its child starts with this process's peak
// RSS (see MemoryCase.run).
let cases: [BenchmarkCase] = [
    BenchmarkCase(name: "peak-rss-mnist-1-epoch", needsMNIST: true) { MemoryCase.run(dataDirectory: $0.dataDirectory) },
    BenchmarkCase(name: "matmul-1024", needsMNIST: false) { _ in TensorCases.matmul1024() },
    BenchmarkCase(name: "dot-1e8", needsMNIST: false) { _ in TensorCases.dot1e8() },
    BenchmarkCase(name: "chain-1e6", needsMNIST: false) { _ in TensorCases.elementwiseChain() },
    BenchmarkCase(name: "sum-1e7", needsMNIST: false) { _ in TensorCases.sum1e7() },
    BenchmarkCase(name: "small-add", needsMNIST: false) { _ in TensorCases.smallAdd() },
    BenchmarkCase(name: "eager-train-step-b32", needsMNIST: false) { _ in TrainingCases.eagerStepLatency(batchSize: 32) },
    BenchmarkCase(name: "eager-train-step-b256", needsMNIST: false) { _ in TrainingCases.eagerStepLatency(batchSize: 256) },
    BenchmarkCase(name: "jit-train-step-b32", needsMNIST: false) { _ in TrainingCases.jittedStepLatency(donated: false) },
    BenchmarkCase(name: "jit-train-step-b32-donated", needsMNIST: false) { _ in TrainingCases.jittedStepLatency(donated: true) },
    BenchmarkCase(name: "mnist-epoch-b32", needsMNIST: true) { MNISTCases.epoch(batchSize: 32, data: $0.mnist) },
    BenchmarkCase(name: "mnist-epoch-b256", needsMNIST: true) { MNISTCases.epoch(batchSize: 256, data: $0.mnist) },
    BenchmarkCase(name: "train-step-b32", needsMNIST: true) { MNISTCases.stepLatency(batchSize: 32, data: $0.mnist) },
    BenchmarkCase(name: "train-step-b256", needsMNIST: true) { MNISTCases.stepLatency(batchSize: 256, data: $0.mnist) },
    BenchmarkCase(name: "first-step-captured", needsMNIST: true) { MNISTCases.firstStepCaptured(data: $0.mnist) },
    BenchmarkCase(name: "first-step-argument", needsMNIST: true) { MNISTCases.firstStepArgument(data: $0.mnist) },
    BenchmarkCase(name: "inference-10k", needsMNIST: true) { MNISTCases.inference(data: $0.mnist) },
    BenchmarkCase(name: "linreg-jit-1000", needsMNIST: false) { LinearRegressionCases.jitted($0.linearRegression) },
    BenchmarkCase(name: "linreg-eager-1000", needsMNIST: false) { LinearRegressionCases.eager($0.linearRegression) },
    BenchmarkCase(name: "linreg-fori-1000", needsMNIST: false) { LinearRegressionCases.forLoopInJit($0.linearRegression) },
]

let options: Options
switch Options.parse(Array(CommandLine.arguments.dropFirst()), knownCases: cases.map(\.name)) {
case .success(let parsed):
    options = parsed
case .failure(.helpRequested):
    print(Options.usage(caseNames: cases.map(\.name)))
    exit(0)
case .failure(.invalid(let message)):
    exitWithError("\(message) (weft-bench --help lists the options and cases)", status: 2)
}

if options.runsChild {
    MemoryCase.runChildWork(dataDirectory: options.dataDirectory)
    exit(0)
}

let selected = cases.filter { options.caseNames.isEmpty || options.caseNames.contains($0.name) }

// Check the MNIST files before any case runs, so that a wrong folder fails at once.
if selected.contains(where: \.needsMNIST) {
    let loader = DatasetLoader(.mnist, dataDirectory: options.dataDirectory)
    do {
        for file in loader.files.all {
            _ = try loader.locate(file)
        }
    } catch {
        exitWithError("\(error)", status: 1)
    }
}

Report.note(
    "weft-bench: \(ProcessInfo.processInfo.activeProcessorCount) CPUs, "
        + "MNIST from \(options.dataDirectory ?? "the per-user cache")")
let inputs = BenchmarkInputs(dataDirectory: options.dataDirectory)
for benchmark in selected {
    benchmark.run(inputs)
}
