import Datasets
import Foundation
import LinearRegressionWorkload
import MNISTWorkload
import Tensor

/// The MNIST splits as tensors, with the one-hot training labels that the step captures.
struct MNISTData {
    let train: ImageTensors
    let test: ImageTensors
    /// Float32 `[60000, 10]`.
    let oneHotTrain: Tensor

    /// Loads the four files with `DatasetLoader`, or stops the program with the loader's
    /// message when they cannot be read.
    static func load(dataDirectory: String?) -> MNISTData {
        do {
            let (train, test) = try ImageTensors.load(with: DatasetLoader(.mnist, dataDirectory: dataDirectory))
            return MNISTData(train: train, test: test, oneHotTrain: oneHot(train.labels, depth: 10))
        } catch {
            exitWithError("\(error)", status: 1)
        }
    }
}

/// The data that several cases use, created on first use and then kept.
final class BenchmarkInputs {
    /// The MNIST folder, or nil for the loader's own lookup (cache, then download).
    let dataDirectory: String?

    init(dataDirectory: String?) {
        self.dataDirectory = dataDirectory
    }

    lazy var mnist = MNISTData.load(dataDirectory: dataDirectory)

    /// The linreg example's problem: 1e6 points from PRNGKey(1), learning rate 0.01.
    lazy var linearRegression = LinearRegression(count: 1_000_000, learningRate: 0.01, key: PRNGKey(1))
}

/// Prints `weft-bench: message` to standard error and exits with `status`.
func exitWithError(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data("weft-bench: \(message)\n".utf8))
    exit(status)
}
