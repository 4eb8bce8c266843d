extension Tensor {
    /// The same elements in `shape`; one extent may be -1 and is then inferred.
    ///
    /// Stops when the sizes differ or more than one extent is -1.
    public func reshaped(_ shape: [Int]) -> Tensor {
        var resolved = shape
        let unknown = shape.indices.filter { shape[$0] == -1 }
        precondition(unknown.count <= 1, "reshape: only one extent may be -1, got \(formatShape(shape))")
        if let position = unknown.first {
            let known = shape.enumerated().filter { $0.offset != position }.map(\.element).reduce(1, *)
            precondition(
                known > 0 && size % known == 0,
                "reshape: cannot reshape a tensor of shape \(formatShape(self.shape)) into \(formatShape(shape))")
            resolved[position] = size / known
        }
        if resolved == self.shape { return self }
        return bind1(Reshape(newShape: resolved), [self])
    }

    /// NumPy-style spelling of `reshaped`.
    public func reshape(_ shape: Int...) -> Tensor { reshaped(shape) }

    /// A one-dimensional view of all elements.
    public func flatten() -> Tensor { reshaped([size]) }

    /// The axes reordered so that output axis `i` is input axis `axes[i]`
    /// (negative axes count from the end).
    public func permuted(_ axes: [Int]) -> Tensor {
        let normalized = axes.map { ShapeRules.normalizeAxis($0, rank: rank, operation: "permuted") }
        if normalized == Array(0..<rank) { return self }
        return bind1(Transpose(permutation: normalized), [self])
    }

    /// The axes reordered (`jnp.transpose(x, axes)`).
    public func permuted(_ axes: Int...) -> Tensor { permuted(axes) }

    /// The axes in reverse order (`x.T`).
    public func transposed() -> Tensor { permuted(Array((0..<rank).reversed())) }

    /// The axes in reverse order, as a property (`x.T`).
    public var T: Tensor { transposed() }

    /// The tensor with axis `source` moved to position `destination`.
    public func movingAxis(_ source: Int, to destination: Int) -> Tensor {
        let from = ShapeRules.normalizeAxis(source, rank: rank, operation: "movingAxis")
        let to = ShapeRules.normalizeAxis(destination, rank: rank, operation: "movingAxis")
        var order = Array(0..<rank)
        order.remove(at: from)
        order.insert(from, at: to)
        return permuted(order)
    }

    /// The tensor broadcast to `shape` by NumPy rules.
    public func broadcast(to shape: [Int]) -> Tensor {
        if shape == self.shape { return self }
        return bind1(BroadcastTo(shape: shape), [self])
    }

    /// A new axis of extent 1 inserted at `axis` (negative counts from the end of the result).
    public func expandDims(_ axis: Int) -> Tensor {
        let position = ShapeRules.normalizeAxis(axis, rank: rank + 1, operation: "expandDims")
        var shape = self.shape
        shape.insert(1, at: position)
        return reshaped(shape)
    }

    /// The tensor without the given axes of extent 1, or without all of them when
    /// `axes` is nil.
    public func squeeze(_ axes: [Int]? = nil) -> Tensor {
        guard let axes else { return reshaped(shape.filter { $0 != 1 }) }
        let normalized = ShapeRules.normalizeAxes(axes, rank: rank, operation: "squeeze")
        for axis in normalized {
            precondition(shape[axis] == 1, "squeeze: axis \(axis) of shape \(formatShape(shape)) has extent \(shape[axis]), not 1")
        }
        return reshaped(shape.enumerated().filter { !normalized.contains($0.offset) }.map(\.element))
    }

    /// Elements `range` along one axis, with a positive `step`.
    public func slice(axis: Int, _ range: Range<Int>, step: Int = 1) -> Tensor {
        let axis = ShapeRules.normalizeAxis(axis, rank: rank, operation: "slice")
        var starts = [Int](repeating: 0, count: rank)
        var limits = shape
        var strides = [Int](repeating: 1, count: rank)
        starts[axis] = range.lowerBound
        limits[axis] = range.upperBound
        strides[axis] = step
        if starts.allSatisfy({ $0 == 0 }) && limits == shape && step == 1 { return self }
        return bind1(Slice(starts: starts, limits: limits, strides: strides), [self])
    }

    /// The sub-tensor at `index` of `axis`, with that axis removed.
    public func index(axis: Int, _ index: Int) -> Tensor {
        let axis = ShapeRules.normalizeAxis(axis, rank: rank, operation: "index")
        let position = index < 0 ? index + shape[axis] : index
        precondition(
            position >= 0 && position < shape[axis],
            "index: index \(index) is out of bounds for axis \(axis) with size \(shape[axis])")
        var reduced = shape
        reduced.remove(at: axis)
        return slice(axis: axis, position..<(position + 1)).reshaped(reduced)
    }
}

