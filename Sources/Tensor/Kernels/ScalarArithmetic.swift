#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Element types with the arithmetic the elementwise kernels need.
///
/// Integer operations wrap on overflow and follow XLA for division by zero (the
/// quotient is -1, or all ones when unsigned, and the remainder is the dividend), so
/// a kernel never traps on data.
protocol NumericElement: TensorScalar, Comparable {
    static func add(_ a: Self, _ b: Self) -> Self
    static func subtract(_ a: Self, _ b: Self) -> Self
    static func multiply(_ a: Self, _ b: Self) -> Self
    static func divide(_ a: Self, _ b: Self) -> Self
    static func floorDivide(_ a: Self, _ b: Self) -> Self
    static func remainder(_ a: Self, _ b: Self) -> Self
    static func power(_ a: Self, _ b: Self) -> Self
    static func fromDouble(_ value: Double) -> Self
    var doubleValue: Double { get }
    static var zero: Self { get }
}

extension Float: NumericElement {
    static func add(_ a: Float, _ b: Float) -> Float { a + b }
    static func subtract(_ a: Float, _ b: Float) -> Float { a - b }
    static func multiply(_ a: Float, _ b: Float) -> Float { a * b }
    static func divide(_ a: Float, _ b: Float) -> Float { a / b }

    /// Python's float floor division. It is computed from `fmod` so that it agrees with
    /// `remainder`, which makes `1 // 0.1` equal 9 (remainder 0.09999999) where
    /// `floor(1 / 0.1)` rounds to 10 in float32. A zero divisor gives `a / b`, as in NumPy.
    static func floorDivide(_ a: Float, _ b: Float) -> Float {
        if b == 0 { return a / b }
        let r = fmodf(a, b)
        var quotient = (a - r) / b
        if r != 0 && (r < 0) != (b < 0) { quotient -= 1 }
        if quotient == 0 { return copysignf(0, a / b) }
        // `quotient` is a whole number up to rounding error, so round it to the nearest one.
        let floored = quotient.rounded(.down)
        return quotient - floored > 0.5 ? floored + 1 : floored
    }

    /// Python's float modulo: the result has the sign of the divisor.
    static func remainder(_ a: Float, _ b: Float) -> Float {
        let r = fmodf(a, b)
        return (r != 0 && (r < 0) != (b < 0)) ? r + b : r
    }

    static func power(_ a: Float, _ b: Float) -> Float { powf(a, b) }
    static func fromDouble(_ value: Double) -> Float { Float(value) }
    var doubleValue: Double { Double(self) }
    static var zero: Float { 0 }
}

extension Int32: NumericElement {
    static func add(_ a: Int32, _ b: Int32) -> Int32 { a &+ b }
    static func subtract(_ a: Int32, _ b: Int32) -> Int32 { a &- b }
    static func multiply(_ a: Int32, _ b: Int32) -> Int32 { a &* b }

    static func divide(_ a: Int32, _ b: Int32) -> Int32 {
        if b == 0 { return -1 }
        if b == -1 { return 0 &- a }
        return a / b
    }

    /// Python's floor division: rounds toward negative infinity.
    static func floorDivide(_ a: Int32, _ b: Int32) -> Int32 {
        if b == 0 { return -1 }
        if b == -1 { return 0 &- a }
        let q = a / b
        return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q
    }

    /// Python's modulo: the result has the sign of the divisor.
    static func remainder(_ a: Int32, _ b: Int32) -> Int32 {
        if b == 0 { return a }
        if b == -1 { return 0 }
        let r = a % b
        return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r
    }

    static func power(_ a: Int32, _ b: Int32) -> Int32 {
        if b < 0 { return a == 1 ? 1 : (a == -1 ? (b % 2 == 0 ? 1 : -1) : 0) }
        return powerBySquaring(a, b)
    }

    static func fromDouble(_ value: Double) -> Int32 {
        if value.isNaN { return 0 }
        return Int32(clamping: Int64(Swift.max(Swift.min(value, 3e9), -3e9).rounded(.towardZero)))
    }

    var doubleValue: Double { Double(self) }
    static var zero: Int32 { 0 }
}

/// Unsigned integer arithmetic shared by uint32 and uint8.
protocol UnsignedElement: NumericElement, FixedWidthInteger, UnsignedInteger {}

extension UnsignedElement {
    static func add(_ a: Self, _ b: Self) -> Self { a &+ b }
    static func subtract(_ a: Self, _ b: Self) -> Self { a &- b }
    static func multiply(_ a: Self, _ b: Self) -> Self { a &* b }
    static func divide(_ a: Self, _ b: Self) -> Self { b == 0 ? Self.max : a / b }
    static func floorDivide(_ a: Self, _ b: Self) -> Self { b == 0 ? Self.max : a / b }
    static func remainder(_ a: Self, _ b: Self) -> Self { b == 0 ? a : a % b }

    static func power(_ a: Self, _ b: Self) -> Self { powerBySquaring(a, b) }

    static func fromDouble(_ value: Double) -> Self {
        if value.isNaN { return 0 }
        return Self(clamping: Int64(Swift.max(Swift.min(value, 1e10), -1e10).rounded(.towardZero)))
    }

    var doubleValue: Double { Double(self) }
    static var zero: Self { 0 }
}

extension UInt32: UnsignedElement {}
extension UInt8: UnsignedElement {}

/// `base` raised to a non-negative `exponent` by repeated squaring, wrapping on overflow.
func powerBySquaring<T: FixedWidthInteger>(_ base: T, _ exponent: T) -> T {
    var result: T = 1
    var factor = base
    var remaining = exponent
    while remaining > 0 {
        if remaining & 1 == 1 { result = result &* factor }
        factor = factor &* factor
        remaining >>= 1
    }
    return result
}
