/// Reverse-mode differentiation of a function of flat tensor lists (`jax.vjp`).
///
/// Runs `function` on `primals` while recording a tape and returns its outputs and a
/// pullback that maps output cotangents (one per output, same shapes) to input
/// cotangents (one per input; zeros where an output does not depend on an input).
/// The pullback is built from `Tensor` operations, so it can be differentiated again.
public func vjpFlat(
    _ function: ([Tensor]) -> [Tensor], _ primals: [Tensor], context: String = "vjp"
) -> (outputs: [Tensor], pullback: ([Tensor]) -> [Tensor]) {
    TraceStack.withNewLevel { level in
        let trace = GradTrace(level: level, context: context)
        let inputs = primals.map(trace.newInput)
        let inputNodes = inputs.map { ($0.tracer as! GradTracer).node }
        let results = function(inputs)
        let unwrapped = results.map(trace.unwrap)
        let outputs = unwrapped.map(\.0)
        let references = unwrapped.map(\.1)
        trace.finish()

        let pullback: ([Tensor]) -> [Tensor] = { cotangents in
            precondition(
                cotangents.count == outputs.count,
                "vjp: the pullback got \(cotangents.count) cotangents for \(outputs.count) outputs")
            var targets = [(node: Int, output: Int)]()
            var seeds = [Tensor]()
            for (index, reference) in references.enumerated() {
                let cotangent = cotangents[index]
                precondition(
                    cotangent.shape == outputs[index].shape,
                    "vjp: cotangent \(index) has shape \(formatShape(cotangent.shape)) but the output has shape \(formatShape(outputs[index].shape))")
                guard let reference else { continue }
                targets.append(reference)
                seeds.append(cotangent.astype(outputs[index].dtype))
            }
            let gradients = trace.backward(targets: targets, seeds: seeds, inputNodes: inputNodes)
            return zip(gradients, primals).map { gradient, primal in gradient ?? Tensor.zeros(like: primal) }
        }
        return (outputs, pullback)
    }
}

/// The value of `x` with its gradient cut: every transformation treats the result as
/// a constant (`jax.lax.stop_gradient`).
public func stopGradient(_ x: Tensor) -> Tensor {
    bind1(StopGradient(), [x])
}

struct StopGradient: Primitive {
    var name: String { "stop_gradient" }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] { inputs }

    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor] { inputs }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] { [nil] }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        ([bind1(self, inputs)], axes)
    }
}
