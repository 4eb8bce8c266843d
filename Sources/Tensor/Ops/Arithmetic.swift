/// A Swift number that can stand on either side of a tensor operator.
///
/// The number takes the tensor's dtype, as a weakly typed Python scalar does in JAX:
/// `uint8Tensor + 1` stays uint8, and `intTensor * 0.5` becomes float32.
public protocol ScalarOperand {
    var operandValue: Double { get }
    var isIntegral: Bool { get }
}

extension Int: ScalarOperand {
    public var operandValue: Double { Double(self) }
    public var isIntegral: Bool { true }
}

extension Float: ScalarOperand {
    public var operandValue: Double { Double(self) }
    public var isIntegral: Bool { false }
}

extension Double: ScalarOperand {
    public var operandValue: Double { self }
    public var isIntegral: Bool { false }
}

extension Tensor {
    /// This tensor converted to `dtype`; returns `self` when the dtype already matches.
    public func astype(_ dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        return bind1(ConvertElementType(newDType: dtype), [self])
    }

    /// NumPy's name for `astype`.
    public func cast(_ dtype: DType) -> Tensor { astype(dtype) }
}

/// Converts both operands to their promoted dtype.
func promote(_ a: Tensor, _ b: Tensor) -> (Tensor, Tensor) {
    if a.dtype == b.dtype { return (a, b) }
    if b.isWeaklyTyped && !a.isWeaklyTyped, let value = b.concreteOrNil() {
        let scalar = value.dtype.isFloatingPoint ? value.floatValue.operandValue as any ScalarOperand : value.intValue
        return promote(a, scalar)
    }
    if a.isWeaklyTyped && !b.isWeaklyTyped, let value = a.concreteOrNil() {
        let scalar = value.dtype.isFloatingPoint ? value.floatValue.operandValue as any ScalarOperand : value.intValue
        let (promotedB, promotedA) = promote(b, scalar)
        return (promotedA, promotedB)
    }
    let dtype = DType.promoted(a.dtype, b.dtype)
    return (a.astype(dtype), b.astype(dtype))
}

/// Converts a tensor and a Swift number to a common dtype, the number being weakly typed.
func promote(_ tensor: Tensor, _ scalar: some ScalarOperand) -> (Tensor, Tensor) {
    var dtype = tensor.dtype
    if dtype == .bool || (!scalar.isIntegral && !dtype.isFloatingPoint) {
        dtype = scalar.isIntegral ? .int32 : .float32
    }
    return (tensor.astype(dtype), Tensor.fromDoubles([scalar.operandValue], shape: [], dtype: dtype))
}

func binary(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor) -> Tensor {
    bind1(ElementwiseBinary(operation: operation), [a, b])
}

func unary(_ operation: UnaryOperation, _ x: Tensor) -> Tensor {
    bind1(ElementwiseUnary(operation: operation), [x])
}

/// The input as float32 when it is an integer or bool tensor, as `jnp.exp(ints)` does.
func floating(_ x: Tensor) -> Tensor {
    x.dtype.isFloatingPoint ? x : x.astype(.float32)
}

extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor { let (x, y) = promote(a, b); return binary(.add, x, y) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { let (x, y) = promote(a, b); return binary(.subtract, x, y) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { let (x, y) = promote(a, b); return binary(.multiply, x, y) }

    /// True division: integer operands give float32, as in NumPy.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        binary(.divide, floating(a), floating(b))
    }

    public static func + <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { let (x, y) = promote(a, b); return binary(.add, x, y) }
    public static func + <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { let (y, x) = promote(b, a); return binary(.add, x, y) }
    public static func - <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { let (x, y) = promote(a, b); return binary(.subtract, x, y) }
    public static func - <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { let (y, x) = promote(b, a); return binary(.subtract, x, y) }
    public static func * <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { let (x, y) = promote(a, b); return binary(.multiply, x, y) }
    public static func * <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { let (y, x) = promote(b, a); return binary(.multiply, x, y) }
    public static func / <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { let (x, y) = promote(floating(a), b); return binary(.divide, x, y) }
    public static func / <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { let (y, x) = promote(floating(b), a); return binary(.divide, x, y) }

    public static prefix func - (x: Tensor) -> Tensor { unary(.negate, x) }

    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    public static func /= (a: inout Tensor, b: Tensor) { a = a / b }
    public static func += <S: ScalarOperand>(a: inout Tensor, b: S) { a = a + b }
    public static func -= <S: ScalarOperand>(a: inout Tensor, b: S) { a = a - b }
    public static func *= <S: ScalarOperand>(a: inout Tensor, b: S) { a = a * b }
    public static func /= <S: ScalarOperand>(a: inout Tensor, b: S) { a = a / b }

    /// Python's `%`: the result has the sign of the divisor.
    public static func % (a: Tensor, b: Tensor) -> Tensor { let (x, y) = promote(a, b); return binary(.remainder, x, y) }
    public static func % <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { let (x, y) = promote(a, b); return binary(.remainder, x, y) }
}

/// Python's `//`: the quotient rounded toward negative infinity.
public func floorDivide(_ a: Tensor, _ b: Tensor) -> Tensor {
    let (x, y) = promote(a, b)
    return binary(.floorDivide, x, y)
}

/// Python's `//` with a Swift number as divisor.
public func floorDivide<S: ScalarOperand>(_ a: Tensor, _ b: S) -> Tensor {
    let (x, y) = promote(a, b)
    return binary(.floorDivide, x, y)
}

/// Python's `%`: the remainder with the sign of the divisor.
public func mod(_ a: Tensor, _ b: Tensor) -> Tensor { a % b }

/// `a` raised to `b`, elementwise with broadcasting.
public func pow(_ a: Tensor, _ b: Tensor) -> Tensor {
    let (x, y) = promote(a, b)
    return binary(.power, x, y)
}

/// `a` raised to a Swift number.
public func pow<S: ScalarOperand>(_ a: Tensor, _ b: S) -> Tensor {
    let (x, y) = promote(a, b)
    return binary(.power, x, y)
}

/// The elementwise maximum; a NaN operand gives NaN.
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { let (x, y) = promote(a, b); return binary(.maximum, x, y) }
public func maximum<S: ScalarOperand>(_ a: Tensor, _ b: S) -> Tensor { let (x, y) = promote(a, b); return binary(.maximum, x, y) }

/// The elementwise minimum; a NaN operand gives NaN.
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor { let (x, y) = promote(a, b); return binary(.minimum, x, y) }
public func minimum<S: ScalarOperand>(_ a: Tensor, _ b: S) -> Tensor { let (x, y) = promote(a, b); return binary(.minimum, x, y) }

/// `x` limited to `[low, high]` elementwise (`jnp.clip`).
///
/// Disfavored so that number literals as bounds, as in `clip(x, min: -1, max: 1)`, pick
/// the overload with `Double` bounds instead of being ambiguous.
@_disfavoredOverload
public func clip(_ x: Tensor, min low: Tensor? = nil, max high: Tensor? = nil) -> Tensor {
    var result = x
    if let low { result = maximum(result, low) }
    if let high { result = minimum(result, high) }
    return result
}

/// `x` limited to `[low, high]` elementwise, with Swift numbers as bounds.
public func clip(_ x: Tensor, min low: Double? = nil, max high: Double? = nil) -> Tensor {
    var result = x
    if let low { result = maximum(result, low) }
    if let high { result = minimum(result, high) }
    return result
}

/// `x` limited to `[low, high]` elementwise, with integer bounds. An integer tensor keeps
/// its dtype, as `jnp.clip` does with Python ints, and integer literals pick this overload.
public func clip(_ x: Tensor, min low: Int? = nil, max high: Int? = nil) -> Tensor {
    var result = x
    if let low { result = maximum(result, low) }
    if let high { result = minimum(result, high) }
    return result
}
