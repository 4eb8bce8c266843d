import Foundation

// Prints one line per benchmark case. `weft-bench [case ...]` runs only the named
// cases; with no arguments it runs them all.
let cases: [(name: String, run: () -> Void)] = [
    ("matmul", TensorCases.matmul1024),
    ("dot", TensorCases.dot1e8),
    ("chain", TensorCases.elementwiseChain),
    ("sum", TensorCases.sum1e7),
    ("small-op", TensorCases.smallAdd),
    ("train-step", TrainingCases.stepLatency),
    ("train-step-jit", TrainingCases.jittedStepLatency),
]

let selected = Array(CommandLine.arguments.dropFirst())
let unknown = selected.filter { name in !cases.contains { $0.name == name } }
if !unknown.isEmpty {
    FileHandle.standardError.write("weft-bench: unknown cases \(unknown); the cases are \(cases.map(\.name))\n".data(using: .utf8)!)
    exit(2)
}
for benchmark in cases where selected.isEmpty || selected.contains(benchmark.name) {
    benchmark.run()
}
