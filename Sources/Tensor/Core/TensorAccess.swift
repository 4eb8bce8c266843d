extension Tensor {
    /// The concrete form of this tensor: itself when concrete, the primal value behind a
    /// reverse-mode tracer, or a stop with a message when a transformation hides the value.
    func concrete(_ operation: String) -> Tensor {
        if storage != nil { return self }
        if let value = tracer!.concreteValue() { return value }
        // Name the transformation that hides the value: under grad, the one that owns
        // the primal, such as an enclosing jit.
        var hiding = tracer!
        while let gradTracer = hiding as? GradTracer, let inner = gradTracer.primal.tracer {
            hiding = inner
        }
        preconditionFailure(
            "\(operation): cannot read the value of a traced tensor of type \(type) while "
                + "tracing \(hiding.trace.context). Values are unknown while a function is "
                + "traced: make that argument static, branch on x.shape or x.ndim, or use "
                + "where(_:_:_:) to select between values.")
    }

    /// Calls `body` with a pointer to the elements of a concrete tensor.
    ///
    /// The pointer is valid only inside `body`, and the caller must not write through it
    /// unless it holds the only reference to the storage.
    @inline(__always)
    func withElements<T, R>(_ type: T.Type, _ body: (UnsafeMutablePointer<T>) throws -> R) rethrows -> R {
        let storage = self.storage!
        return try withExtendedLifetime(storage) { try body(storage.pointer(as: type)) }
    }

    /// The elements in row-major order. The dtype must match `T`.
    public func scalars<T: TensorScalar>(as type: T.Type = T.self) -> [T] {
        let value = concrete("scalars(as:)")
        precondition(
            T.dtype == dtype,
            "scalars(as:): the tensor has dtype \(dtype) but \(T.self) (\(T.dtype)) was requested; use astype first")
        return value.withElements(T.self) { Array(UnsafeBufferPointer(start: $0, count: size)) }
    }

    /// The single element of a tensor with one element, converted to `T`.
    public func item<T: TensorScalar>(as type: T.Type = T.self) -> T {
        precondition(size == 1, "item(): the tensor has shape \(formatShape(shape)), not a single element")
        // A concrete scalar of the requested dtype is read in place, as a training loop
        // does with each step's loss.
        if dtype == T.dtype, let storage { return withExtendedLifetime(storage) { storage.pointer(as: T.self)[0] } }
        return astype(T.dtype).scalars(as: T.self)[0]
    }

    /// The single element as a `Float` (converted from any dtype).
    public var floatValue: Float { item(as: Float.self) }

    /// The single element as an `Int` (converted from any dtype).
    public var intValue: Int { Int(item(as: Int32.self)) }

    /// The elements as `Float`, converted from any dtype.
    public var floats: [Float] { astype(.float32).scalars(as: Float.self) }

    /// The elements as `Int32`, converted from any dtype.
    public var ints: [Int32] { astype(.int32).scalars(as: Int32.self) }
}

extension Bool {
    /// The truth value of a one-element boolean tensor, as in Python's `bool(x)`.
    ///
    /// Stops with a message when the tensor is traced by `vmap` or `jit`.
    public init(_ tensor: Tensor) {
        self = tensor.item(as: Bool.self)
    }
}
