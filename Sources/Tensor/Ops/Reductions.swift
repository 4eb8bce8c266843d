extension Tensor {
    /// Normalizes reduction axes; `nil` means all axes.
    func reductionAxes(_ axes: [Int]?, _ operation: String) -> [Int] {
        guard let axes else { return Array(0..<rank) }
        for axis in axes { checkAxis(axis, operation) }
        return ShapeRules.normalizeAxes(axes, rank: rank, operation: operation)
    }

    /// Stops with a message naming the operation and the shape when `axis` is out of range.
    func checkAxis(_ axis: Int, _ operation: String) {
        precondition(
            axis >= -rank && axis < rank,
            "\(operation): axis \(axis) is out of range for a tensor of shape \(formatShape(shape))")
    }

    func reduce(_ operation: ReduceOperation, _ axes: [Int]?, keepDims: Bool, _ name: String) -> Tensor {
        let normalized = reductionAxes(axes, name)
        var result = bind1(Reduce(operation: operation, axes: normalized), [self])
        if keepDims {
            result = result.reshaped(ReductionLayout.keptShape(shape, axes: normalized))
        }
        return result
    }

    /// The sum over `axes` (all axes when nil). Float32 sums are pairwise, so long
    /// arrays do not drift; bool inputs are counted as int32.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let input = dtype == .bool ? astype(.int32) : self
        return input.reduce(.sum, axes, keepDims: keepDims, "sum")
    }

    /// The sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// The arithmetic mean over `axes`; integer inputs give float32.
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let normalized = reductionAxes(axes, "mean")
        let count = normalized.map { shape[$0] }.reduce(1, *)
        return floating(self).sum(axes: normalized, keepDims: keepDims) / Float(count)
    }

    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// The maximum over `axes`; NaN wins. Gradients split evenly between ties.
    public func max(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor { reduce(.max, axes, keepDims: keepDims, "max") }
    public func max(axis: Int, keepDims: Bool = false) -> Tensor { max(axes: [axis], keepDims: keepDims) }

    /// The minimum over `axes`; NaN wins. Gradients split evenly between ties.
    public func min(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor { reduce(.min, axes, keepDims: keepDims, "min") }
    public func min(axis: Int, keepDims: Bool = false) -> Tensor { min(axes: [axis], keepDims: keepDims) }

    /// The product over `axes`.
    public func prod(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let input = dtype == .bool ? astype(.int32) : self
        return input.reduce(.prod, axes, keepDims: keepDims, "prod")
    }

    /// Whether any element over `axes` is true (non-zero).
    public func any(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor { truth(self).reduce(.any, axes, keepDims: keepDims, "any") }

    /// Whether all elements over `axes` are true (non-zero).
    public func all(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor { truth(self).reduce(.all, axes, keepDims: keepDims, "all") }

    /// The variance over `axes`, computed in two passes (mean first, then the mean of
    /// squared deviations), so it is never negative. `ddof` is subtracted from the count.
    public func variance(axes: [Int]? = nil, keepDims: Bool = false, ddof: Int = 0) -> Tensor {
        let normalized = reductionAxes(axes, "var")
        let count = normalized.map { shape[$0] }.reduce(1, *)
        var x = floating(self)

        // Subtracting the first element of each slice leaves the variance unchanged and
        // makes it exactly 0 for a constant slice. The rounded mean alone does not, because
        // the float32 mean of seven copies of 0.1 differs from 0.1.
        if count > 0 {
            var first = x
            for axis in normalized { first = first.slice(axis: axis, 0..<1) }
            x = x - stopGradient(first)
        }
        let centered = x - x.mean(axes: normalized, keepDims: true)
        return (centered * centered).sum(axes: normalized, keepDims: keepDims) / Float(count - ddof)
    }

    /// NumPy's name for `variance`.
    public func `var`(axes: [Int]? = nil, keepDims: Bool = false, ddof: Int = 0) -> Tensor {
        variance(axes: axes, keepDims: keepDims, ddof: ddof)
    }

    /// The standard deviation, the square root of `variance`. A constant input gives
    /// exactly 0.
    public func std(axes: [Int]? = nil, keepDims: Bool = false, ddof: Int = 0) -> Tensor {
        sqrt(variance(axes: axes, keepDims: keepDims, ddof: ddof))
    }

    /// The index of the maximum along `axis` (of the flattened tensor when nil). Ties
    /// give the first index; a NaN counts as the maximum.
    public func argmax(axis: Int? = nil, keepDims: Bool = false) -> Tensor { argReduce(isMax: true, axis, keepDims) }

    /// The index of the minimum along `axis`; ties give the first index, NaN wins.
    public func argmin(axis: Int? = nil, keepDims: Bool = false) -> Tensor { argReduce(isMax: false, axis, keepDims) }

    private func argReduce(isMax: Bool, _ axis: Int?, _ keepDims: Bool) -> Tensor {
        let input = dtype == .bool ? astype(.int32) : self
        guard let axis else {
            let result = bind1(ArgReduce(isMax: isMax, axis: 0), [input.flatten()])
            return keepDims ? result.reshaped([Int](repeating: 1, count: rank)) : result
        }
        checkAxis(axis, isMax ? "argmax" : "argmin")
        let normalized = ShapeRules.normalizeAxis(axis, rank: rank, operation: isMax ? "argmax" : "argmin")
        let result = bind1(ArgReduce(isMax: isMax, axis: normalized), [input])
        return keepDims ? result.expandDims(normalized) : result
    }
}

/// `log(sum(exp(x)))` over `axes`, computed stably by shifting by the maximum.
/// A slice that is all `-inf` gives `-inf`.
public func logsumexp(_ x: Tensor, axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
    let x = floating(x)
    let normalized = x.reductionAxes(axes, "logsumexp")
    let peak = stopGradient(x.max(axes: normalized, keepDims: true))
    let shift = select(isFinite(peak), peak, Tensor.zeros([], dtype: .float32))
    let total = exp(x - shift).sum(axes: normalized, keepDims: true)
    let result = log(total) + shift
    return keepDims ? result : result.squeeze(normalized)
}

/// `logsumexp` over one axis.
public func logsumexp(_ x: Tensor, axis: Int, keepDims: Bool = false) -> Tensor {
    logsumexp(x, axes: [axis], keepDims: keepDims)
}

/// Whether each element is finite (not infinite and not NaN).
public func isFinite(_ x: Tensor) -> Tensor {
    guard x.dtype.isFloatingPoint else { return Tensor.full(x.shape, 1, dtype: .bool) }
    return abs(x) .< Float.infinity
}

/// Whether each element is NaN.
public func isNaN(_ x: Tensor) -> Tensor { x .!= x }
