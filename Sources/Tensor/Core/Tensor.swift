/// An n-dimensional array: a shape, a dtype, and either concrete elements or a tracer.
///
/// `Tensor` is a value. Concrete tensors own a row-major, contiguous, 64-byte-aligned
/// buffer shared by copies until one of them is updated (copy-on-write). Inside a
/// transformation (`grad`, `vmap`), a tensor instead carries a tracer that records or
/// transforms the operations applied to it; user code sees the same type either way.
public struct Tensor: @unchecked Sendable {
    /// The extent of each axis. A scalar has shape `[]`.
    public let shape: [Int]

    /// The element type.
    public let dtype: DType

    /// The elements, when the tensor is concrete. Exactly one of `storage` and
    /// `tracer` is set.
    var storage: Storage?

    /// The tracer, when the tensor is being transformed.
    var tracer: Tracer?

    /// Whether this is a scalar written as a Swift literal (`x + 1`), which takes the
    /// dtype of the other operand in a binary operation, as JAX's weakly typed Python
    /// scalars do.
    var isWeaklyTyped = false

    init(shape: [Int], dtype: DType, storage: Storage) {
        self.shape = shape
        self.dtype = dtype
        self.storage = storage
        self.tracer = nil
    }

    init(shape: [Int], dtype: DType, tracer: Tracer) {
        self.shape = shape
        self.dtype = dtype
        self.storage = nil
        self.tracer = tracer
    }

    /// A concrete tensor with uninitialized elements, for kernels to fill.
    init(uninitializedShape shape: [Int], dtype: DType) {
        let count = shape.reduce(1, *)
        self.init(shape: shape, dtype: dtype, storage: Storage(byteCount: count * dtype.byteSize))
    }

    /// The number of axes.
    public var rank: Int { shape.count }

    /// JAX's name for `rank`.
    public var ndim: Int { shape.count }

    /// The number of elements.
    public var size: Int { shape.reduce(1, *) }

    /// The shape and dtype, without the elements.
    public var type: TensorType { TensorType(shape: shape, dtype: dtype) }

    /// Whether the tensor has concrete elements rather than a tracer.
    public var isConcrete: Bool { storage != nil }
}

/// The abstract value of a tensor: its shape and dtype.
public struct TensorType: Hashable, Sendable, CustomStringConvertible {
    public var shape: [Int]
    public var dtype: DType

    public init(shape: [Int], dtype: DType) {
        self.shape = shape
        self.dtype = dtype
    }

    public var size: Int { shape.reduce(1, *) }

    /// The JAX spelling, for example `f32[32,784]`.
    public var description: String {
        "\(dtype.shortName)[\(shape.map(String.init).joined(separator: ","))]"
    }
}

/// Formats a shape the way Python prints a tuple: `()`, `(3,)`, `(32, 784)`.
public func formatShape(_ shape: [Int]) -> String {
    if shape.count == 1 {
        return "(\(shape[0]),)"
    }
    return "(" + shape.map(String.init).joined(separator: ", ") + ")"
}
