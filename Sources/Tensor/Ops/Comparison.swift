infix operator .&& : LogicalConjunctionPrecedence
infix operator .|| : LogicalDisjunctionPrecedence

extension Tensor {
    public static func .== (a: Tensor, b: Tensor) -> Tensor { let (x, y) = promote(a, b); return binary(.equal, x, y) }
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { let (x, y) = promote(a, b); return binary(.notEqual, x, y) }
    public static func .< (a: Tensor, b: Tensor) -> Tensor { let (x, y) = promote(a, b); return binary(.less, x, y) }
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { let (x, y) = promote(a, b); return binary(.lessEqual, x, y) }
    public static func .> (a: Tensor, b: Tensor) -> Tensor { let (x, y) = promote(a, b); return binary(.greater, x, y) }
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { let (x, y) = promote(a, b); return binary(.greaterEqual, x, y) }

    public static func .== <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { let (x, y) = promote(a, b); return binary(.equal, x, y) }
    public static func .!= <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { let (x, y) = promote(a, b); return binary(.notEqual, x, y) }
    public static func .< <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { let (x, y) = promote(a, b); return binary(.less, x, y) }
    public static func .<= <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { let (x, y) = promote(a, b); return binary(.lessEqual, x, y) }
    public static func .> <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { let (x, y) = promote(a, b); return binary(.greater, x, y) }
    public static func .>= <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { let (x, y) = promote(a, b); return binary(.greaterEqual, x, y) }

    /// Elementwise logical and of two bool tensors.
    public static func .&& (a: Tensor, b: Tensor) -> Tensor { logicalAnd(a, b) }

    /// Elementwise logical or of two bool tensors.
    public static func .|| (a: Tensor, b: Tensor) -> Tensor { logicalOr(a, b) }
}

/// Elementwise logical and; non-bool operands are compared with zero first.
public func logicalAnd(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.logicalAnd, truth(a), truth(b)) }

/// Elementwise logical or; non-bool operands are compared with zero first.
public func logicalOr(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.logicalOr, truth(a), truth(b)) }

/// Elementwise logical not; a non-bool operand is compared with zero first.
public func logicalNot(_ x: Tensor) -> Tensor { unary(.logicalNot, truth(x)) }

func truth(_ x: Tensor) -> Tensor { x.dtype == .bool ? x : x .!= 0 }
