/// The matrix product with NumPy's `matmul` rules: 1-D operands are promoted to a
/// row (left) or column (right) and the added axis removed afterwards, leading axes
/// broadcast, and float32 products run on Weft's own kernel (`Gemm.sgemm`).
///
/// Stops when the contracted extents differ, naming both shapes, as in
/// `matmul: shapes (32, 784) and (128, 10) are not aligned`.
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.rank >= 1 && b.rank >= 1, "matmul: operands must have at least one axis, got shapes \(formatShape(a.shape)) and \(formatShape(b.shape))")
    let (x, y) = promote(a, b)
    precondition(
        x.shape[x.rank - 1] == y.shape[y.rank == 1 ? 0 : y.rank - 2],
        "matmul: shapes \(formatShape(a.shape)) and \(formatShape(b.shape)) are not aligned: \(x.shape[x.rank - 1]) != \(y.shape[y.rank == 1 ? 0 : y.rank - 2])")
    let left = x.rank == 1 ? x.reshaped([1, x.shape[0]]) : x
    let right = y.rank == 1 ? y.reshaped([y.shape[0], 1]) : y
    var result = bind1(MatMul(transposeA: false, transposeB: false), [left, right])
    if x.rank == 1 { result = result.squeeze([result.rank - 2]) }
    if y.rank == 1 { result = result.squeeze([result.rank - 1]) }
    return result
}

/// `a @ b` with optional transposes of the last two axes, folded into the BLAS call
/// instead of copied. Both operands need at least two axes.
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) -> Tensor {
    let (x, y) = promote(a, b)
    return bind1(MatMul(transposeA: transposeA, transposeB: transposeB), [x, y])
}

/// `jnp.dot`: the inner product of vectors, matrix-vector and matrix-matrix products
/// (and `matmul` for higher ranks); a scalar operand multiplies elementwise.
public func dot(_ a: Tensor, _ b: Tensor) -> Tensor {
    if a.rank == 0 || b.rank == 0 { return a * b }
    return matmul(a, b)
}

/// The outer product of two vectors (inputs are flattened first), shape `(a.size, b.size)`.
public func outer(_ a: Tensor, _ b: Tensor) -> Tensor {
    a.flatten().reshaped([a.size, 1]) * b.flatten().reshaped([1, b.size])
}

extension Tensor {
    /// `matmul(lhs, rhs)`.
    public static func .* (lhs: Tensor, rhs: Tensor) -> Tensor { matmul(lhs, rhs) }
}

infix operator .* : MultiplicationPrecedence
