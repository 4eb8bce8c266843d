import CKernels

/// `take(x, indices, axis)`: picks slices of `x` along `axis` at integer `indices`.
///
/// The result shape is `x.shape[..<axis] + indices.shape + x.shape[(axis+1)...]`.
/// Negative indices count from the end; indices still out of bounds are clamped to
/// the valid range, as JAX does for reads.
struct Take: DestinationPassingPrimitive {
    let axis: Int

    var name: String { "gather" }
    var parameterDescription: String { "axis=\(axis) mode=clip" }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let (x, indices) = (inputs[0], inputs[1])
        precondition(axis >= 0 && axis < x.shape.count, "take: axis \(axis) is out of range for shape \(formatShape(x.shape))")
        precondition(indices.dtype.isInteger, "take: indices must be integers, got \(indices.dtype)")
        precondition(x.shape[axis] > 0 || indices.size == 0, "take: cannot index an empty axis \(axis) of shape \(formatShape(x.shape))")
        let shape = Array(x.shape[..<axis]) + indices.shape + Array(x.shape[(axis + 1)...])
        return [TensorType(shape: shape, dtype: x.dtype)]
    }

    var isPointwise: Bool { false }

    /// The output size in bytes from which rows gathered along the first axis are split
    /// between the two threads of `Parallel`.
    static let parallelBytes = 16 * 1024

    func evaluate(_ inputs: [Tensor], into outputs: [Tensor]) {
        let x = inputs[0]
        let indices = inputs[1].astype(.int32)
        let out = outputs[0]
        let outer = x.shape[..<axis].reduce(1, *)
        let length = x.shape[axis]
        let count = indices.size
        let rowBytes = x.shape[(axis + 1)...].reduce(1, *) * x.dtype.byteSize
        guard count > 0, rowBytes > 0 else { return }

        x.withElements(UInt8.self) { source in
            indices.withElements(Int32.self) { index in
                out.withElements(UInt8.self) { destination in
                    // A batch of random rows from a large array waits on memory: two
                    // threads keep twice as many misses in flight.
                    if outer == 1 && count >= 2 && count * rowBytes >= Self.parallelBytes {
                        let half = count / 2
                        Parallel.forEach(parts: 2) { part in
                            let first = part == 0 ? 0 : half
                            let rows = part == 0 ? half : count - half
                            weft_gather_rows(source, rowBytes, length, index + first, rows, destination + first * rowBytes)
                        }
                        return
                    }
                    for row in 0..<outer {
                        let from = source + row * length * rowBytes
                        let to = destination + row * count * rowBytes
                        weft_gather_rows(from, rowBytes, length, index, count, to)
                    }
                }
            }
        }
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        let (x, indices) = (inputs[0], inputs[1])
        guard x.dtype.isFloatingPoint else { return [nil, nil] }
        let length = x.shape[axis]
        let wrapped = select(indices .< 0, indices + length, indices)
        let clamped = clip(wrapped.astype(.int32), min: Tensor(Int32(0)), max: Tensor(Int32(length - 1)))

        // Scatter-add along axis 0 of the cotangent moved so `axis` leads.
        let g = cotangents[0]
        let indexAxes = indices.rank
        let leading = Array(axis..<(axis + indexAxes))
        let others = (0..<g.rank).filter { !leading.contains($0) }
        let moved = g.permuted(leading + others)
        var zerosShape = x.shape
        zerosShape.remove(at: axis)
        zerosShape.insert(length, at: 0)
        let accumulated = bind1(Scatter(mode: .add), [Tensor.zeros(zerosShape, dtype: x.dtype), clamped, moved])
        return [accumulated.movingAxis(0, to: axis), nil]
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        switch (axes[0], axes[1]) {
        case let (xAxis?, nil):
            let x = Batching.moveAxisToFront(inputs[0], from: xAxis)
            return ([bind1(Take(axis: axis + 1), [x, inputs[1]])], [0])
        case let (nil, indexAxis?):
            let out = bind1(self, inputs)
            return ([out], [axis + indexAxis])
        default:
            // Both batched: offset each example's indices into a flattened batch axis.
            let x = Batching.moveAxisToFront(inputs[0], from: axes[0]!)
            let indices = Batching.moveAxisToFront(inputs[1], from: axes[1]!).astype(.int32)
            let batchSize = x.shape[0]
            let length = x.shape[axis + 1]
            let merged = x.movingAxis(0, to: axis).reshaped(
                Array(x.shape[1..<(axis + 1)]) + [batchSize * length] + Array(x.shape[(axis + 2)...]))
            let wrapped = select(indices .< 0, indices + length, indices)
            let clamped = clip(wrapped, min: Tensor(Int32(0)), max: Tensor(Int32(length - 1)))
            let offsets = (Tensor.arange(batchSize) * length).reshaped([batchSize] + [Int](repeating: 1, count: indices.rank - 1))
            let out = bind1(Take(axis: axis), [merged, clamped + offsets])
            return ([out], [axis])
        }
    }
}

