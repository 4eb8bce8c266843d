/// Shape arithmetic shared by the primitives' shape rules.
enum ShapeRules {
    /// The NumPy broadcast of two shapes, or a stop naming `operation` and both shapes.
    static func broadcast(_ a: [Int], _ b: [Int], operation: String) -> [Int] {
        if a == b { return a }
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard da == db || da == 1 || db == 1 else {
                preconditionFailure(
                    "\(operation): shapes \(formatShape(a)) and \(formatShape(b)) cannot be broadcast together")
            }
            result[i] = da == 1 ? db : da
        }
        return result
    }

    /// Turns a possibly negative axis into an index in `0..<rank`, or stops naming the
    /// operation.
    static func normalizeAxis(_ axis: Int, rank: Int, operation: String) -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        precondition(
            normalized >= 0 && normalized < rank,
            "\(operation): axis \(axis) is out of range for a tensor of rank \(rank)")
        return normalized
    }

    /// Normalized, sorted, duplicate-free axes.
    static func normalizeAxes(_ axes: [Int], rank: Int, operation: String) -> [Int] {
        let normalized = axes.map { normalizeAxis($0, rank: rank, operation: operation) }
        precondition(
            Set(normalized).count == normalized.count,
            "\(operation): repeated axis in \(axes)")
        return normalized.sorted()
    }

    /// Row-major strides of a contiguous tensor of `shape`, in elements.
    static func strides(_ shape: [Int]) -> [Int] {
        var result = [Int](repeating: 1, count: shape.count)
        var running = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            result[i] = running
            running *= shape[i]
        }
        return result
    }
}
