/// A tensor inside `vmap`: a value with an extra axis at `axis`, or no batch axis.
final class BatchTracer: Tracer {
    let value: Tensor
    let axis: Int?

    init(trace: BatchTrace, value: Tensor, axis: Int?) {
        self.value = value
        self.axis = axis
        super.init(trace: trace)
    }
}

/// The vmap interpreter: applies each primitive's batching rule.
final class BatchTrace: Trace {
    let level: Int
    let context: String
    let size: Int

    init(level: Int, size: Int, context: String) {
        self.level = level
        self.size = size
        self.context = context
    }

    func wrap(_ value: Tensor, axis: Int?) -> Tensor {
        var shape = value.shape
        if let axis { shape.remove(at: axis) }
        return Tensor(shape: shape, dtype: value.dtype, tracer: BatchTracer(trace: self, value: value, axis: axis))
    }

    /// The value and batch axis of `x` as seen by this trace.
    func unwrap(_ x: Tensor) -> (Tensor, Int?) {
        if let tracer = x.tracer as? BatchTracer, tracer.trace === self {
            return (tracer.value, tracer.axis)
        }
        return (x, nil)
    }

    func process(_ primitive: any Primitive, _ inputs: [Tensor]) -> [Tensor] {
        let unwrapped = inputs.map(unwrap)
        let values = unwrapped.map(\.0)
        let axes = unwrapped.map(\.1)
        if axes.allSatisfy({ $0 == nil }) {
            return bind(primitive, values)
        }
        let (outputs, outputAxes) = primitive.batch(values, axes: axes)
        return zip(outputs, outputAxes).map { wrap($0, axis: $1) }
    }
}

/// Vectorizes `function` over axis `inAxes[i]` of its i-th input (`nil`: not mapped),
/// returning outputs with the mapped axis at `outAxes` (`jax.vmap` on flat lists).
///
/// Stops when mapped inputs disagree on the axis size (naming both sizes) or an axis
/// is out of range.
public func vmapFlat(
    _ function: @escaping ([Tensor]) -> [Tensor], inAxes: [Int?], outAxes: [Int?]? = nil
) -> ([Tensor]) -> [Tensor] {
    { inputs in
        runBatched(function, inputs, inAxes: inAxes) { outputCount in
            let targets = outAxes ?? [Int?](repeating: 0, count: outputCount)
            precondition(targets.count == outputCount, "vmap: \(targets.count) out_axes for \(outputCount) outputs")
            return targets
        }
    }
}

/// Runs `function` under a new batch trace with input `i` mapped over `inAxes[i]`.
/// Given the number of outputs, `outAxes` returns where each output's mapped axis goes,
/// or nil for an output that must not depend on the mapped inputs.
func runBatched(
    _ function: ([Tensor]) -> [Tensor], _ inputs: [Tensor], inAxes: [Int?], outAxes: (_ outputCount: Int) -> [Int?]
) -> [Tensor] {
    precondition(inAxes.count == inputs.count, "vmap: \(inAxes.count) in_axes for \(inputs.count) inputs")
    var size: Int?
    var normalizedAxes = [Int?]()
    for (input, axis) in zip(inputs, inAxes) {
        guard let axis else {
            normalizedAxes.append(nil)
            continue
        }
        let normalized = ShapeRules.normalizeAxis(axis, rank: input.rank, operation: "vmap in_axes")
        let extent = input.shape[normalized]
        precondition(
            size == nil || size == extent,
            "vmap: mapped axes have different sizes: \(size!) and \(extent) (input shapes \(inputs.map { formatShape($0.shape) }.joined(separator: ", ")))")
        size = extent
        normalizedAxes.append(normalized)
    }
    guard let size else { preconditionFailure("vmap: at least one input must be mapped (in_axes are all nil)") }

    return TraceStack.withNewLevel { level in
        let trace = BatchTrace(level: level, size: size, context: "vmap")
        let wrapped = zip(inputs, normalizedAxes).map { trace.wrap($0, axis: $1) }
        let outputs = function(wrapped)
        let targets = outAxes(outputs.count)
        return zip(outputs, targets).map { output, target in
            let (value, axis) = trace.unwrap(output)
            guard let target else {
                precondition(axis == nil, "vmap: an output with out_axes nil depends on a mapped input")
                return value
            }
            let batched = Batching.materialize(value, axis: axis, size: size)
            let normalizedTarget = ShapeRules.normalizeAxis(target, rank: batched.rank, operation: "vmap out_axes")
            return batched.movingAxis(0, to: normalizedTarget)
        }
    }
}