/// Joins tensors along an existing axis (`jnp.concatenate`).
///
/// Stops when ranks, dtypes, or extents outside `axis` differ, naming all shapes.
public func concatenate(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    precondition(!tensors.isEmpty, "concatenate: needs at least one tensor")
    let dtype = tensors.map(\.dtype).reduce(tensors[0].dtype, DType.promoted)
    let normalized = ShapeRules.normalizeAxis(axis, rank: tensors[0].rank, operation: "concatenate")
    if tensors.count == 1 { return tensors[0].astype(dtype) }
    return bind1(Concatenate(axis: normalized), tensors.map { $0.astype(dtype) })
}

/// Joins tensors of equal shape along a new axis (`jnp.stack`).
public func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    precondition(!tensors.isEmpty, "stack: needs at least one tensor")
    let shape = tensors[0].shape
    for tensor in tensors {
        precondition(
            tensor.shape == shape,
            "stack: all tensors must have the same shape, got \(tensors.map { formatShape($0.shape) }.joined(separator: ", "))")
    }
    let position = ShapeRules.normalizeAxis(axis, rank: shape.count + 1, operation: "stack")
    return concatenate(tensors.map { $0.expandDims(position) }, axis: position)
}

/// Splits a tensor into `sections` equal parts along `axis` (`jnp.split`).
///
/// Stops when the axis extent is not divisible by `sections`.
public func split(_ x: Tensor, sections: Int, axis: Int = 0) -> [Tensor] {
    let normalized = ShapeRules.normalizeAxis(axis, rank: x.rank, operation: "split")
    let extent = x.shape[normalized]
    precondition(
        sections > 0 && extent % sections == 0,
        "split: axis \(normalized) of shape \(formatShape(x.shape)) cannot be split into \(sections) equal sections")
    let width = extent / sections
    return (0..<sections).map { x.slice(axis: normalized, ($0 * width)..<(($0 + 1) * width)) }
}

/// Splits a tensor at the given indices along `axis` (`jnp.split` with indices).
public func split(_ x: Tensor, indices: [Int], axis: Int = 0) -> [Tensor] {
    let normalized = ShapeRules.normalizeAxis(axis, rank: x.rank, operation: "split")
    let extent = x.shape[normalized]
    let bounds = [0] + indices.map { Swift.min(Swift.max($0 < 0 ? $0 + extent : $0, 0), extent) } + [extent]
    return (0..<(bounds.count - 1)).map { i in
        x.slice(axis: normalized, bounds[i]..<Swift.max(bounds[i], bounds[i + 1]))
    }
}

/// Sums `x` down to `shape`, undoing NumPy broadcasting (the gradient of a broadcast).
public func sumToShape(_ x: Tensor, _ shape: [Int]) -> Tensor {
    if x.shape == shape { return x }
    let extra = x.rank - shape.count
    var axes = Array(0..<extra)
    for (i, extent) in shape.enumerated() where extent == 1 && x.shape[i + extra] != 1 {
        axes.append(i + extra)
    }
    var result = x
    if !axes.isEmpty {
        result = bind1(Reduce(operation: .sum, axes: axes), [x])
    }
    return result.reshaped(shape)
}
