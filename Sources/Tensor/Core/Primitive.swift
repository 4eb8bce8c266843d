/// An operation that every transformation understands.
///
/// A primitive keeps its rules together: `outputTypes` (the shape rule, which also
/// validates the inputs), `evaluate` (the kernel on concrete tensors), `vjp` (the
/// backward rule, written with `Tensor` operations so it can be differentiated again)
/// and `batch` (the vmap rule). Public operations are thin functions that call `bind`.
public protocol Primitive: CustomStringConvertible {
    /// The JAX name of the primitive, as printed in a jaxpr (`add`, `dot_general`).
    var name: String { get }

    /// The parameters printed in brackets after the name in a jaxpr, as space-separated
    /// `key=value` items in JAX's spelling (`axes=(1,) out_sharding=None`); empty when
    /// there are none. A requirement, so that a jaxpr printer reaches each primitive's own.
    var parameterDescription: String { get }

    /// Computes the result shapes and dtypes, stopping with a message that names the
    /// operation and the shapes when the inputs are invalid.
    func outputTypes(_ inputs: [TensorType]) -> [TensorType]

    /// Runs the kernel. All inputs are concrete; `types` is what `outputTypes` returned.
    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor]

    /// The cotangents of the inputs given the cotangents of the outputs, or `nil` for
    /// an input that takes no gradient (an integer index, a boolean mask).
    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?]

    /// The vmap rule: applies the primitive to inputs that carry a batch axis at
    /// `axes[i]` (`nil` when input `i` is not batched), and returns the outputs with
    /// the position of their batch axes.
    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?])

    /// Evaluates on concrete inputs: checks the shapes with `outputTypes`, then runs
    /// `evaluate`. A primitive whose shapes are known only by running it overrides this.
    func evaluateConcrete(_ inputs: [Tensor]) -> [Tensor]
}

extension Primitive {
    public var description: String { name }

    /// Extra parameters printed after the name in a jaxpr, such as `axes=(1,)`.
    public var parameterDescription: String { "" }

    public func evaluateConcrete(_ inputs: [Tensor]) -> [Tensor] {
        evaluate(inputs, types: outputTypes(inputs.map(\.type)))
    }
}

/// Applies `primitive` to `inputs` through the innermost transformation that owns one
/// of them, or evaluates it when all inputs are concrete.
///
/// Evaluation reads subnormal float inputs as zero and flushes subnormal results to
/// zero, as XLA's CPU backend does, so `1e-40 * 1.5` is 0 in float32 (see
/// `withSubnormalsFlushed`).
public func bind(_ primitive: any Primitive, _ inputs: [Tensor]) -> [Tensor] {
    // Inside the body of a control-flow primitive, the body's scope first replaces the
    // traced values that the body captured from outside (see CaptureScope).
    if let scope = CaptureScope.current {
        return scope.bind(primitive, inputs)
    }
    return bindOutsideCaptureScope(primitive, inputs)
}

/// `bind` without the capture scope of a control-flow body.
func bindOutsideCaptureScope(_ primitive: any Primitive, _ inputs: [Tensor]) -> [Tensor] {
    var owner: (any Trace)?
    for input in inputs {
        if let tracer = input.tracer, tracer.level > (owner?.level ?? 0) {
            owner = tracer.trace
        }
    }
    // Inside jit or makeJaxpr, the graph-building trace also takes operations on
    // constants, so that they are recorded rather than evaluated.
    if let dynamic = TraceStack.dynamicTrace?.trace, dynamic.level > (owner?.level ?? 0) {
        owner = dynamic
    }

    if let owner {
        return owner.process(primitive, inputs)
    }

    // Loop and branch bodies and custom VJP functions are the caller's Swift closures:
    // their own host code keeps the caller's mode, and the operations they bind flush.
    if primitive is any CallsHostClosures {
        return primitive.evaluateConcrete(inputs)
    }
    return withSubnormalsFlushed {
        primitive.evaluateConcrete(inputs)
    }
}

/// A primitive whose evaluation calls the caller's Swift closures (loop and branch
/// bodies, a custom VJP's forward function), so that `bind` leaves the float mode to
/// the operations that those closures bind.
protocol CallsHostClosures: Primitive {}

/// Applies a single-output primitive.
@inline(__always)
public func bind1(_ primitive: any Primitive, _ inputs: [Tensor]) -> Tensor {
    bind(primitive, inputs)[0]
}
