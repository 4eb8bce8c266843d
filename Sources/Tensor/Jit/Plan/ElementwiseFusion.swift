#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A chain of float32 elementwise operations run as one pass over the output: each block
/// of elements goes through every operation before the next block starts, so the
/// intermediate values live in small scratch blocks instead of tensors.
///
/// Every input has the output's shape, is a scalar, or is a row that broadcasts along
/// the output's last axis. The operations are the same float32 expressions as the
/// unfused kernels, in the same order, so the results are identical bit for bit. Fused
/// steps exist only inside compiled plans, which never differentiate or batch them.
struct FusedElementwise: DestinationPassingPrimitive {
    enum Operand: Equatable {
        /// Input tensor `index` of the fused step.
        case input(Int)
        /// The result of instruction `index`.
        case result(Int)
    }

    enum Instruction {
        case unary(UnaryOperation, Operand)
        case binary(BinaryOperation, Operand, Operand)
    }

    let instructions: [Instruction]
    let outputType: TensorType

    var name: String { "fused_elementwise" }
    var parameterDescription: String { "operations=\(instructions.count)" }
    var isPointwise: Bool { true }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] { [outputType] }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        preconditionFailure("fused_elementwise: fused steps exist only in compiled plans and are not differentiated")
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        preconditionFailure("fused_elementwise: fused steps exist only in compiled plans and are not batched")
    }

    /// Whether `unary` and `binary` below implement the operation for float32.
    static func canFuse(_ primitive: any Primitive) -> Bool {
        if let unary = primitive as? ElementwiseUnary { return unary.operation != .logicalNot }
        if let binary = primitive as? ElementwiseBinary {
            switch binary.operation {
            case .add, .subtract, .multiply, .divide, .maximum, .minimum: return true
            default: return false
            }
        }
        return false
    }

    private static let blockSize = 256

    func evaluate(_ inputs: [Tensor], into outputs: [Tensor]) {
        let count = outputType.size
        guard count > 0 else { return }
        let rowLength = max(outputType.shape.last ?? 1, 1)
        let rowCount = count / rowLength
        let blockSize = Self.blockSize
        let pointers = inputs.map { $0.storage!.pointer(as: Float.self) }
        let isScalar = inputs.map { $0.size == 1 && count != 1 }
        let isRow = inputs.map { $0.size == rowLength && $0.size != count && $0.size != 1 }
        let out = outputs[0].storage!.pointer(as: Float.self)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(instructions.count - 1, 1) * blockSize)
        defer { scratch.deallocate() }

        withExtendedLifetime((inputs, outputs)) {
            for row in 0..<rowCount {
                var start = 0
                while start < rowLength {
                    let length = min(blockSize, rowLength - start)
                    let base = row * rowLength + start

                    // A block operand: a pointer to `length` elements, or a scalar.
                    func operand(_ operand: Operand) -> (pointer: UnsafeMutablePointer<Float>, scalar: Float?) {
                        switch operand {
                        case .result(let index):
                            return (scratch + index * blockSize, nil)
                        case .input(let index):
                            if isScalar[index] { return (pointers[index], pointers[index][0]) }
                            return (pointers[index] + (isRow[index] ? start : base), nil)
                        }
                    }

                    for (index, instruction) in instructions.enumerated() {
                        let destination = index == instructions.count - 1 ? out + base : scratch + index * blockSize
                        switch instruction {
                        case .unary(let operation, let source):
                            let a = operand(source)
                            Self.unary(operation, a.pointer, a.scalar, destination, length)
                        case .binary(let operation, let left, let right):
                            let (a, b) = (operand(left), operand(right))
                            Self.binary(operation, a.pointer, a.scalar, b.pointer, b.scalar, destination, length)
                        }
                    }
                    start += length
                }
            }
        }
    }

    @inline(__always)
    private static func map(
        _ a: UnsafeMutablePointer<Float>, _ scalar: Float?, _ out: UnsafeMutablePointer<Float>, _ count: Int,
        _ op: (Float) -> Float
    ) {
        if let scalar {
            let value = op(scalar)
            for i in 0..<count { out[i] = value }
        } else {
            for i in 0..<count { out[i] = op(a[i]) }
        }
    }

    // The same expressions as the float32 kernel of `ElementwiseUnary`.
    private static func unary(
        _ operation: UnaryOperation, _ a: UnsafeMutablePointer<Float>, _ scalar: Float?,
        _ out: UnsafeMutablePointer<Float>, _ count: Int
    ) {
        switch operation {
        case .negate: map(a, scalar, out, count) { -$0 }
        case .exp: map(a, scalar, out, count) { expf($0) }
        case .log: map(a, scalar, out, count) { logf($0) }
        case .log1p: map(a, scalar, out, count) { log1pf($0) }
        case .expm1: map(a, scalar, out, count) { expm1f($0) }
        case .sqrt: map(a, scalar, out, count) { $0.squareRoot() }
        case .rsqrt: map(a, scalar, out, count) { 1 / $0.squareRoot() }
        case .abs: map(a, scalar, out, count) { Swift.abs($0) }
        case .sign: map(a, scalar, out, count) { $0 > 0 ? 1 : ($0 < 0 ? -1 : ($0 == 0 ? 0 : $0)) }
        case .sin: map(a, scalar, out, count) { sinf($0) }
        case .cos: map(a, scalar, out, count) { cosf($0) }
        case .tanh: map(a, scalar, out, count) { tanhf($0) }
        case .logistic: map(a, scalar, out, count) { 1 / (1 + expf(-$0)) }
        case .relu: map(a, scalar, out, count) { $0 < 0 ? 0 : $0 }
        case .floor: map(a, scalar, out, count) { $0.rounded(.down) }
        case .ceil: map(a, scalar, out, count) { $0.rounded(.up) }
        case .round: map(a, scalar, out, count) { $0.rounded(.toNearestOrEven) }
        case .erf: map(a, scalar, out, count) { erff($0) }
        case .logicalNot: preconditionFailure("fused_elementwise: not is not defined for float32")
        }
    }

    @inline(__always)
    private static func zip(
        _ a: UnsafeMutablePointer<Float>, _ aScalar: Float?, _ b: UnsafeMutablePointer<Float>, _ bScalar: Float?,
        _ out: UnsafeMutablePointer<Float>, _ count: Int, _ op: (Float, Float) -> Float
    ) {
        switch (aScalar, bScalar) {
        case (let x?, let y?):
            let value = op(x, y)
            for i in 0..<count { out[i] = value }
        case (let x?, nil):
            for i in 0..<count { out[i] = op(x, b[i]) }
        case (nil, let y?):
            for i in 0..<count { out[i] = op(a[i], y) }
        case (nil, nil):
            for i in 0..<count { out[i] = op(a[i], b[i]) }
        }
    }

    // The same expressions as the float32 arithmetic of `ElementwiseBinary`.
    private static func binary(
        _ operation: BinaryOperation, _ a: UnsafeMutablePointer<Float>, _ aScalar: Float?,
        _ b: UnsafeMutablePointer<Float>, _ bScalar: Float?, _ out: UnsafeMutablePointer<Float>, _ count: Int
    ) {
        switch operation {
        case .add: zip(a, aScalar, b, bScalar, out, count) { $0 + $1 }
        case .subtract: zip(a, aScalar, b, bScalar, out, count) { $0 - $1 }
        case .multiply: zip(a, aScalar, b, bScalar, out, count) { $0 * $1 }
        case .divide: zip(a, aScalar, b, bScalar, out, count) { $0 / $1 }
        case .maximum: zip(a, aScalar, b, bScalar, out, count) { ($0 != $0 || $0 > $1) ? $0 : $1 }
        case .minimum: zip(a, aScalar, b, bScalar, out, count) { ($0 != $0 || $0 < $1) ? $0 : $1 }
        default: preconditionFailure("fused_elementwise: \(operation.jaxName) is not fused")
        }
    }
}

