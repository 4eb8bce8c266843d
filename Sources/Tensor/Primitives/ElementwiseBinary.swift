/// Binary elementwise operations with NumPy broadcasting.
///
/// Both operands must have the same dtype (the public operators promote first); the
/// shapes broadcast as in NumPy. Comparisons return bool.
public enum BinaryOperation: String, Sendable, CaseIterable {
    case add, subtract, multiply, divide, power, maximum, minimum
    case floorDivide = "floor_divide"
    case remainder = "rem"
    case equal = "eq", notEqual = "ne", less = "lt", lessEqual = "le", greater = "gt", greaterEqual = "ge"
    case logicalAnd = "and", logicalOr = "or"

    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return true
        default: return false
        }
    }

    var isLogical: Bool { self == .logicalAnd || self == .logicalOr }

    /// The jaxpr name (`add`, `sub`, `mul`, `div`, `pow`, `max`, `min`, ...).
    var jaxName: String {
        switch self {
        case .subtract: return "sub"
        case .multiply: return "mul"
        case .divide: return "div"
        case .power: return "pow"
        case .maximum: return "max"
        case .minimum: return "min"
        default: return rawValue
        }
    }
}

struct ElementwiseBinary: DestinationPassingPrimitive {
    let operation: BinaryOperation

    var name: String { operation.jaxName }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let (a, b) = (inputs[0], inputs[1])
        precondition(
            a.dtype == b.dtype,
            "\(name): operands have different dtypes \(a.dtype) and \(b.dtype) (shapes \(formatShape(a.shape)) and \(formatShape(b.shape)))")
        if operation.isLogical {
            precondition(a.dtype == .bool, "\(name): logical operations need bool operands, got \(a.dtype)")
        } else if !operation.isComparison || a.dtype == .bool {
            precondition(
                a.dtype != .bool || operation == .equal || operation == .notEqual,
                "\(name): bool operands are not supported; cast them with astype(.int32) or use logicalAnd/logicalOr")
        }
        let shape = ShapeRules.broadcast(a.shape, b.shape, operation: name)
        let dtype: DType = operation.isComparison ? .bool : a.dtype
        return [TensorType(shape: shape, dtype: dtype)]
    }

    var isPointwise: Bool { true }

    func evaluate(_ inputs: [Tensor], into outputs: [Tensor]) {
        let (a, b) = (inputs[0], inputs[1])
        var out = outputs[0]
        switch a.dtype {
        case .float32:
            if !operation.isComparison && runVectorized(a, b, out) { return }
            run(Float.self, a, b, &out)
        case .int32: run(Int32.self, a, b, &out)
        case .uint32: run(UInt32.self, a, b, &out)
        case .uint8: run(UInt8.self, a, b, &out)
        case .bool: runBool(a, b, &out)
        }
    }

    /// Runs the float32 cases where each operand has the output's size or is a scalar
    /// with the C loops. Returns false, computing nothing, in every other case.
    private func runVectorized(_ a: Tensor, _ b: Tensor, _ out: Tensor) -> Bool {
        let count = out.size
        guard (a.size == count || a.size == 1) && (b.size == count || b.size == 1) else { return false }
        let aIsScalar = a.size == 1 && count != 1
        let bIsScalar = b.size == 1 && count != 1
        return a.withElements(Float.self) { pa in
            b.withElements(Float.self) { pb in
                out.withElements(Float.self) { po in
                    VectorKernels.binary(operation, pa, aIsScalar: aIsScalar, pb, bIsScalar: bIsScalar, po, count)
                }
            }
        }
    }

    private func run<T: NumericElement>(_ type: T.Type, _ a: Tensor, _ b: Tensor, _ out: inout Tensor) {
        a.withElements(T.self) { pa in
            b.withElements(T.self) { pb in
                if operation.isComparison {
                    out.withElements(Bool.self) { po in
                        compare(pa, a.shape, pb, b.shape, po, out.shape)
                    }
                } else {
                    out.withElements(T.self) { po in
                        arithmetic(pa, a.shape, pb, b.shape, po, out.shape)
                    }
                }
            }
        }
    }

    @inline(__always)
    private func arithmetic<T: NumericElement>(
        _ a: UnsafeMutablePointer<T>, _ aShape: [Int], _ b: UnsafeMutablePointer<T>, _ bShape: [Int],
        _ out: UnsafeMutablePointer<T>, _ outShape: [Int]
    ) {
        typealias Loops = ElementwiseLoops
        switch operation {
        case .add: Loops.binary(a, aShape, b, bShape, out, outShape) { T.add($0, $1) }
        case .subtract: Loops.binary(a, aShape, b, bShape, out, outShape) { T.subtract($0, $1) }
        case .multiply: Loops.binary(a, aShape, b, bShape, out, outShape) { T.multiply($0, $1) }
        case .divide: Loops.binary(a, aShape, b, bShape, out, outShape) { T.divide($0, $1) }
        case .power: Loops.binary(a, aShape, b, bShape, out, outShape) { T.power($0, $1) }
        case .floorDivide: Loops.binary(a, aShape, b, bShape, out, outShape) { T.floorDivide($0, $1) }
        case .remainder: Loops.binary(a, aShape, b, bShape, out, outShape) { T.remainder($0, $1) }
        case .maximum: Loops.binary(a, aShape, b, bShape, out, outShape) { ($0 != $0 || $0 > $1) ? $0 : $1 }
        case .minimum: Loops.binary(a, aShape, b, bShape, out, outShape) { ($0 != $0 || $0 < $1) ? $0 : $1 }
        default: preconditionFailure("\(name): not an arithmetic operation")
        }
    }

    @inline(__always)
    private func compare<T: NumericElement>(
        _ a: UnsafeMutablePointer<T>, _ aShape: [Int], _ b: UnsafeMutablePointer<T>, _ bShape: [Int],
        _ out: UnsafeMutablePointer<Bool>, _ outShape: [Int]
    ) {
        typealias Loops = ElementwiseLoops
        switch operation {
        case .equal: Loops.binary(a, aShape, b, bShape, out, outShape) { $0 == $1 }
        case .notEqual: Loops.binary(a, aShape, b, bShape, out, outShape) { $0 != $1 }
        case .less: Loops.binary(a, aShape, b, bShape, out, outShape) { $0 < $1 }
        case .lessEqual: Loops.binary(a, aShape, b, bShape, out, outShape) { $0 <= $1 }
        case .greater: Loops.binary(a, aShape, b, bShape, out, outShape) { $0 > $1 }
        case .greaterEqual: Loops.binary(a, aShape, b, bShape, out, outShape) { $0 >= $1 }
        default: preconditionFailure("\(name): not a comparison")
        }
    }

    private func runBool(_ a: Tensor, _ b: Tensor, _ out: inout Tensor) {
        a.withElements(Bool.self) { pa in
            b.withElements(Bool.self) { pb in
                out.withElements(Bool.self) { po in
                    typealias Loops = ElementwiseLoops
                    switch operation {
                    case .logicalAnd: Loops.binary(pa, a.shape, pb, b.shape, po, out.shape) { $0 && $1 }
                    case .logicalOr: Loops.binary(pa, a.shape, pb, b.shape, po, out.shape) { $0 || $1 }
                    case .equal: Loops.binary(pa, a.shape, pb, b.shape, po, out.shape) { $0 == $1 }
                    case .notEqual: Loops.binary(pa, a.shape, pb, b.shape, po, out.shape) { $0 != $1 }
                    default: preconditionFailure("\(name): not defined for bool")
                    }
                }
            }
        }
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        let (a, b, g) = (inputs[0], inputs[1], cotangents[0])
        guard a.dtype.isFloatingPoint else { return [nil, nil] }

        let (da, db): (Tensor?, Tensor?)
        switch operation {
        case .add:
            (da, db) = (g, g)
        case .subtract:
            (da, db) = (g, -g)
        case .multiply:
            (da, db) = (g * b, g * a)
        case .divide:
            (da, db) = (g / b, -g * outputs[0] / b)
        case .power:
            // d/da a^b = b a^(b-1); d/db a^b = log(a) a^b, taken as 0 where a == 0 as JAX does.
            let safeLog = log(select(a .== 0, Tensor.ones(like: a), a))
            (da, db) = (g * b * pow(a, b - 1), g * outputs[0] * safeLog)
        case .maximum, .minimum:
            // Ties split the gradient evenly between the operands, as in JAX.
            let wins = operation == .maximum ? (a .> b) : (a .< b)
            let share = select(wins, Tensor.ones(like: g), select(a .== b, Tensor.full(g.shape, 0.5), Tensor.zeros(like: g)))
            (da, db) = (g * share, g * (1 - share))
        case .remainder:
            (da, db) = (g, -g * floor(a / b))
        case .floorDivide:
            (da, db) = (Tensor.zeros(like: g), Tensor.zeros(like: g))
        default:
            return [nil, nil]
        }
        return [da.map { sumToShape($0, a.shape) }, db.map { sumToShape($0, b.shape) }]
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        let aligned = Batching.alignForBroadcast(inputs, axes: axes)
        return ([bind1(self, aligned)], [0])
    }
}
