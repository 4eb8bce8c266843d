#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unary elementwise operations. The transcendental ones need float32 input (the
/// public functions convert integers first, as `jnp.exp` does).
public enum UnaryOperation: String, Sendable, CaseIterable {
    case negate = "neg"
    case exp, log
    case log1p
    case expm1
    case sqrt
    case rsqrt
    case abs
    case sign
    case sin, cos, tanh
    case logistic
    case relu
    case floor, ceil
    case round
    case erf
    case logicalNot = "not"

    var needsFloat: Bool {
        switch self {
        case .negate, .abs, .sign, .relu, .logicalNot: return false
        default: return true
        }
    }
}

struct ElementwiseUnary: DestinationPassingPrimitive {
    let operation: UnaryOperation

    var name: String { operation.rawValue }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let input = inputs[0]
        if operation == .logicalNot {
            precondition(input.dtype == .bool || input.dtype.isInteger, "not: needs a bool or integer tensor, got \(input.dtype)")
        } else if operation.needsFloat {
            precondition(input.dtype == .float32, "\(name): needs a float32 tensor, got \(input.dtype) of shape \(formatShape(input.shape))")
        } else {
            precondition(input.dtype != .bool, "\(name): not defined for bool tensors")
        }
        return [input]
    }

    var isPointwise: Bool { true }

    func evaluate(_ inputs: [Tensor], into outputs: [Tensor]) {
        let input = inputs[0]
        var out = outputs[0]
        let count = input.size
        switch input.dtype {
        case .float32:
            input.withElements(Float.self) { a in
                out.withElements(Float.self) { o in
                    if !VectorKernels.unary(operation, a, o, count) { floatKernel(a, o, count) }
                }
            }
        case .int32:
            input.withElements(Int32.self) { a in
                out.withElements(Int32.self) { o in
                    switch operation {
                    case .negate: ElementwiseLoops.unary(a, o, count: count) { 0 &- $0 }
                    case .abs: ElementwiseLoops.unary(a, o, count: count) { $0 < 0 ? 0 &- $0 : $0 }
                    case .sign: ElementwiseLoops.unary(a, o, count: count) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
                    case .relu: ElementwiseLoops.unary(a, o, count: count) { Swift.max($0, 0) }
                    case .logicalNot: ElementwiseLoops.unary(a, o, count: count) { ~$0 }
                    default: preconditionFailure("\(name): not defined for int32")
                    }
                }
            }
        case .uint32: unsignedKernel(UInt32.self, input, &out)
        case .uint8: unsignedKernel(UInt8.self, input, &out)
        case .bool:
            input.withElements(Bool.self) { a in
                out.withElements(Bool.self) { o in ElementwiseLoops.unary(a, o, count: count) { !$0 } }
            }
        }
    }

    private func unsignedKernel<T: UnsignedElement>(_ type: T.Type, _ input: Tensor, _ out: inout Tensor) {
        let count = input.size
        input.withElements(T.self) { a in
            out.withElements(T.self) { o in
                switch operation {
                case .negate: ElementwiseLoops.unary(a, o, count: count) { 0 &- $0 }
                case .abs, .relu: ElementwiseLoops.unary(a, o, count: count) { $0 }
                case .sign: ElementwiseLoops.unary(a, o, count: count) { $0 > 0 ? 1 : 0 }
                case .logicalNot: ElementwiseLoops.unary(a, o, count: count) { ~$0 }
                default: preconditionFailure("\(name): not defined for \(T.dtype)")
                }
            }
        }
    }

    @inline(__always)
    private func floatKernel(_ a: UnsafeMutablePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ count: Int) {
        typealias Loops = ElementwiseLoops
        switch operation {
        case .negate: Loops.unary(a, o, count: count) { -$0 }
        case .exp: Loops.unary(a, o, count: count) { expf($0) }
        case .log: Loops.unary(a, o, count: count) { logf($0) }
        case .log1p: Loops.unary(a, o, count: count) { log1pf($0) }
        case .expm1: Loops.unary(a, o, count: count) { expm1f($0) }
        case .sqrt: Loops.unary(a, o, count: count) { $0.squareRoot() }
        case .rsqrt: Loops.unary(a, o, count: count) { 1 / $0.squareRoot() }
        case .abs: Loops.unary(a, o, count: count) { Swift.abs($0) }
        case .sign: Loops.unary(a, o, count: count) { $0 > 0 ? 1 : ($0 < 0 ? -1 : ($0 == 0 ? 0 : $0)) }
        case .sin: Loops.unary(a, o, count: count) { sinf($0) }
        case .cos: Loops.unary(a, o, count: count) { cosf($0) }
        case .tanh: Loops.unary(a, o, count: count) { tanhf($0) }
        case .logistic: Loops.unary(a, o, count: count) { 1 / (1 + expf(-$0)) }
        // NaN stays NaN, as in jax.nn.relu (maximum(x, 0)).
        case .relu: Loops.unary(a, o, count: count) { $0 < 0 ? 0 : $0 }
        case .floor: Loops.unary(a, o, count: count) { $0.rounded(.down) }
        case .ceil: Loops.unary(a, o, count: count) { $0.rounded(.up) }
        case .round: Loops.unary(a, o, count: count) { $0.rounded(.toNearestOrEven) }
        case .erf: Loops.unary(a, o, count: count) { erff($0) }
        case .logicalNot: preconditionFailure("not: not defined for float32")
        }
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        let (x, y, g) = (inputs[0], outputs[0], cotangents[0])
        guard x.dtype.isFloatingPoint else { return [nil] }

        switch operation {
        case .negate: return [-g]
        case .exp: return [g * y]
        case .log: return [g / x]
        case .log1p: return [g / (x + 1)]
        case .expm1: return [g * (y + 1)]
        case .sqrt: return [g / (y * 2)]
        case .rsqrt: return [g * y / x * -0.5]
        // |x|'(0) = 1, as JAX defines it (sign with 0 mapped to 1).
        case .abs: return [g * select(x .>= 0, Tensor.ones(like: x), -Tensor.ones(like: x))]
        case .sign, .floor, .ceil, .round: return [Tensor.zeros(like: g)]
        case .sin: return [g * cos(x)]
        case .cos: return [-g * sin(x)]
        case .tanh: return [g * (1 - y * y)]
        case .logistic: return [g * y * (1 - y)]
        // relu'(0) = 0, as in JAX.
        case .relu: return [g * (x .> 0).astype(.float32)]
        case .erf: return [g * exp(-(x * x)) * Float(2 / Double.pi.squareRoot())]
        case .logicalNot: return [nil]
        }
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        ([bind1(self, inputs)], axes)
    }
}
