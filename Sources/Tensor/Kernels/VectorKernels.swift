import CKernels

/// Float32 elementwise loops in C (`weft_binary_f32`, `weft_unary_f32`), compiled for
/// the widest vector instructions the processor has. They compute the same correctly
/// rounded operations as the Swift loops, so the results are the same bits.
///
/// Invariant: pointers address `count` floats, or one float for a scalar operand. The
/// output is either disjoint from the operands or the same buffer as a non-scalar operand.
enum VectorKernels {
    /// Runs `operation` and returns true when a C loop exists for it and at most one
    /// operand is a scalar. Otherwise it computes nothing and returns false.
    static func binary(
        _ operation: BinaryOperation, _ a: UnsafePointer<Float>, aIsScalar: Bool, _ b: UnsafePointer<Float>,
        bIsScalar: Bool, _ out: UnsafeMutablePointer<Float>, _ count: Int
    ) -> Bool {
        let code: weft_binary_operation
        switch operation {
        case .add: code = WEFT_ADD
        case .subtract: code = WEFT_SUBTRACT
        case .multiply: code = WEFT_MULTIPLY
        case .divide: code = WEFT_DIVIDE
        case .maximum: code = WEFT_MAXIMUM
        case .minimum: code = WEFT_MINIMUM
        default: return false
        }
        return weft_binary_f32(code, a, aIsScalar ? 1 : 0, b, bIsScalar ? 1 : 0, out, count) != 0
    }

    /// Runs `operation` and returns true when a C loop exists for it, or returns false
    /// without computing anything.
    static func unary(_ operation: UnaryOperation, _ a: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int) -> Bool {
        let code: weft_unary_operation
        switch operation {
        case .negate: code = WEFT_NEGATE
        case .abs: code = WEFT_ABSOLUTE
        case .relu: code = WEFT_RELU
        case .sqrt: code = WEFT_SQUARE_ROOT
        case .rsqrt: code = WEFT_RECIPROCAL_SQUARE_ROOT
        default: return false
        }
        return weft_unary_f32(code, a, out, count) != 0
    }
}
