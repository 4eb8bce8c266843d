/// The part of a tensor that a transformation owns while it runs.
///
/// Each active transformation is a `Trace` with a level; nested transformations get
/// higher levels. When an operation binds a primitive, the trace with the highest
/// level among the inputs' tracers processes it, treating tensors of lower levels as
/// constants. This is how `grad(grad(f))` keeps the two perturbations apart.
class Tracer {
    let trace: any Trace

    init(trace: any Trace) {
        self.trace = trace
    }

    var level: Int { trace.level }

    /// The concrete value behind this tracer, when the transformation allows reading
    /// it (the reverse-mode tape does; vmap and jit do not).
    func concreteValue() -> Tensor? { nil }
}

/// An interpreter for primitives: the reverse-mode tape, the batcher, the graph builder.
protocol Trace: AnyObject {
    /// The nesting level; higher levels are inner transformations.
    var level: Int { get }

    /// A description of the transformation for error messages, such as
    /// `grad of the function at Model.swift:12`.
    var context: String { get }

    /// Applies `primitive` to `inputs`, at least one of which is a tracer of this trace.
    func process(_ primitive: any Primitive, _ inputs: [Tensor]) -> [Tensor]
}

/// The nesting depth of active transformations in the current task.
enum TraceStack {
    @TaskLocal static var depth = 0

    /// Runs `body` with the depth increased by one and passes it the new level.
    static func withNewLevel<R>(_ body: (Int) throws -> R) rethrows -> R {
        let level = depth + 1
        return try $depth.withValue(level) { try body(level) }
    }
}
