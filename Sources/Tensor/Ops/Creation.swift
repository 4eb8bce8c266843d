extension Tensor {
    /// A tensor of `shape` holding `scalars` in row-major order.
    ///
    /// Stops when `scalars.count` differs from the product of `shape`.
    public init<T: TensorScalar>(_ scalars: [T], shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor(_:shape:): negative extent in shape \(formatShape(shape))")
        let count = shape.reduce(1, *)
        precondition(
            scalars.count == count,
            "Tensor(_:shape:): \(scalars.count) scalars do not fill shape \(formatShape(shape)) (\(count) elements)")
        self.init(uninitializedShape: shape, dtype: T.dtype)
        withElements(T.self) { pointer in
            scalars.withUnsafeBufferPointer { source in
                pointer.initialize(from: source.baseAddress!, count: count)
            }
        }
    }

    /// A one-dimensional tensor of `scalars`.
    public init<T: TensorScalar>(_ scalars: [T]) {
        self.init(scalars, shape: [scalars.count])
    }

    /// An int32 vector from Swift integers, such as `Tensor([2, 0])`.
    public init(_ values: [Int]) {
        self.init(values.map { Int32(truncatingIfNeeded: $0) }, shape: [values.count])
    }

    /// A float32 vector from Swift doubles, such as `Tensor([0.5, 1.5])`.
    public init(_ values: [Double]) {
        self.init(values.map { Float($0) }, shape: [values.count])
    }

    /// A scalar (rank-0) tensor.
    public init<T: TensorScalar>(_ scalar: T) {
        self.init([scalar], shape: [])
    }

    /// A float32 scalar tensor.
    public init(_ scalar: Double) {
        self.init(Float(scalar))
    }

    /// An int32 scalar tensor.
    public init(_ scalar: Int) {
        self.init(Int32(scalar))
    }

    /// A tensor of `shape` filled with `value` converted to `dtype`.
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32) -> Tensor {
        precondition(shape.allSatisfy { $0 >= 0 }, "full: negative extent in shape \(formatShape(shape))")
        var result = Tensor(uninitializedShape: shape, dtype: dtype)
        result.fill(with: value)
        return result
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        full(shape, 0, dtype: dtype)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        full(shape, 1, dtype: dtype)
    }

    /// Zeros with the shape and dtype of `other`.
    public static func zeros(like other: Tensor) -> Tensor {
        zeros(other.shape, dtype: other.dtype)
    }

    /// Ones with the shape and dtype of `other`.
    public static func ones(like other: Tensor) -> Tensor {
        ones(other.shape, dtype: other.dtype)
    }

    /// The int32 values `start, start + step, ...` below `stop` (above it for a negative step).
    public static func arange(_ start: Int, _ stop: Int, step: Int = 1, dtype: DType = .int32) -> Tensor {
        precondition(step != 0, "arange: step must not be zero")
        let count = Swift.max(0, (stop - start + step + (step > 0 ? -1 : 1)) / step)
        let values = (0..<count).map { Double(start + $0 * step) }
        return fromDoubles(values, shape: [count], dtype: dtype)
    }

    /// The int32 values `0..<stop`.
    public static func arange(_ stop: Int, dtype: DType = .int32) -> Tensor {
        arange(0, stop, dtype: dtype)
    }

    /// Float32 values `start + i * step` below `stop`, with `ceil((stop - start) / step)`
    /// elements as in NumPy.
    public static func arange(_ start: Double, _ stop: Double, step: Double = 1, dtype: DType = .float32) -> Tensor {
        precondition(step != 0, "arange: step must not be zero")
        let count = Swift.max(0, Int(((stop - start) / step).rounded(.up)))
        let values = (0..<count).map { start + Double($0) * step }
        return fromDoubles(values, shape: [count], dtype: dtype)
    }

    /// `count` evenly spaced float32 values from `start` to `stop` (included unless
    /// `endpoint` is false).
    public static func linspace(_ start: Double, _ stop: Double, count: Int, endpoint: Bool = true) -> Tensor {
        precondition(count >= 0, "linspace: count must be non-negative, got \(count)")
        let divisions = endpoint ? count - 1 : count
        let step = divisions > 0 ? (stop - start) / Double(divisions) : 0
        var values = (0..<count).map { start + Double($0) * step }
        if endpoint && count > 1 { values[count - 1] = stop }
        return fromDoubles(values, shape: [count], dtype: .float32)
    }

    /// The `rows` x `columns` matrix with ones on the diagonal shifted by `k`.
    public static func eye(_ rows: Int, _ columns: Int? = nil, k: Int = 0, dtype: DType = .float32) -> Tensor {
        let columns = columns ?? rows
        var values = [Double](repeating: 0, count: rows * columns)
        for row in 0..<rows where row + k >= 0 && row + k < columns {
            values[row * columns + row + k] = 1
        }
        return fromDoubles(values, shape: [rows, columns], dtype: dtype)
    }

    static func fromDoubles(_ values: [Double], shape: [Int], dtype: DType) -> Tensor {
        switch dtype {
        case .float32: return Tensor(values.map { Float($0) }, shape: shape)
        case .int32: return Tensor(values.map { integerElement($0, as: Int32.self) }, shape: shape)
        case .uint32: return Tensor(values.map { integerElement($0, as: UInt32.self) }, shape: shape)
        case .uint8: return Tensor(values.map { integerElement($0, as: UInt8.self) }, shape: shape)
        case .bool: return Tensor(values.map { $0 != 0 }, shape: shape)
        }
    }

    /// Converts a number to an integer element as JAX converts a Python scalar: a whole
    /// number keeps its low bits (-1 becomes uint8 255), and any other value truncates
    /// toward zero and saturates, with NaN giving 0, as `astype` does.
    static func integerElement<T: FixedWidthInteger & NumericElement>(_ value: Double, as type: T.Type) -> T {
        if value.rounded(.towardZero) == value, let whole = Int64(exactly: value) {
            return T(truncatingIfNeeded: whole)
        }
        return T.fromDouble(value)
    }

    /// Writes `value` into every element of this concrete tensor, which must own its storage.
    mutating func fill(with value: Double) {
        let count = size
        switch dtype {
        case .float32: withElements(Float.self) { $0.update(repeating: Float(value), count: count) }
        case .int32: withElements(Int32.self) { $0.update(repeating: Self.integerElement(value, as: Int32.self), count: count) }
        case .uint32: withElements(UInt32.self) { $0.update(repeating: Self.integerElement(value, as: UInt32.self), count: count) }
        case .uint8: withElements(UInt8.self) { $0.update(repeating: Self.integerElement(value, as: UInt8.self), count: count) }
        case .bool: withElements(Bool.self) { $0.update(repeating: value != 0, count: count) }
        }
    }
}
