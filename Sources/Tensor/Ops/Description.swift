extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    /// The elements in NumPy's nested-bracket layout, followed by the shape and dtype:
    /// `Tensor([[1.0, 2.0], [3.0, 4.0]], shape=(2, 2), dtype=float32)`. Tensors with more
    /// than 1000 elements show the first and last three entries of each axis.
    public var description: String {
        guard let value = concreteOrNil() else {
            return "Tensor(traced \(type) in \(tracer!.trace.context))"
        }
        let strings = value.elementStrings()
        let summarize = size > 1000
        let body = nested(strings, shape: shape, offset: 0, depth: 0, summarize: summarize)
        return "Tensor(\(body), shape=\(formatShape(shape)), dtype=\(dtype))"
    }

    public var debugDescription: String { description }

    func concreteOrNil() -> Tensor? {
        if storage != nil { return self }
        return tracer?.concreteValue()
    }

    private func elementStrings() -> [String] {
        switch dtype {
        case .float32: return scalars(as: Float.self).map { $0.description }
        case .int32: return scalars(as: Int32.self).map { $0.description }
        case .uint32: return scalars(as: UInt32.self).map { $0.description }
        case .uint8: return scalars(as: UInt8.self).map { $0.description }
        case .bool: return scalars(as: Bool.self).map { $0 ? "True" : "False" }
        }
    }

    private func nested(_ strings: [String], shape: [Int], offset: Int, depth: Int, summarize: Bool) -> String {
        if shape.isEmpty { return strings[offset] }
        let stride = shape.dropFirst().reduce(1, *)
        let count = shape[0]
        var indices = Array(0..<count)
        var gap = false
        if summarize && count > 6 {
            indices = [0, 1, 2, count - 3, count - 2, count - 1]
            gap = true
        }
        let parts = indices.map { nested(strings, shape: Array(shape.dropFirst()), offset: offset + $0 * stride, depth: depth + 1, summarize: summarize) }
        var items = parts
        if gap { items.insert("...", at: 3) }
        // As in NumPy, the items of a rank-n array (n >= 2) are separated by n - 2 blank lines.
        let newlines = String(repeating: "\n", count: Swift.max(1, shape.count - 1))
        let separator = shape.count > 1 ? "," + newlines + String(repeating: " ", count: 8 + depth) : ", "
        return "[" + items.joined(separator: separator) + "]"
    }
}
