/// The element type of a tensor.
///
/// Floats default to `float32` and integers to `int32`, as in JAX with 64-bit mode off.
public enum DType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case float32
    case int32
    case uint32
    case uint8
    case bool

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32, .int32, .uint32: return 4
        case .uint8, .bool: return 1
        }
    }

    public var isFloatingPoint: Bool { self == .float32 }

    public var isInteger: Bool { self == .int32 || self == .uint32 || self == .uint8 }

    /// The short name JAX prints in jaxprs (`f32`, `i32`, `u32`, `u8`, `bool`).
    public var shortName: String {
        switch self {
        case .float32: return "f32"
        case .int32: return "i32"
        case .uint32: return "u32"
        case .uint8: return "u8"
        case .bool: return "bool"
        }
    }

    public var description: String { rawValue }

    /// The result type of a binary operation on two dtypes: the later of
    /// bool < uint8 < uint32 < int32 < float32.
    ///
    /// JAX would promote int32 with uint32 to int64 and then truncate to int32 when
    /// 64-bit mode is off; Weft gives int32 directly.
    public static func promoted(_ a: DType, _ b: DType) -> DType {
        let order: [DType] = [.bool, .uint8, .uint32, .int32, .float32]
        let rank = { (d: DType) in order.firstIndex(of: d)! }
        return rank(a) >= rank(b) ? a : b
    }
}

/// A Swift scalar type that can be a tensor element.
public protocol TensorScalar: Sendable, Equatable {
    static var dtype: DType { get }
}

extension Float: TensorScalar { public static var dtype: DType { .float32 } }
extension Int32: TensorScalar { public static var dtype: DType { .int32 } }
extension UInt32: TensorScalar { public static var dtype: DType { .uint32 } }
extension UInt8: TensorScalar { public static var dtype: DType { .uint8 } }
extension Bool: TensorScalar { public static var dtype: DType { .bool } }
