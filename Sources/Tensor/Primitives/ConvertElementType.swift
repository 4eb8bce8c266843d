import CKernels

/// Conversion between dtypes (`astype`). Floats convert to integers by truncation
/// toward zero, saturating at the integer range, with NaN giving 0, as XLA does.
/// Conversions between integer types keep the low bits, also as XLA does, so int32 -1
/// becomes uint32 4294967295 and int32 300 becomes uint8 44.
struct ConvertElementType: DestinationPassingPrimitive {
    let newDType: DType

    var name: String { "convert_element_type" }
    var parameterDescription: String { "new_dtype=\(newDType.rawValue) weak_type=False" }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        [TensorType(shape: inputs[0].shape, dtype: newDType)]
    }

    var isPointwise: Bool { true }

    func evaluate(_ inputs: [Tensor], into outputs: [Tensor]) {
        let input = inputs[0]
        var out = outputs[0]
        if input.dtype.isInteger && newDType.isInteger {
            switch input.dtype {
            case .int32: wrap(from: Int32.self, input, &out)
            case .uint32: wrap(from: UInt32.self, input, &out)
            case .uint8: wrap(from: UInt8.self, input, &out)
            case .float32, .bool: preconditionFailure("convert_element_type: \(input.dtype) is not an integer dtype")
            }
            return
        }
        if input.dtype == .uint8 && newDType == .float32 {
            // Images stored as bytes: a vectorized C loop.
            input.withElements(UInt8.self) { a in
                out.withElements(Float.self) { o in weft_convert_u8_f32(a, o, input.size) }
            }
            return
        }
        switch input.dtype {
        case .float32: convert(from: Float.self, input, &out)
        case .int32: convert(from: Int32.self, input, &out)
        case .uint32: convert(from: UInt32.self, input, &out)
        case .uint8: convert(from: UInt8.self, input, &out)
        case .bool: convert(from: Bool.self, input, &out)
        }
    }

    private func convert<S: ConvertibleElement>(from source: S.Type, _ input: Tensor, _ out: inout Tensor) {
        switch newDType {
        case .float32: convert(S.self, Float.self, input, &out)
        case .int32: convert(S.self, Int32.self, input, &out)
        case .uint32: convert(S.self, UInt32.self, input, &out)
        case .uint8: convert(S.self, UInt8.self, input, &out)
        case .bool: convert(S.self, Bool.self, input, &out)
        }
    }

    private func convert<S: ConvertibleElement, D: ConvertibleElement>(
        _ source: S.Type, _ destination: D.Type, _ input: Tensor, _ out: inout Tensor
    ) {
        let count = input.size
        input.withElements(S.self) { a in
            out.withElements(D.self) { o in
                if S.self == UInt8.self && D.self == Float.self {
                    let bytes = UnsafeMutableRawPointer(a).assumingMemoryBound(to: UInt8.self)
                    let floats = UnsafeMutableRawPointer(o).assumingMemoryBound(to: Float.self)
                    ElementwiseLoops.unary(bytes, floats, count: count) { Float($0) }
                } else {
                    ElementwiseLoops.unary(a, o, count: count) { D.fromDouble($0.doubleValue) }
                }
            }
        }
    }

    private func wrap<S: FixedWidthInteger>(from source: S.Type, _ input: Tensor, _ out: inout Tensor) {
        switch newDType {
        case .int32: wrap(S.self, Int32.self, input, &out)
        case .uint32: wrap(S.self, UInt32.self, input, &out)
        case .uint8: wrap(S.self, UInt8.self, input, &out)
        case .float32, .bool: preconditionFailure("convert_element_type: \(newDType) is not an integer dtype")
        }
    }

    private func wrap<S: FixedWidthInteger, D: FixedWidthInteger>(
        _ source: S.Type, _ destination: D.Type, _ input: Tensor, _ out: inout Tensor
    ) {
        let count = input.size
        input.withElements(S.self) { a in
            out.withElements(D.self) { o in
                ElementwiseLoops.unary(a, o, count: count) { D(truncatingIfNeeded: $0) }
            }
        }
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        guard inputs[0].dtype.isFloatingPoint && newDType.isFloatingPoint else { return [nil] }
        return [cotangents[0].astype(inputs[0].dtype)]
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        ([bind1(self, inputs)], axes)
    }
}

/// Element types that convert through `Double` (exact for every supported dtype).
protocol ConvertibleElement: TensorScalar {
    static func fromDouble(_ value: Double) -> Self
    var doubleValue: Double { get }
}

extension Float: ConvertibleElement {}
extension Int32: ConvertibleElement {}
extension UInt32: ConvertibleElement {}
extension UInt8: ConvertibleElement {}

extension Bool: ConvertibleElement {
    static func fromDouble(_ value: Double) -> Bool { value != 0 }
    var doubleValue: Double { self ? 1 : 0 }
}
