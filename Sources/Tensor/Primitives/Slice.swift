/// Takes `start[i] ..< limit[i]` with step `strides[i]` along every axis.
struct Slice: Primitive {
    let starts: [Int]
    let limits: [Int]
    let strides: [Int]

    var name: String { "slice" }
    var parameterDescription: String {
        "limit_indices=\(formatShape(limits)) start_indices=\(formatShape(starts)) strides=\(strides.allSatisfy { $0 == 1 } ? "None" : formatShape(strides))"
    }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let shape = inputs[0].shape
        precondition(
            starts.count == shape.count && limits.count == shape.count && strides.count == shape.count,
            "slice: \(starts.count) start indices for a tensor of shape \(formatShape(shape))")
        var result = [Int]()
        for axis in 0..<shape.count {
            precondition(
                starts[axis] >= 0 && starts[axis] <= limits[axis] && limits[axis] <= shape[axis] && strides[axis] > 0,
                "slice: range \(starts[axis])..<\(limits[axis]) step \(strides[axis]) is invalid for axis \(axis) of shape \(formatShape(shape))")
            result.append((limits[axis] - starts[axis] + strides[axis] - 1) / strides[axis])
        }
        return [TensorType(shape: result, dtype: inputs[0].dtype)]
    }

    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor] {
        let input = inputs[0]
        let out = Tensor(uninitializedShape: types[0].shape, dtype: input.dtype)
        let inputStrides = ShapeRules.strides(input.shape)
        let offset = zip(starts, inputStrides).map(*).reduce(0, +)
        let steps = zip(strides, inputStrides).map(*)
        let shape = out.shape
        func copy<T>(_ type: T.Type) {
            input.withElements(T.self) { source in
                out.withElements(T.self) { destination in
                    Copying.strided(source, offset: offset, strides: steps, shape: shape, destination)
                }
            }
        }
        if input.dtype.byteSize == 4 { copy(UInt32.self) } else { copy(UInt8.self) }
        return [out]
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        let shape = inputs[0].shape
        let outShape = outputs[0].shape
        var high = [Int]()
        for axis in 0..<shape.count {
            let last = outShape[axis] == 0 ? starts[axis] - 1 : starts[axis] + (outShape[axis] - 1) * strides[axis]
            high.append(shape[axis] - last - 1)
        }
        let interior = strides.map { $0 - 1 }
        return [bind1(Pad(low: starts, high: high, interior: interior), [cotangents[0]])]
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        let x = Batching.moveAxisToFront(inputs[0], from: axes[0]!)
        let sliced = bind1(Slice(starts: [0] + starts, limits: [x.shape[0]] + limits, strides: [1] + strides), [x])
        return ([sliced], [0])
    }
}

/// Pads with zeros: `low[i]` before, `high[i]` after and `interior[i]` between the
/// elements of axis `i`. All amounts are non-negative.
struct Pad: Primitive {
    let low: [Int]
    let high: [Int]
    let interior: [Int]

    var name: String { "pad" }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let shape = inputs[0].shape
        precondition(low.count == shape.count, "pad: \(low.count) padding amounts for shape \(formatShape(shape))")
        var result = [Int]()
        for axis in 0..<shape.count {
            precondition(low[axis] >= 0 && high[axis] >= -1 && interior[axis] >= 0, "pad: negative padding on axis \(axis)")
            let n: Int = shape[axis]
            let gaps: Int = max(0, n - 1) * interior[axis]
            let edges: Int = low[axis] + high[axis]
            result.append(edges + n + gaps)
        }
        return [TensorType(shape: result, dtype: inputs[0].dtype)]
    }

    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor] {
        let input = inputs[0]
        let out = Tensor.zeros(types[0].shape, dtype: input.dtype)
        let outStrides = ShapeRules.strides(out.shape)
        let offset = zip(low, outStrides).map(*).reduce(0, +)
        let steps = zip(interior, outStrides).map { ($0 + 1) * $1 }
        let inputStrides = ShapeRules.strides(input.shape)
        let count = input.size
        func scatter<T>(_ type: T.Type) {
            input.withElements(T.self) { source in
                out.withElements(T.self) { destination in
                    for i in 0..<count {
                        var rest = i
                        var target = offset
                        for axis in 0..<inputStrides.count {
                            let coordinate = rest / inputStrides[axis]
                            rest -= coordinate * inputStrides[axis]
                            target += coordinate * steps[axis]
                        }
                        destination[target] = source[i]
                    }
                }
            }
        }
        if input.dtype.byteSize == 4 { scatter(UInt32.self) } else { scatter(UInt8.self) }
        return [out]
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        let shape = inputs[0].shape
        let limits = (0..<shape.count).map { axis -> Int in
            let extent: Int = shape[axis]
            let span: Int = max(0, extent - 1) * (interior[axis] + 1)
            return low[axis] + span + (extent > 0 ? 1 : 0)
        }
        return [bind1(Slice(starts: low, limits: limits, strides: interior.map { $0 + 1 }), [cotangents[0]])]
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        let x = Batching.moveAxisToFront(inputs[0], from: axes[0]!)
        return ([bind1(Pad(low: [0] + low, high: [0] + high, interior: [0] + interior), [x])], [0])
    }
}

/// Joins tensors along an existing axis.
struct Concatenate: Primitive {
    let axis: Int

    var name: String { "concatenate" }
    var parameterDescription: String { "dimension=\(axis)" }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        precondition(!inputs.isEmpty, "concatenate: needs at least one tensor")
        let first = inputs[0]
        var shape = first.shape
        precondition(axis >= 0 && axis < shape.count, "concatenate: axis \(axis) is out of range for rank \(shape.count)")
        shape[axis] = 0
        for input in inputs {
            var other = input.shape
            precondition(
                other.count == first.shape.count && input.dtype == first.dtype,
                "concatenate: shapes \(inputs.map { formatShape($0.shape) }.joined(separator: ", ")) or dtypes differ in rank or type")
            shape[axis] += other[axis]
            other[axis] = first.shape[axis]
            precondition(
                other == first.shape,
                "concatenate: shapes \(inputs.map { formatShape($0.shape) }.joined(separator: ", ")) differ outside axis \(axis)")
        }
        return [TensorType(shape: shape, dtype: first.dtype)]
    }

    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor] {
        let out = Tensor(uninitializedShape: types[0].shape, dtype: types[0].dtype)
        let outer = types[0].shape[..<axis].reduce(1, *)
        let inner = types[0].shape[(axis + 1)...].reduce(1, *)
        let width = types[0].dtype.byteSize
        let rowBytes = types[0].shape[axis] * inner * width
        var columnOffset = 0
        for input in inputs {
            let chunk = input.shape[axis] * inner * width
            input.withElements(UInt8.self) { source in
                out.withElements(UInt8.self) { destination in
                    for row in 0..<outer {
                        (destination + row * rowBytes + columnOffset).update(from: source + row * chunk, count: chunk)
                    }
                }
            }
            columnOffset += chunk
        }
        return [out]
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        var start = 0
        return inputs.map { input in
            guard input.dtype.isFloatingPoint else { return nil }
            let length = input.shape[axis]
            defer { start += length }
            return cotangents[0].slice(axis: axis, start..<(start + length))
        }
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        let batchSize = Batching.batchSize(inputs, axes: axes)
        let moved = zip(inputs, axes).map { input, axis in
            Batching.materialize(input, axis: axis, size: batchSize)
        }
        return ([bind1(Concatenate(axis: axis + 1), moved)], [0])
    }
}
