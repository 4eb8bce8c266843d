/// Helpers the primitives' vmap rules share.
enum Batching {
    /// The batched tensor with its batch axis moved to position 0.
    static func moveAxisToFront(_ x: Tensor, from axis: Int) -> Tensor {
        axis == 0 ? x : x.movingAxis(axis, to: 0)
    }

    /// The common batch size of the batched inputs.
    static func batchSize(_ inputs: [Tensor], axes: [Int?]) -> Int {
        var size: Int?
        for (input, axis) in zip(inputs, axes) {
            guard let axis else { continue }
            let extent = input.shape[axis]
            precondition(size == nil || size == extent, "vmap: mapped axes have different sizes \(size!) and \(extent)")
            size = extent
        }
        return size!
    }

    /// The input with a batch axis of `size` at position 0, broadcasting unbatched inputs.
    static func materialize(_ x: Tensor, axis: Int?, size: Int) -> Tensor {
        if let axis { return moveAxisToFront(x, from: axis) }
        return x.expandDims(0).broadcast(to: [size] + x.shape)
    }

    /// Aligns the operands of a broadcasting elementwise primitive: every batched input
    /// gets its batch axis at 0 and ones inserted so that the batch axes line up.
    /// Unbatched inputs stay as they are and broadcast from the right.
    static func alignForBroadcast(_ inputs: [Tensor], axes: [Int?]) -> [Tensor] {
        let rank = zip(inputs, axes).map { $1 == nil ? $0.rank : $0.rank - 1 }.max() ?? 0
        return zip(inputs, axes).map { input, axis in
            guard let axis else { return input }
            let moved = moveAxisToFront(input, from: axis)
            let exampleShape = Array(moved.shape.dropFirst())
            let padding = [Int](repeating: 1, count: rank - exampleShape.count)
            return moved.reshaped([moved.shape[0]] + padding + exampleShape)
        }
    }

    /// The fallback rule: applies the primitive to each example and stacks the results
    /// along axis 0.
    static func loop(_ primitive: any Primitive, _ inputs: [Tensor], axes: [Int?]) -> [Tensor] {
        let size = batchSize(inputs, axes: axes)
        var perExample = [[Tensor]]()
        for index in 0..<size {
            let slices = zip(inputs, axes).map { input, axis in
                axis == nil ? input : input.index(axis: axis!, index)
            }
            perExample.append(bind(primitive, slices))
        }
        let outputCount = perExample.first?.count ?? 0
        return (0..<outputCount).map { output in stack(perExample.map { $0[output] }, axis: 0) }
    }
}
