/// A function with a hand-written backward rule (`jax.custom_vjp`).
///
/// `forward` computes the outputs and residuals (any tensors the backward rule needs);
/// `backward` maps the residuals and the output cotangents to one cotangent per input.
/// Under `grad` the backward rule replaces differentiation of `forward`; elsewhere the
/// function simply runs `forward`.
///
/// ```swift
/// let clippedIdentity = customVJP(
///     forward: { x in ([x[0]], []) },
///     backward: { _, cotangents in [clip(cotangents[0], min: -1, max: 1)] })
/// ```
public func customVJP(
    forward: @escaping ([Tensor]) -> (outputs: [Tensor], residuals: [Tensor]),
    backward: @escaping (_ residuals: [Tensor], _ cotangents: [Tensor]) -> [Tensor]
) -> ([Tensor]) -> [Tensor] {
    { inputs in
        let primitive = CustomVJPCall(forward: forward, backward: backward)
        let results = bind(primitive, inputs)
        return Array(results[..<(results.count - primitive.residualCount(results))])
    }
}

/// The single-tensor form of `customVJP`.
public func customVJP(
    forward: @escaping (Tensor) -> (output: Tensor, residuals: [Tensor]),
    backward: @escaping (_ residuals: [Tensor], _ cotangent: Tensor) -> Tensor
) -> (Tensor) -> Tensor {
    let general = customVJP(
        forward: { inputs in
            let (output, residuals) = forward(inputs[0])
            return ([output], residuals)
        },
        backward: { residuals, cotangents in [backward(residuals, cotangents[0])] })
    return { general([$0])[0] }
}

/// The primitive behind `customVJP`. Its outputs are the function's outputs followed
/// by the residuals, so the backward rule receives the residuals as primal outputs.
final class CustomVJPCall: CallsHostClosures {
    let forward: ([Tensor]) -> (outputs: [Tensor], residuals: [Tensor])
    let backward: ([Tensor], [Tensor]) -> [Tensor]
    private var outputCount: Int?

    init(forward: @escaping ([Tensor]) -> (outputs: [Tensor], residuals: [Tensor]), backward: @escaping ([Tensor], [Tensor]) -> [Tensor]) {
        self.forward = forward
        self.backward = backward
    }

    var name: String { "custom_vjp_call" }

    func residualCount(_ results: [Tensor]) -> Int { results.count - (outputCount ?? results.count) }

    /// Runs `forward` and returns its outputs followed by its residuals.
    func runForward(_ inputs: [Tensor]) -> [Tensor] {
        let (outputs, residuals) = forward(inputs)
        outputCount = outputs.count
        return outputs + residuals
    }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        preconditionFailure("customVJP: shapes are known only by running the forward function")
    }

    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor] { runForward(inputs) }

    func evaluateConcrete(_ inputs: [Tensor]) -> [Tensor] { runForward(inputs) }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        let count = outputCount ?? outputs.count
        let residuals = Array(outputs[count...])
        let gradients = backward(residuals, Array(cotangents[..<count]))
        precondition(
            gradients.count == inputs.count,
            "customVJP: the backward rule returned \(gradients.count) cotangents for \(inputs.count) inputs")
        for (gradient, input) in zip(gradients, inputs) {
            precondition(
                gradient.shape == input.shape,
                "customVJP: the backward rule returned a cotangent of shape \(formatShape(gradient.shape)) for an input of shape \(formatShape(input.shape))")
        }
        return gradients
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        let results = Batching.loop(self, inputs, axes: axes)
        return (results, results.map { _ in 0 })
    }
}
