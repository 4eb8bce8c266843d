import Datasets
import Tensor

/// A labeled image set as tensors: images stay uint8 `[N, 28, 28]`, labels int32 `[N]`.
public struct ImageTensors: Sendable {
    /// Pixel intensities 0...255, uint8 `[N, height, width]`.
    public let images: Tensor
    /// Class indices, int32 `[N]`.
    public let labels: Tensor

    /// Copies the bytes of `set` into tensors.
    public init(_ set: LabeledImages) {
        images = Tensor(set.images.bytes, shape: set.images.shape)
        labels = Tensor(set.labels.bytes, shape: set.labels.shape).astype(.int32)
    }

    /// Number of examples.
    public var count: Int { images.shape[0] }

    /// Loads the training and test splits with `loader` and copies them into tensors.
    ///
    /// The IDX bytes that the loader reads are released when this returns, so a caller
    /// that keeps only the tensors holds the images once, not twice.
    public static func load(with loader: DatasetLoader) throws(DatasetError) -> (train: ImageTensors, test: ImageTensors) {
        let dataset = try loader.load()
        return (ImageTensors(dataset.train), ImageTensors(dataset.test))
    }
}
