/// Reductions over a set of axes; the reduced axes are removed from the shape
/// (`keepDims` is a reshape in the public functions).
public enum ReduceOperation: String, Sendable {
    case sum = "reduce_sum"
    case max = "reduce_max"
    case min = "reduce_min"
    case prod = "reduce_prod"
    case any = "reduce_or"
    case all = "reduce_and"
}

struct Reduce: DestinationPassingPrimitive {
    let operation: ReduceOperation
    let axes: [Int]

    var name: String { operation.rawValue }
    /// JAX 0.10.2 prints `out_sharding` for reduce_sum only.
    var parameterDescription: String {
        operation == .sum ? "axes=\(formatShape(axes)) out_sharding=None" : "axes=\(formatShape(axes))"
    }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let input = inputs[0]
        for axis in axes {
            precondition(axis >= 0 && axis < input.shape.count, "\(name): axis \(axis) is out of range for shape \(formatShape(input.shape))")
        }
        if operation == .any || operation == .all {
            precondition(input.dtype == .bool, "\(name): needs a bool tensor, got \(input.dtype)")
        } else {
            precondition(input.dtype != .bool, "\(name): bool tensors must be cast first")
        }
        if operation == .max || operation == .min {
            for axis in axes {
                precondition(input.shape[axis] > 0, "\(name): cannot reduce an empty axis \(axis) of shape \(formatShape(input.shape))")
            }
        }
        let shape = input.shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        return [TensorType(shape: shape, dtype: input.dtype)]
    }

    var isPointwise: Bool { false }

    func evaluate(_ inputs: [Tensor], into outputs: [Tensor]) {
        let (input, outer, length, inner) = ReductionLayout.arrange(inputs[0], axes: axes)
        var out = outputs[0]
        switch input.dtype {
        case .float32:
            input.withElements(Float.self) { a in
                out.withElements(Float.self) { o in floatKernel(a, o, outer, length, inner) }
            }
        case .int32: integerKernel(Int32.self, input, &out, outer, length, inner)
        case .uint32: integerKernel(UInt32.self, input, &out, outer, length, inner)
        case .uint8: integerKernel(UInt8.self, input, &out, outer, length, inner)
        case .bool:
            input.withElements(Bool.self) { a in
                out.withElements(Bool.self) { o in
                    let isAll = operation == .all
                    ReductionLayout.fold(a, o, outer, length, inner, initial: isAll) { isAll ? ($0 && $1) : ($0 || $1) }
                }
            }
        }
    }

    private func floatKernel(_ a: UnsafeMutablePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ outer: Int, _ length: Int, _ inner: Int) {
        switch operation {
        case .sum:
            if inner == 1 {
                Summation.pairwiseRows(a, rows: outer, length: length, o)
                return
            }
            for row in 0..<outer {
                Summation.rows(a + row * length * inner, rows: length, width: inner, o + row * inner)
            }
        case .max:
            ReductionLayout.fold(a, o, outer, length, inner, initial: -Float.infinity) { ($0 != $0 || $0 >= $1) ? $0 : $1 }
        case .min:
            ReductionLayout.fold(a, o, outer, length, inner, initial: Float.infinity) { ($0 != $0 || $0 <= $1) ? $0 : $1 }
        case .prod:
            ReductionLayout.fold(a, o, outer, length, inner, initial: 1) { $0 * $1 }
        case .any, .all:
            preconditionFailure("\(name): needs bool input")
        }
    }

    private func integerKernel<T: NumericElement & FixedWidthInteger>(
        _ type: T.Type, _ input: Tensor, _ out: inout Tensor, _ outer: Int, _ length: Int, _ inner: Int
    ) {
        input.withElements(T.self) { a in
            out.withElements(T.self) { o in
                switch operation {
                case .sum: ReductionLayout.fold(a, o, outer, length, inner, initial: 0) { $0 &+ $1 }
                case .max: ReductionLayout.fold(a, o, outer, length, inner, initial: T.min) { Swift.max($0, $1) }
                case .min: ReductionLayout.fold(a, o, outer, length, inner, initial: T.max) { Swift.min($0, $1) }
                case .prod: ReductionLayout.fold(a, o, outer, length, inner, initial: 1) { $0 &* $1 }
                case .any, .all: preconditionFailure("\(name): needs bool input")
                }
            }
        }
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        let x = inputs[0]
        guard x.dtype.isFloatingPoint else { return [nil] }
        let keptShape = ReductionLayout.keptShape(x.shape, axes: axes)
        let g = cotangents[0].reshaped(keptShape).broadcast(to: x.shape)
        let y = outputs[0].reshaped(keptShape)
        switch operation {
        case .sum:
            return [g]
        case .max, .min:
            // Ties share the gradient evenly.
            let hits = (x .== y).astype(.float32)
            let counts = hits.sum(axes: axes, keepDims: true)
            return [g * hits / counts]
        case .prod:
            // Each element's gradient is the product of the others. Dividing y by x would
            // give NaN at a zero, so the zeros are counted. Without zeros the gradient is
            // y / x. With one zero it is the product of the nonzero elements at the zero
            // and 0 elsewhere, and with more zeros it is 0 everywhere.
            // NOTE: at inputs with an exact zero, the mixed second derivatives of a nonzero
            // element with the zero come out as 0, because its branch is the constant 0.
            let isZero = x .== 0
            let zeroCounts = isZero.astype(.float32).sum(axes: axes, keepDims: true)
            let nonzero = select(isZero, Tensor.ones(like: x), x)
            let nonzeroProducts = nonzero.prod(axes: axes, keepDims: true)
            let others = select(
                zeroCounts .== 0, y / nonzero,
                select(isZero .&& (zeroCounts .== 1), nonzeroProducts, Tensor.zeros(like: x)))
            return [g * others]
        case .any, .all:
            return [nil]
        }
    }

    func batch(_ inputs: [Tensor], axes batchAxes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        let x = Batching.moveAxisToFront(inputs[0], from: batchAxes[0]!)
        return ([bind1(Reduce(operation: operation, axes: axes.map { $0 + 1 }), [x])], [0])
    }
}

