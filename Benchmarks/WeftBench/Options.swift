import Foundation

/// The command line of weft-bench.
struct Options {
    /// The requested case names. Empty means all cases.
    var caseNames: [String] = []
    /// The MNIST folder: `--data-dir`, else `../shared/datasets/mnist` when that folder
    /// exists, else nil for the loader's own lookup (cache, then download).
    var dataDirectory: String?
    /// Whether this process is the child of `peak-rss-mnist-1-epoch`.
    var runsChild = false

    static let defaultDataDirectory = "../shared/datasets/mnist"

    /// Returns the help text, listing `caseNames`.
    static func usage(caseNames: [String]) -> String {
        """
        Usage: weft-bench [--data-dir DIR] [case ...]

        Runs Weft's benchmark cases and prints one line per case,
        `<case-name> <metric>=<value> ...`; every other output line starts with `#`.
        Without case names, all cases run. Cases always run in the order listed below.

        Options:
          --data-dir DIR   folder with the four MNIST IDX files (.gz or raw) for the MNIST
                           cases (default: \(defaultDataDirectory) when that folder exists,
                           else the per-user cache, downloading the files on first use)
          --help           print this text

        Cases: \(caseNames.joined(separator: " "))
        """
    }

    /// Parses `arguments` (without the program name) and checks the case names against
    /// `knownCases` and the `--data-dir` folder for existence.
    static func parse(_ arguments: [String], knownCases: [String]) -> Result<Options, OptionsError> {
        var options = Options()
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "--help", "-h":
                return .failure(.helpRequested)
            case MemoryCase.childFlag:
                options.runsChild = true
            case "--data-dir":
                guard let value = remaining.popFirst() else {
                    return .failure(.invalid("missing folder after --data-dir"))
                }
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: value, isDirectory: &isDirectory), isDirectory.boolValue else {
                    return .failure(.invalid("--data-dir \(value) is not an existing folder"))
                }
                options.dataDirectory = value
            default:
                if argument.hasPrefix("-") {
                    return .failure(.invalid("unknown option \(argument)"))
                }
                guard knownCases.contains(argument) else {
                    return .failure(.invalid("unknown case \(argument); the cases are \(knownCases.joined(separator: ", "))"))
                }
                options.caseNames.append(argument)
            }
        }

        if options.dataDirectory == nil {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: defaultDataDirectory, isDirectory: &isDirectory), isDirectory.boolValue {
                options.dataDirectory = defaultDataDirectory
            }
        }
        return .success(options)
    }
}

/// A command line that weft-bench cannot run, or a request for help.
enum OptionsError: Error {
    case helpRequested
    case invalid(String)
}
