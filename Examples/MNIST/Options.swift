import Datasets

/// The command-line options of the MNIST example.
struct Options {
    enum Style: String, CaseIterable {
        case compact
        case setup
    }

    var epochs = 3
    var batchSize = 32
    var learningRate = 1e-3
    var seed = 42
    var dataDirectory: String?
    var dataset = DatasetName.mnist
    var style = Style.compact
    var jit = true

    static let usage = """
        Usage: mnist [options]

        Trains a 784-128-128-10 MLP on MNIST with Adam, as the Flax + Optax reference does.

        Options:
          --epochs N             number of passes over the training set (default 3)
          --batch-size N         examples per training step (default 32)
          --learning-rate X      Adam learning rate (default 0.001)
          --seed N               seed of the PRNG key for initialization and shuffling (default 42)
          --data-dir PATH        folder holding the four IDX files (.gz or raw); without it the
                                 per-user cache is used, downloading the files on first use
          --dataset NAME         mnist or fashion-mnist (default mnist)
          --style NAME           compact or setup: how the model is written (default compact);
                                 both give the same parameters and results
          --no-jit               run the training step eagerly, operation by operation, instead
                                 of compiling it with jit (slower)
          --help                 print this text

        A value may also follow its option after an equals sign, as in --epochs=1.
        """

    /// Parses `arguments` (without the program name), or returns an error message.
    static func parse(_ arguments: [String]) -> Result<Options, OptionsError> {
        var options = Options()
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            // `--flag=value` gives the value in the same argument.
            var flag = argument
            var attachedValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                flag = String(argument[..<equals])
                attachedValue = String(argument[argument.index(after: equals)...])
            }

            if flag == "--help" || flag == "-h" || flag == "--no-jit" {
                if attachedValue != nil {
                    return .failure(OptionsError(message: "invalid argument '\(argument)': \(flag) takes no value"))
                }
                if flag == "--no-jit" {
                    options.jit = false
                    continue
                }
                return .failure(OptionsError(message: nil))
            }
            let known = ["--epochs", "--batch-size", "--learning-rate", "--seed", "--data-dir", "--dataset", "--style"]
            guard known.contains(flag) else {
                return .failure(OptionsError(message: "unknown option \(flag)"))
            }
            guard let value = attachedValue ?? remaining.popFirst() else {
                return .failure(OptionsError(message: "missing value after \(flag)"))
            }
            switch flag {
            case "--epochs":
                guard let epochs = Int(value), epochs > 0 else { return .failure(.invalid(flag, value, "a positive integer")) }
                options.epochs = epochs
            case "--batch-size":
                guard let size = Int(value), size > 0 else { return .failure(.invalid(flag, value, "a positive integer")) }
                options.batchSize = size
            case "--learning-rate":
                guard let rate = Double(value), rate > 0 else { return .failure(.invalid(flag, value, "a positive number")) }
                options.learningRate = rate
            case "--seed":
                guard let seed = Int(value) else { return .failure(.invalid(flag, value, "an integer")) }
                options.seed = seed
            case "--data-dir":
                options.dataDirectory = value
            case "--dataset":
                switch value {
                case "mnist": options.dataset = .mnist
                case "fashion-mnist": options.dataset = .fashionMNIST
                default: return .failure(.invalid(flag, value, "mnist or fashion-mnist"))
                }
            case "--style":
                guard let style = Style(rawValue: value) else { return .failure(.invalid(flag, value, "compact or setup")) }
                options.style = style
            default:
                return .failure(OptionsError(message: "unknown option \(flag)"))
            }
        }
        return .success(options)
    }
}

/// An invalid command line; a nil message means help was requested.
struct OptionsError: Error {
    let message: String?

    static func invalid(_ flag: String, _ value: String, _ expected: String) -> OptionsError {
        OptionsError(message: "invalid value '\(value)' for \(flag): expected \(expected)")
    }
}