/// A step of a plan being compiled, before buffers are assigned.
typealias PendingStep = (
    primitive: any Primitive, inputs: [Int], inputTypes: [TensorType], outputs: [Int], types: [TensorType]
)

enum ElementwiseFusion {
    private struct Group {
        var instructions: [FusedElementwise.Instruction]
        var inputs: [Int]
        var inputTypes: [TensorType]
        var stepCount: Int
    }

    /// Replaces chains of float32 elementwise steps of one output shape by single
    /// `FusedElementwise` steps. A step joins the chain of the step it reads when it is
    /// that value's only reader and the value is not an output of the plan. Returns the
    /// new steps and the number of fused steps among them.
    static func fuse(_ steps: [PendingStep], outputSlots: [Int]) -> (steps: [PendingStep], fusedStepCount: Int) {
        var readCount = [Int: Int]()
        for step in steps { for input in step.inputs { readCount[input, default: 0] += 1 } }
        for slot in outputSlots { readCount[slot, default: 0] += 2 }

        var groups = [Int: Group]()  // step index -> the chain ending there
        var producer = [Int: Int]()  // slot -> index of the fusible step that writes it
        var absorbed = Set<Int>()

        for (index, step) in steps.enumerated() {
            guard isFusible(step) else { continue }
            let type = step.types[0]
            // Each input either continues a chain or is read by the fused pass directly.
            let chains = zip(step.inputs, step.inputTypes).map { slot, _ -> Int? in
                guard let source = producer[slot], readCount[slot] == 1, groups[source] != nil,
                    steps[source].types[0].shape == type.shape
                else { return nil }
                return source
            }
            let eligible = zip(zip(step.inputs, step.inputTypes), chains).allSatisfy { input, chain in
                chain != nil || broadcastsInOnePass(input.1, to: type)
            }
            guard eligible else { continue }

            var group = Group(instructions: [], inputs: [], inputTypes: [], stepCount: 1)
            var operands = [FusedElementwise.Operand]()
            for ((slot, inputType), chain) in zip(zip(step.inputs, step.inputTypes), chains) {
                if let source = chain {
                    operands.append(.result(append(groups[source]!, to: &group) - 1))
                    absorbed.insert(source)
                    groups[source] = nil
                } else {
                    operands.append(.input(inputIndex(slot, inputType, in: &group)))
                }
            }
            let primitive = step.primitive
            if let unary = primitive as? ElementwiseUnary {
                group.instructions.append(.unary(unary.operation, operands[0]))
            } else if let binary = primitive as? ElementwiseBinary {
                group.instructions.append(.binary(binary.operation, operands[0], operands[1]))
            }
            groups[index] = group
            producer[step.outputs[0]] = index
        }

        var result = [PendingStep]()
        var fusedCount = 0
        for (index, step) in steps.enumerated() where !absorbed.contains(index) {
            guard let group = groups[index], group.stepCount > 1 else {
                result.append(step)
                continue
            }
            let fused = FusedElementwise(instructions: group.instructions, outputType: step.types[0])
            result.append((fused, group.inputs, group.inputTypes, step.outputs, step.types))
            fusedCount += 1
        }
        return (result, fusedCount)
    }

