// Jaxpr parameters of the primitives whose JAX spelling depends on the input ranks.
//
// Where Weft's primitives differ from JAX 0.10.2's, the printed graphs differ too:
// - Binary operations and `select_n` broadcast their operands implicitly (NumPy rules),
//   so the `broadcast_in_dim` equations that JAX inserts before them are absent.
// - `dot_general` takes the matrix product over the last two axes and broadcasts the
//   leading (batch) axes, where JAX's needs equal batch axes and `jnp.matmul` adds
//   reshapes and transposes. A transposed operand is a flag of the product (contracting
//   axes such as `([1], [1])`) rather than a separate `transpose` equation.
// - `select_n` takes the condition, the value where it holds, then the other value;
//   JAX's takes the cases in index order, so the value for false comes first.
// - `relu` is one primitive; JAX prints a `custom_jvp_call` around `max x 0.0`.
// - `pow(x, 2)` is `pow` with a literal exponent, where JAX prints `x ** 2` as
//   `integer_pow[y=2]`.
// - Weakly typed scalars are promoted before binding, so JAX's
//   `convert_element_type[... weak_type=False]` of a weak scalar does not appear.
// - `gather`, `scatter-add`, `slice`, `pad` and `concatenate` print Weft's own
//   parameters, which are simpler than JAX's gather and scatter dimension numbers.

extension MatMul: JaxprParameterPrinting {
    /// `dimension_numbers=((lhs contracting, rhs contracting), (lhs batch, rhs batch))`
    /// with non-negative axes, and the result dtype as `preferred_element_type`.
    func jaxprParameters(inputTypes: [TensorType]) -> [String] {
        let (lhsRank, rhsRank) = (inputTypes[0].shape.count, inputTypes[1].shape.count)
        let lhsContracting = transposeA ? lhsRank - 2 : lhsRank - 1
        let rhsContracting = transposeB ? rhsRank - 1 : rhsRank - 2
        // A matrix right operand gives JAX's product without batch axes. Otherwise the
        // leading axes of both operands are batch axes.
        let lhsBatch = rhsRank == 2 ? [] : Array(0..<(lhsRank - 2))
        let rhsBatch = Array(0..<(rhsRank - 2))
        func list(_ axes: [Int]) -> String { "[" + axes.map(String.init).joined(separator: ", ") + "]" }
        return [
            "dimension_numbers=((\(list([lhsContracting])), \(list([rhsContracting]))), (\(list(lhsBatch)), \(list(rhsBatch))))",
            "preferred_element_type=\(inputTypes[0].dtype.rawValue)",
        ]
    }
}

extension BroadcastTo: JaxprParameterPrinting {
    /// Returns `broadcast_dimensions`, the output axes that the input's axes map to (its
    /// trailing axes, by NumPy rules), or nothing for a scalar input, as JAX prints it.
    /// The target shape is the output type, so it is not printed.
    func jaxprParameters(inputTypes: [TensorType]) -> [String] {
        let inputRank = inputTypes[0].shape.count
        guard inputRank > 0 else { return [] }
        return ["broadcast_dimensions=\(formatShape(Array((shape.count - inputRank)..<shape.count)))"]
    }
}