/// How a scatter combines an update with the element already there.
public enum ScatterMode: String, Sendable {
    case set = "scatter"
    case add = "scatter-add"
    case multiply = "scatter-mul"
    case min = "scatter-min"
    case max = "scatter-max"

    /// The `at[]` method that requests this mode (`set`, `add`, ...).
    var methodName: String {
        switch self {
        case .set: return "set"
        case .add: return "add"
        case .multiply: return "multiply"
        case .min: return "min"
        case .max: return "max"
        }
    }
}

/// `scatter(operand, indices, updates)`: combines `updates[i, ...]` into
/// `operand[indices[i], ...]` along axis 0. `updates` has shape
/// `indices.shape + operand.shape[1...]`. Indices outside `0..<operand.shape[0]` are
/// dropped, as JAX drops out-of-bounds writes. Duplicate indices accumulate for
/// `add`, `multiply`, `min` and `max`; for `set` the last one wins.
struct Scatter: Primitive {
    let mode: ScatterMode

    var name: String { mode.rawValue }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let (operand, indices, updates) = (inputs[0], inputs[1], inputs[2])
        precondition(operand.shape.count >= 1, "\(name): the operand must have at least one axis")
        precondition(indices.dtype.isInteger, "\(name): indices must be integers, got \(indices.dtype)")
        let expected = indices.shape + Array(operand.shape.dropFirst())
        precondition(
            updates.shape == expected && updates.dtype == operand.dtype,
            "\(name): updates of shape \(formatShape(updates.shape)) and dtype \(updates.dtype) do not match the expected \(formatShape(expected)) and \(operand.dtype)")
        return [operand]
    }

    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor] {
        var out = Tensor(shape: inputs[0].shape, dtype: inputs[0].dtype, storage: inputs[0].storage!.copy())
        apply(to: &out, indices: inputs[1], updates: inputs[2])
        return [out]
    }

    /// Writes the updates into `operand`, which must own its storage.
    func apply(to operand: inout Tensor, indices: Tensor, updates: Tensor) {
        let indices = indices.astype(.int32)
        switch operand.dtype {
        case .float32: run(Float.self, &operand, indices, updates)
        case .int32: run(Int32.self, &operand, indices, updates)
        case .uint32: run(UInt32.self, &operand, indices, updates)
        case .uint8: run(UInt8.self, &operand, indices, updates)
        case .bool:
            precondition(mode == .set, "\(name): only set is defined for bool tensors")
            runSet(Bool.self, &operand, indices, updates)
        }
    }

    private func runSet<T>(_ type: T.Type, _ operand: inout Tensor, _ indices: Tensor, _ updates: Tensor) {
        let length = operand.shape[0]
        let inner = operand.size / max(length, 1)
        let count = indices.size
        operand.withElements(T.self) { out in
            indices.withElements(Int32.self) { index in
                updates.withElements(T.self) { source in
                    for i in 0..<count {
                        let position = Int(index[i])
                        guard position >= 0 && position < length else { continue }
                        (out + position * inner).update(from: source + i * inner, count: inner)
                    }
                }
            }
        }
    }

    private func run<T: NumericElement>(_ type: T.Type, _ operand: inout Tensor, _ indices: Tensor, _ updates: Tensor) {
        if mode == .set {
            runSet(T.self, &operand, indices, updates)
            return
        }
        let length = operand.shape[0]
        let inner = operand.size / max(length, 1)
        let count = indices.size
        let mode = self.mode
        operand.withElements(T.self) { out in
            indices.withElements(Int32.self) { index in
                updates.withElements(T.self) { source in
                    for i in 0..<count {
                        let position = Int(index[i])
                        guard position >= 0 && position < length else { continue }
                        let target = out + position * inner
                        let update = source + i * inner
                        for j in 0..<inner {
                            switch mode {
                            case .add: target[j] = T.add(target[j], update[j])
                            case .multiply: target[j] = T.multiply(target[j], update[j])
                            case .min: target[j] = Swift.min(target[j], update[j])
                            case .max: target[j] = Swift.max(target[j], update[j])
                            case .set: target[j] = update[j]
                            }
                        }
                    }
                }
            }
        }
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        let (operand, indices, updates, g) = (inputs[0], inputs[1], inputs[2], cotangents[0])
        guard operand.dtype.isFloatingPoint else { return [nil, nil, nil] }
        let length = operand.shape[0]
        let valid = ((indices .>= 0) .&& (indices .< length)).astype(.float32)
            .reshaped(indices.shape + [Int](repeating: 1, count: operand.rank - 1))
        let gathered = g.take(indices, axis: 0) * valid
        switch mode {
        case .set:
            let cleared = bind1(Scatter(mode: .set), [g, indices, Tensor.zeros(like: updates)])
            // Of several updates to one position, only the last one written reaches the
            // output, so only that update gets a gradient. Scattering the update numbers
            // and reading them back shows which update each position kept.
            let numbers = Tensor.arange(indices.size).reshaped(indices.shape)
            let kept = bind1(Scatter(mode: .set), [Tensor.full([length], -1, dtype: .int32), indices, numbers])
            let won = (kept.take(indices, axis: 0) .== numbers).astype(.float32).reshaped(valid.shape)
            return [cleared, nil, gathered * won]
        case .add:
            return [g, nil, gathered]
        case .multiply:
            // An update's gradient is g times the operand times the other updates at its
            // position. Dividing the output by the update would give NaN at a zero update,
            // so the zero updates are counted per position, as in the gradient of prod.
            let factors = bind1(Scatter(mode: .multiply), [Tensor.ones(like: operand), indices, updates])
            let isZero = updates .== 0
            let nonzero = select(isZero, Tensor.ones(like: updates), updates)
            let zeroCounts = bind1(Scatter(mode: .add), [Tensor.zeros(like: operand), indices, isZero.astype(.float32)])
                .take(indices, axis: 0)
            let nonzeroProducts = (operand * bind1(Scatter(mode: .multiply), [Tensor.ones(like: operand), indices, nonzero]))
                .take(indices, axis: 0)
            let others = select(
                zeroCounts .== 0, nonzeroProducts / nonzero,
                select(isZero .&& (zeroCounts .== 1), nonzeroProducts, Tensor.zeros(like: updates)))
            return [g * factors, nil, gathered * others]
        case .min, .max:
            // Ties share the gradient evenly between the operand and the updates that
            // reach the output, as in JAX.
            let out = outputs[0]
            let keptOperand = (out .== operand).astype(.float32)
            let chosenUpdates = (out.take(indices, axis: 0) .== updates).astype(.float32) * valid
            let counts = keptOperand + bind1(Scatter(mode: .add), [Tensor.zeros(like: operand), indices, chosenUpdates])
            let shares = g / maximum(counts, 1)
            return [shares * keptOperand, nil, shares.take(indices, axis: 0) * chosenUpdates]
        }
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        let results = Batching.loop(self, inputs, axes: axes)
        return (results, [0])
    }
}