/// The index of the largest (or smallest) element along one axis. Ties give the first
/// index, and a NaN wins (the first one), as in NumPy.
struct ArgReduce: Primitive {
    let isMax: Bool
    let axis: Int

    var name: String { isMax ? "argmax" : "argmin" }
    var parameterDescription: String { "axes=(\(axis),) index_dtype=int32" }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let input = inputs[0]
        precondition(axis >= 0 && axis < input.shape.count, "\(name): axis \(axis) is out of range for shape \(formatShape(input.shape))")
        precondition(input.shape[axis] > 0, "\(name): cannot take \(name) of an empty axis in shape \(formatShape(input.shape))")
        precondition(input.dtype != .bool, "\(name): cast bool tensors first")
        var shape = input.shape
        shape.remove(at: axis)
        return [TensorType(shape: shape, dtype: .int32)]
    }

    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor] {
        let input = inputs[0]
        var out = Tensor(uninitializedShape: types[0].shape, dtype: .int32)
        switch input.dtype {
        case .float32: run(Float.self, input, &out)
        case .int32: run(Int32.self, input, &out)
        case .uint32: run(UInt32.self, input, &out)
        case .uint8: run(UInt8.self, input, &out)
        case .bool: preconditionFailure("\(name): cast bool tensors first")
        }
        return [out]
    }

    private func run<T: NumericElement>(_ type: T.Type, _ input: Tensor, _ out: inout Tensor) {
        let outer = input.shape[..<axis].reduce(1, *)
        let length = input.shape[axis]
        let inner = input.shape[(axis + 1)...].reduce(1, *)
        let isMax = self.isMax
        input.withElements(T.self) { a in
            out.withElements(Int32.self) { o in
                for row in 0..<outer {
                    for column in 0..<inner {
                        let base = row * length * inner + column
                        var best = a[base]
                        var bestIndex = 0
                        if best == best {
                            for k in 1..<length {
                                let value = a[base + k * inner]
                                if value != value {
                                    bestIndex = k
                                    break
                                }
                                if isMax ? value > best : value < best {
                                    best = value
                                    bestIndex = k
                                }
                            }
                        }
                        o[row * inner + column] = Int32(bestIndex)
                    }
                }
            }
        }
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] { [nil] }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        let x = Batching.moveAxisToFront(inputs[0], from: axes[0]!)
        return ([bind1(ArgReduce(isMax: isMax, axis: axis + 1), [x])], [0])
    }
}

/// Arranges a reduction as `outer x length x inner` over contiguous memory.
enum ReductionLayout {
    /// The input (transposed so the reduced axes are adjacent, when they are not) and
    /// the three extents.
    static func arrange(_ x: Tensor, axes: [Int]) -> (Tensor, Int, Int, Int) {
        let contiguous = axes.isEmpty || axes.last! - axes.first! + 1 == axes.count
        var input = x
        var reduced = axes
        if !contiguous {
            let kept = (0..<x.rank).filter { !axes.contains($0) }
            input = x.permuted(kept + axes)
            reduced = Array(kept.count..<x.rank)
        }
        guard let first = reduced.first, let last = reduced.last else {
            return (input, input.size, 1, 1)
        }
        let outer = input.shape[..<first].reduce(1, *)
        let length = input.shape[first...last].reduce(1, *)
        let inner = input.shape[(last + 1)...].reduce(1, *)
        return (input, outer, length, inner)
    }

    /// The shape with each reduced axis kept as extent 1.
    static func keptShape(_ shape: [Int], axes: [Int]) -> [Int] {
        shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
    }

    @inline(__always)
    static func fold<T>(
        _ a: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>,
        _ outer: Int, _ length: Int, _ inner: Int, initial: T, _ combine: (T, T) -> T
    ) {
        // Along the last axis each row is contiguous, and a running value in a register
        // visits the elements in the same order as the loop below.
        if inner == 1 {
            for row in 0..<outer {
                let source = a + row * length
                var value = initial
                for k in 0..<length { value = combine(value, source[k]) }
                o[row] = value
            }
            return
        }
        for row in 0..<outer {
            let out = o + row * inner
            out.update(repeating: initial, count: inner)
            for k in 0..<length {
                let source = a + (row * length + k) * inner
                for j in 0..<inner { out[j] = combine(out[j], source[j]) }
            }
        }
    }
}
