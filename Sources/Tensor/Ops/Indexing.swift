extension Tensor {
    /// Slices of this tensor along `axis` at integer `indices` (`jnp.take`). The result
    /// shape is `shape[..<axis] + indices.shape + shape[(axis+1)...]`. Negative indices
    /// count from the end; out-of-bounds indices are clamped, as JAX's reads are.
    public func take(_ indices: Tensor, axis: Int = 0) -> Tensor {
        let normalized = ShapeRules.normalizeAxis(axis, rank: rank, operation: "take")
        return bind1(Take(axis: normalized), [self, indices])
    }

    /// Elements along `axis` picked per position by `indices`, which has the same rank
    /// as this tensor and broadcasts with it on the other axes (`jnp.take_along_axis`).
    public func takeAlongAxis(_ indices: Tensor, axis: Int) -> Tensor {
        precondition(indices.rank == rank, "takeAlongAxis: indices of shape \(formatShape(indices.shape)) must have the rank of the tensor \(formatShape(shape))")
        let axis = ShapeRules.normalizeAxis(axis, rank: rank, operation: "takeAlongAxis")
        var outShape = ShapeRules.broadcast(
            shape.enumerated().map { $0.offset == axis ? 1 : $0.element },
            indices.shape.enumerated().map { $0.offset == axis ? 1 : $0.element },
            operation: "takeAlongAxis")
        outShape[axis] = indices.shape[axis]
        let length = shape[axis]
        var broadcastShape = outShape
        broadcastShape[axis] = length
        let source = broadcast(to: broadcastShape)

        // Flat positions into `source`: the index along `axis` plus the offsets of
        // every other coordinate.
        let strides = ShapeRules.strides(broadcastShape)
        var positions = indices.astype(.int32)
        positions = select(positions .< 0, positions + length, positions)
        positions = clip(positions, min: Tensor(Int32(0)), max: Tensor(Int32(Swift.max(length - 1, 0))))
            .broadcast(to: outShape) * strides[axis]
        for other in 0..<rank where other != axis {
            var axisShape = [Int](repeating: 1, count: rank)
            axisShape[other] = outShape[other]
            positions = positions + Tensor.arange(outShape[other]).reshaped(axisShape) * strides[other]
        }
        return source.flatten().take(positions, axis: 0)
    }

    /// Gathers along axis 0 (`x[idxs]` in NumPy), for example a batch of rows.
    public subscript(_ indices: Tensor) -> Tensor {
        take(indices, axis: 0)
    }

    /// Basic and advanced indexing, one component per leading axis: an `Int` removes the
    /// axis, a range (`1..<3`, `2...`, `stride(from:to:by:)`) slices it, and an integer
    /// tensor gathers along it. Several tensors combine as an outer product
    /// (like `np.ix_`), which differs from NumPy's broadcasting of several index arrays.
    ///
    /// Stops when an integer index is out of bounds or there are more components than axes.
    public subscript(_ components: any TensorIndexConvertible...) -> Tensor {
        Indexing.read(self, components.map(\.tensorIndex))
    }

    /// Indexing that keeps the whole first axis, NumPy's `x[:, 0]`: `x[..., 0]`.
    public subscript(_ all: UnboundedRange, _ components: any TensorIndexConvertible...) -> Tensor {
        Indexing.read(self, [.range(start: nil, end: nil, step: 1)] + components.map(\.tensorIndex))
    }
}

/// One component of an index expression.
public enum TensorIndex {
    /// A single position; negative counts from the end.
    case position(Int)
    /// Positions `start, start + step, ...` before `end`; nil bounds mean the whole axis
    /// in the direction of `step`.
    case range(start: Int?, end: Int?, step: Int)
    /// Positions given by an integer tensor.
    case tensor(Tensor)
}

/// A value usable as one component of a tensor subscript.
public protocol TensorIndexConvertible {
    var tensorIndex: TensorIndex { get }
}

extension Int: TensorIndexConvertible {
    public var tensorIndex: TensorIndex { .position(self) }
}

extension Range: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .range(start: lowerBound, end: upperBound, step: 1) }
}

extension ClosedRange: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .range(start: lowerBound, end: upperBound + 1, step: 1) }
}

extension PartialRangeFrom: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .range(start: lowerBound, end: nil, step: 1) }
}

extension PartialRangeUpTo: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .range(start: nil, end: upperBound, step: 1) }
}

extension PartialRangeThrough: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .range(start: nil, end: upperBound + 1, step: 1) }
}

/// A stride selects the positions it lists, and negative positions count from the end.
///
/// NOTE: positions past the axis clamp as in `take` instead of being left out as in a
/// Python slice, so `x[stride(from: 0, to: 7, by: 2)]` on 5 elements repeats the last one.
extension StrideTo: TensorIndexConvertible where Element == Int {
    public var tensorIndex: TensorIndex {
        let positions = map { Int32($0) }
        return .tensor(Tensor(positions, shape: [positions.count]))
    }
}