    private static func isFusible(_ step: PendingStep) -> Bool {
        FusedElementwise.canFuse(step.primitive) && step.types.count == 1 && step.types[0].dtype == .float32
            && step.inputTypes.allSatisfy { $0.dtype == .float32 }
    }

    /// Whether an input of `type` has the output's size, is a scalar, or is a row along
    /// the output's last axis.
    private static func broadcastsInOnePass(_ type: TensorType, to output: TensorType) -> Bool {
        if type.size == output.size || type.size == 1 { return true }
        let shape = Array(type.shape.drop { $0 == 1 })
        return shape.count == 1 && shape[0] == output.shape.last
    }

    private static func inputIndex(_ slot: Int, _ type: TensorType, in group: inout Group) -> Int {
        if let existing = group.inputs.firstIndex(of: slot) { return existing }
        group.inputs.append(slot)
        group.inputTypes.append(type)
        return group.inputs.count - 1
    }

    /// Appends the instructions of `chain` to `group`, renumbering its operands, and
    /// returns the new instruction count.
    private static func append(_ chain: Group, to group: inout Group) -> Int {
        let offset = group.instructions.count
        var inputMap = [Int]()
        for (slot, type) in zip(chain.inputs, chain.inputTypes) { inputMap.append(inputIndex(slot, type, in: &group)) }
        func renumber(_ operand: FusedElementwise.Operand) -> FusedElementwise.Operand {
            switch operand {
            case .input(let index): return .input(inputMap[index])
            case .result(let index): return .result(index + offset)
            }
        }
        for instruction in chain.instructions {
            switch instruction {
            case .unary(let operation, let a): group.instructions.append(.unary(operation, renumber(a)))
            case .binary(let operation, let a, let b):
                group.instructions.append(.binary(operation, renumber(a), renumber(b)))
            }
        }
        group.stepCount += chain.stepCount
        return group.instructions.count
    }
}
