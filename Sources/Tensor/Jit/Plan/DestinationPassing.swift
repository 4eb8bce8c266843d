/// A primitive whose kernel can write its results into output tensors that the caller
/// allocated (destination-passing style), so that a compiled plan can run it on buffers
/// assigned ahead of time.
///
/// `evaluate(_:types:)` of such a primitive allocates its outputs and then calls
/// `evaluate(_:into:)`, so both paths run the same kernel.
protocol DestinationPassingPrimitive: Primitive {
    /// Runs the kernel on concrete `inputs`, writing into `outputs`, which have the
    /// types that `outputTypes` returns and storages that no other live value reads.
    func evaluate(_ inputs: [Tensor], into outputs: [Tensor])

    /// Whether output element `i` depends only on element `i` of each input that has
    /// the output's shape (and on broadcast scalars or rows of the others), read before
    /// element `i` is written. Such an output may share its buffer with an input of the
    /// same shape and element size whose value is not read afterwards.
    var isPointwise: Bool { get }

    /// Returns whether output `output` may share the buffer of input `input` under the
    /// rule of `isPointwise`. By default, any input of a pointwise kernel qualifies.
    func mayWrite(output: Int, over input: Int) -> Bool
}

extension DestinationPassingPrimitive {
    func mayWrite(output: Int, over input: Int) -> Bool { isPointwise }

    /// Allocates the outputs and runs `evaluate(_:into:)`, the eager path.
    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor] {
        let outputs = types.map { Tensor(uninitializedShape: $0.shape, dtype: $0.dtype) }
        evaluate(inputs, into: outputs)
        return outputs
    }
}
