/// Tensors from Swift literals: `let m: Tensor = [[1, 2], [3, 4]]` is an int32 matrix,
/// `[[1.5, 2], [3, 4]]` a float32 one (mixed literals promote as in NumPy).
extension Tensor: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral {
    /// An int32 scalar that takes the other operand's dtype in arithmetic (weakly typed).
    public init(integerLiteral value: Int) {
        self.init(Int32(value))
        isWeaklyTyped = true
    }

    /// A float32 scalar that takes the other operand's dtype in arithmetic when that is
    /// a float (weakly typed).
    public init(floatLiteral value: Double) {
        self.init(Float(value))
        isWeaklyTyped = true
    }

    public init(booleanLiteral value: Bool) {
        self.init(value)
    }

    /// Stacks the elements along a new leading axis. Stops when their shapes differ.
    public init(arrayLiteral elements: Tensor...) {
        if elements.isEmpty {
            self.init([Float](), shape: [0])
            return
        }
        self = stack(elements, axis: 0)
    }
}

extension Tensor {
    /// A tensor from nested Swift arrays of numbers, such as `[[Float]]`.
    ///
    /// Stops when the nested arrays are ragged.
    public init<T: TensorScalar>(_ rows: [[T]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "Tensor(_:): rows have different lengths \(rows.map(\.count))")
        self.init(rows.flatMap { $0 }, shape: [rows.count, columns])
    }

    /// A rank-3 tensor from triply nested Swift arrays.
    public init<T: TensorScalar>(_ blocks: [[[T]]]) {
        let inner = blocks.map { Tensor($0) }
        self = stack(inner, axis: 0)
    }
}
