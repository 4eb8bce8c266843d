/// Images with one class label each, kept as the unsigned bytes of the IDX files.
public struct LabeledImages: Equatable, Sendable {
    /// Pixel intensities 0...255 with shape `[count, height, width]`.
    public let images: IDXArray
    /// Class indices with shape `[count]`.
    public let labels: IDXArray

    /// Creates a split. The first dimensions of `images` and `labels` must be equal.
    public init(images: IDXArray, labels: IDXArray) {
        // `fatalError` keeps its message in optimized builds, where `precondition` drops it.
        if images.shape.first != labels.shape.first {
            fatalError("images and labels differ in count")
        }
        self.images = images
        self.labels = labels
    }

    /// Number of examples.
    public var count: Int { labels.shape.first ?? 0 }
}

/// The training and test splits of a dataset, with the paths they were read from.
public struct ImageDataset: Equatable, Sendable {
    public let name: DatasetName
    public let train: LabeledImages
    public let test: LabeledImages
    /// Paths of the training images, training labels, test images and test labels files.
    public let paths: [String]

    public init(name: DatasetName, train: LabeledImages, test: LabeledImages, paths: [String]) {
        self.name = name
        self.train = train
        self.test = test
        self.paths = paths
    }
}