/// A stride selects the positions it lists, as `StrideTo` does.
extension StrideThrough: TensorIndexConvertible where Element == Int {
    public var tensorIndex: TensorIndex {
        let positions = map { Int32($0) }
        return .tensor(Tensor(positions, shape: [positions.count]))
    }
}

extension Array: TensorIndexConvertible where Element == Int {
    /// The positions as an int32 index tensor, so `x.at[[0, 2]]` and `x[[0, 2]]` work.
    public var tensorIndex: TensorIndex { .tensor(Tensor(map { Int32($0) }, shape: [count])) }
}

extension Tensor: TensorIndexConvertible {
    public var tensorIndex: TensorIndex { .tensor(self) }
}

extension TensorIndex: TensorIndexConvertible {
    public var tensorIndex: TensorIndex { self }
}

/// Index expressions resolved to positions along one axis.
enum Indexing {
    /// The positions selected along an axis of `extent`, or nil for a plain position.
    enum Resolved {
        case position(Int)
        case slice(start: Int, end: Int, step: Int)
        case positions(Tensor)
    }

    static func resolve(_ index: TensorIndex, extent: Int, axis: Int, operation: String) -> Resolved {
        switch index {
        case .position(let value):
            let position = value < 0 ? value + extent : value
            precondition(
                position >= 0 && position < extent,
                "\(operation): index \(value) is out of bounds for axis \(axis) with size \(extent)")
            return .position(position)
        case .range(let start, let end, let step):
            precondition(step != 0, "\(operation): slice step must not be zero")
            // Python slice semantics: clamp the bounds into the axis.
            func clampBound(_ value: Int?, _ defaultValue: Int, low: Int, high: Int) -> Int {
                guard let value else { return defaultValue }
                let shifted = value < 0 ? value + extent : value
                return Swift.min(Swift.max(shifted, low), high)
            }
            if step > 0 {
                let lower = clampBound(start, 0, low: 0, high: extent)
                let upper = clampBound(end, extent, low: 0, high: extent)
                return .slice(start: lower, end: Swift.max(lower, upper), step: step)
            }
            let lower = clampBound(start, extent - 1, low: -1, high: extent - 1)
            let upper = clampBound(end, -1, low: -1, high: extent - 1)
            let positions = Swift.stride(from: lower, to: upper, by: step).map { Int32($0) }
            return .positions(Tensor(positions, shape: [positions.count]))
        case .tensor(let tensor):
            precondition(tensor.dtype.isInteger, "\(operation): index tensors must be integers, got \(tensor.dtype)")
            return .positions(tensor)
        }
    }

    static func read(_ x: Tensor, _ components: [TensorIndex]) -> Tensor {
        precondition(
            components.count <= x.rank,
            "subscript: \(components.count) indices for a tensor of shape \(formatShape(x.shape))")
        var result = x
        var axis = 0
        for (component, originalAxis) in zip(components, 0...) {
            switch resolve(component, extent: result.shape[axis], axis: originalAxis, operation: "subscript") {
            case .position(let position):
                result = result.index(axis: axis, position)
            case .slice(let start, let end, let step):
                result = result.slice(axis: axis, start..<end, step: step)
                axis += 1
            case .positions(let positions):
                result = result.take(positions, axis: axis)
                axis += positions.rank
            }
        }
        return result
    }
}

/// `labels` as one-hot float32 vectors of `depth` along a new last axis. A label
/// outside `0..<depth` gives an all-zero row, as in `jax.nn.one_hot`.
public func oneHot(_ labels: Tensor, depth: Int, dtype: DType = .float32) -> Tensor {
    precondition(labels.dtype.isInteger, "oneHot: labels must be integers, got \(labels.dtype)")
    let classes = Tensor.arange(depth)
    return (labels.astype(.int32).expandDims(-1) .== classes).astype(dtype)
}

/// `x - logsumexp(x)` along `axis`, stable for logits of 1e30 and for `-inf` entries.
public func logSoftmax(_ x: Tensor, axis: Int = -1) -> Tensor {
    let x = floating(x)
    let peak = stopGradient(x.max(axis: axis, keepDims: true))
    let shift = select(isFinite(peak), peak, Tensor.zeros([], dtype: .float32))
    let shifted = x - shift
    return shifted - log(exp(shifted).sum(axis: axis, keepDims: true))
}

/// `exp(x) / sum(exp(x))` along `axis`, shifted by the maximum for stability.
public func softmax(_ x: Tensor, axis: Int = -1) -> Tensor {
    let x = floating(x)
    let peak = stopGradient(x.max(axis: axis, keepDims: true))
    let shift = select(isFinite(peak), peak, Tensor.zeros([], dtype: .float32))
    let unnormalized = exp(x - shift)
    return unnormalized / unnormalized.sum(axis: axis, keepDims: true)
}
