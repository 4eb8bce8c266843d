import Foundation

/// The image classification datasets that `DatasetLoader` can find or download.
public enum DatasetName: String, CaseIterable, CustomStringConvertible, Sendable {
    /// Handwritten digits by LeCun, Cortes and Burges.
    case mnist
    /// Zalando's article images, a drop-in replacement for MNIST with the same file layout.
    case fashionMNIST

    /// The usual spelling, such as "Fashion-MNIST".
    public var description: String {
        switch self {
        case .mnist: return "MNIST"
        case .fashionMNIST: return "Fashion-MNIST"
        }
    }

    /// The folder name under the cache root.
    public var directoryName: String {
        switch self {
        case .mnist: return "mnist"
        case .fashionMNIST: return "fashion-mnist"
        }
    }

    /// Number of classes. Every label lies in `0..<classCount`.
    public var classCount: Int { 10 }

    /// Image height and width in pixels.
    public var imageSize: (height: Int, width: Int) { (28, 28) }

    /// Base URLs tried in order. A file URL is the base URL plus the file name.
    public var mirrors: [URL] {
        switch self {
        case .mnist:
            return [
                URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/")!,
                URL(string: "https://storage.googleapis.com/cvdf-datasets/mnist/")!,
            ]
        case .fashionMNIST:
            // The project publishes its files over plain HTTP only. The SHA-256 check below
            // still rejects a file that was altered on the way.
            return [URL(string: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")!]
        }
    }

    /// Folders that system packages install the files into, searched before the cache.
    public var systemDirectories: [String] {
        switch self {
        case .mnist: return []
        // Debian's dataset-fashion-mnist package.
        case .fashionMNIST: return ["/usr/share/datasets/fashion-mnist"]
        }
    }

    /// The four gzip files with the SHA-256 digests of the bytes that the mirrors serve.
    ///
    /// The digests come from TensorFlow Datasets (`tensorflow_datasets/url_checksums/mnist.txt`
    /// and `fashion_mnist.txt`). A copy that someone re-compressed, such as the files in
    /// Debian's package, contains the same data under other digests, so `DatasetLoader` checks
    /// digests of downloads only.
    public var files: DatasetFiles {
        switch self {
        case .mnist:
            // NOTE: TensorFlow Datasets lists these digests for the storage.googleapis.com
            // mirror. The ossci-datasets mirror is expected to serve the same original files.
            return DatasetFiles(
                trainImages: DatasetFile(
                    fileName: "train-images-idx3-ubyte.gz",
                    sha256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
                trainLabels: DatasetFile(
                    fileName: "train-labels-idx1-ubyte.gz",
                    sha256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
                testImages: DatasetFile(
                    fileName: "t10k-images-idx3-ubyte.gz",
                    sha256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
                testLabels: DatasetFile(
                    fileName: "t10k-labels-idx1-ubyte.gz",
                    sha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"))
        case .fashionMNIST:
            return DatasetFiles(
                trainImages: DatasetFile(
                    fileName: "train-images-idx3-ubyte.gz",
                    sha256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
                trainLabels: DatasetFile(
                    fileName: "train-labels-idx1-ubyte.gz",
                    sha256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
                testImages: DatasetFile(
                    fileName: "t10k-images-idx3-ubyte.gz",
                    sha256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
                testLabels: DatasetFile(
                    fileName: "t10k-labels-idx1-ubyte.gz",
                    sha256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"))
        }
    }
}

/// One downloadable file of a dataset.
public struct DatasetFile: Equatable, Sendable {
    /// The name on the mirrors and in the cache, ending in `.gz`.
    public var fileName: String
    /// SHA-256 digest of the downloaded file, as 64 lowercase hexadecimal digits.
    public var sha256: String

    public init(fileName: String, sha256: String) {
        self.fileName = fileName
        self.sha256 = sha256
    }
}

/// The images and labels files of the training and test splits.
public struct DatasetFiles: Equatable, Sendable {
    public var trainImages: DatasetFile
    public var trainLabels: DatasetFile
    public var testImages: DatasetFile
    public var testLabels: DatasetFile

    public init(trainImages: DatasetFile, trainLabels: DatasetFile, testImages: DatasetFile, testLabels: DatasetFile) {
        self.trainImages = trainImages
        self.trainLabels = trainLabels
        self.testImages = testImages
        self.testLabels = testLabels
    }

    /// The four files in the order training images, training labels, test images, test labels.
    public var all: [DatasetFile] { [trainImages, trainLabels, testImages, testLabels] }
}
