/// Reinterprets the elements in a new shape of the same size (row-major order).
struct Reshape: Primitive {
    let newShape: [Int]

    var name: String { "reshape" }
    var parameterDescription: String { "dimensions=None new_sizes=\(formatShape(newShape)) sharding=None" }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        precondition(
            inputs[0].size == newShape.reduce(1, *),
            "reshape: cannot reshape a tensor of shape \(formatShape(inputs[0].shape)) (\(inputs[0].size) elements) into shape \(formatShape(newShape))")
        return [TensorType(shape: newShape, dtype: inputs[0].dtype)]
    }

    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor] {
        [Tensor(shape: newShape, dtype: inputs[0].dtype, storage: inputs[0].storage!)]
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        [cotangents[0].reshaped(inputs[0].shape)]
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        let x = Batching.moveAxisToFront(inputs[0], from: axes[0]!)
        return ([x.reshaped([x.shape[0]] + newShape)], [0])
    }
}

/// Permutes the axes: output axis `i` is input axis `permutation[i]`.
struct Transpose: DestinationPassingPrimitive {
    let permutation: [Int]

    var name: String { "transpose" }
    var parameterDescription: String { "permutation=\(formatShape(permutation))" }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let shape = inputs[0].shape
        precondition(
            permutation.sorted() == Array(0..<shape.count),
            "transpose: \(permutation) is not a permutation of the axes of a tensor of shape \(formatShape(shape))")
        return [TensorType(shape: permutation.map { shape[$0] }, dtype: inputs[0].dtype)]
    }

    var isPointwise: Bool { false }

    func evaluate(_ inputs: [Tensor], into outputs: [Tensor]) {
        let input = inputs[0]
        var out = outputs[0]
        switch input.dtype.byteSize {
        case 4: Copying.permute(input, into: &out, permutation: permutation, as: UInt32.self)
        default: Copying.permute(input, into: &out, permutation: permutation, as: UInt8.self)
        }
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        var inverse = [Int](repeating: 0, count: permutation.count)
        for (i, p) in permutation.enumerated() { inverse[p] = i }
        return [cotangents[0].permuted(inverse)]
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        let x = Batching.moveAxisToFront(inputs[0], from: axes[0]!)
        return ([x.permuted([0] + permutation.map { $0 + 1 })], [0])
    }
}

/// Broadcasts to `shape` by NumPy rules: the input's axes align with the last axes of
/// `shape`, and each is either equal or 1.
struct BroadcastTo: DestinationPassingPrimitive {
    let shape: [Int]

    var name: String { "broadcast_in_dim" }
    var parameterDescription: String { "shape=\(formatShape(shape))" }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let input = inputs[0].shape
        let valid = input.count <= shape.count
            && zip(input.reversed(), shape.reversed()).allSatisfy { $0 == $1 || $0 == 1 }
        precondition(valid, "broadcast(to:): cannot broadcast shape \(formatShape(input)) to \(formatShape(shape))")
        return [TensorType(shape: shape, dtype: inputs[0].dtype)]
    }

    var isPointwise: Bool { false }

    func evaluate(_ inputs: [Tensor], into outputs: [Tensor]) {
        let input = inputs[0]
        var out = outputs[0]
        switch input.dtype.byteSize {
        case 4: Copying.broadcast(input, into: &out, as: UInt32.self)
        default: Copying.broadcast(input, into: &out, as: UInt8.self)
        }
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        [sumToShape(cotangents[0], inputs[0].shape)]
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        let x = Batching.moveAxisToFront(inputs[0], from: axes[0]!)
        let batchSize = x.shape[0]
        let padded = x.reshaped([batchSize] + [Int](repeating: 1, count: shape.count - (x.rank - 1)) + Array(x.shape.dropFirst()))
        return ([padded.broadcast(to: [batchSize] + shape)], [0])
    }
}
