/// Renders the parameter overview table of clu's `get_parameter_overview`
/// for a tree of tensors, such as `variables["params"]`.
///
/// Each leaf is one row, named by its `/`-joined path (`Dense1/kernel`), with
/// its shape, dtype and size, and with its mean and population standard
/// deviation when `includeStats` is true. The footer counts elements and
/// bytes. For the same tree the text equals clu 0.0.12's byte for byte as far
/// as the statistics print alike: clu computes them with NumPy in the
/// leaf's dtype, and this function in double precision, rounded to float32
/// for float32 leaves.
/// NOTE: a statistic within a float32 rounding error of a 3-digit boundary
/// could print differently from clu.
///
/// Stops when a leaf is traced (inside `grad` or `vmap`) and statistics are
/// requested, because they need the values.
public func parameterOverview(_ tree: some Tree, includeStats: Bool = true) -> String {
    let rows = treeLeavesWithPaths(tree).map { path, leaf in
        var row = ParameterOverviewRow(
            name: path, shape: leaf.shape, dtype: leaf.dtype.rawValue, itemSize: leaf.dtype.byteSize)
        if includeStats {
            let (mean, std) = meanAndStandardDeviation(leaf)
            row.mean = mean
            row.std = std
        }
        return row
    }
    return renderParameterOverview(rows: rows, includeStats: includeStats)
}

/// Computes the mean and population standard deviation of `tensor`'s
/// elements in double precision. For float32 tensors both are rounded to
/// float32, the type NumPy returns for them. An empty tensor gives NaN, as
/// NumPy does.
func meanAndStandardDeviation(_ tensor: Tensor) -> (mean: Double, std: Double) {
    let values = elementsAsDoubles(tensor)
    let count = Double(values.count)
    let mean = values.reduce(0, +) / count
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count
    let std = variance.squareRoot()

    if tensor.dtype == .float32 {
        return (Double(Float(mean)), Double(Float(std)))
    }
    return (mean, std)
}

/// Converts the elements of `tensor` to exact doubles.
private func elementsAsDoubles(_ tensor: Tensor) -> [Double] {
    switch tensor.dtype {
    case .float32: return tensor.scalars(as: Float.self).map(Double.init)
    case .int32: return tensor.scalars(as: Int32.self).map(Double.init)
    case .uint32: return tensor.scalars(as: UInt32.self).map(Double.init)
    case .uint8: return tensor.scalars(as: UInt8.self).map(Double.init)
    case .bool: return tensor.scalars(as: Bool.self).map { $0 ? 1 : 0 }
    }
}
