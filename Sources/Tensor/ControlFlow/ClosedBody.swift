// Closure conversion for the bodies of control-flow primitives.
//
// A loop body or a `cond` branch is a Swift closure that may capture traced tensors
// from outside, such as the parameters that `grad` differentiates. A primitive must
// see those tensors as inputs, or the transformations that process it could not
// route cotangents or batch axes to them. `closeBody` therefore runs the body once on
// shape-only placeholders and records every traced tensor from an outer level that
// the body passes to an operation. The result, a `ClosedBody`, is a pure function of
// the body's explicit inputs followed by those captured tensors: when called, it runs
// the original closure inside a `CaptureScope` that replaces each captured tensor
// with the value given for it. This plays the part of JAX's closure conversion into a
// jaxpr with constants.

/// The replacements that `bind` applies inside a control-flow body.
///
/// A scope replaces captured tracers, found by object identity, with the values the
/// primitive's rule passed in. Scopes nest lexically: `parent` is the scope in which
/// the body was defined, and its replacements apply first, so a body inside another
/// body resolves a tensor captured by both. It is `@unchecked Sendable` because only
/// the task that runs the body reads it and changes its recorder.
final class CaptureScope: @unchecked Sendable {
    @TaskLocal static var current: CaptureScope?

    let parent: CaptureScope?
    let replacements: [ObjectIdentifier: Tensor]

    /// The recorder of the innermost `closeBody` that is running, if any. A closed body
    /// called while another body is traced passes it on, so that the captures of the
    /// outer body include the tensors given to the inner one.
    let recorder: CaptureRecorder?

    init(parent: CaptureScope?, replacements: [ObjectIdentifier: Tensor], recorder: CaptureRecorder?) {
        self.parent = parent
        self.replacements = replacements
        self.recorder = recorder
    }

    /// `x` with the replacements of this scope and of its parents applied.
    func replace(_ x: Tensor) -> Tensor {
        guard x.tracer != nil else { return x }
        let outer = parent?.replace(x) ?? x
        if let tracer = outer.tracer, let replacement = replacements[ObjectIdentifier(tracer)] {
            return replacement
        }
        return outer
    }

    func bind(_ primitive: any Primitive, _ inputs: [Tensor]) -> [Tensor] {
        let replaced = inputs.map(replace)
        if let recorder {
            return recorder.bind(primitive, replaced)
        }
        return bindOutsideCaptureScope(primitive, replaced)
    }
}

/// Collects the traced tensors from outer levels that a body passes to operations.
///
/// A tensor counts as captured when it is a tracer of a level at most `outerDepth`
/// (the trace depth where the body was defined) and was not produced while the body
/// ran. Operations on captured tensors alone (`exp(w)` inside the body) go to the
/// shape trace too. Only their root inputs are recorded, and the body recomputes them
/// from the replacements when it runs for real.
final class CaptureRecorder {
    let outerDepth: Int
    private(set) var captured: [Tensor] = []
    private var capturedIdentities = Set<ObjectIdentifier>()

    /// Tracers produced while the body ran, kept alive so that their identities stay
    /// unique.
    private var produced: [Tensor] = []
    private var producedIdentities = Set<ObjectIdentifier>()

    /// The nesting depth of the current `bind` inside the processing of an outer trace.
    /// Binds made there come from that trace's rules, not from the body, so they are
    /// not recorded.
    private var outerProcessingDepth = 0

    init(outerDepth: Int) {
        self.outerDepth = outerDepth
    }

    func record(_ x: Tensor) {
        guard outerProcessingDepth == 0, let tracer = x.tracer, tracer.level <= outerDepth else { return }
        let identity = ObjectIdentifier(tracer)
        guard !producedIdentities.contains(identity), capturedIdentities.insert(identity).inserted else { return }
        captured.append(x)
    }

    func bind(_ primitive: any Primitive, _ inputs: [Tensor]) -> [Tensor] {
        inputs.forEach(record)
        let ownerLevel = inputs.compactMap { $0.tracer?.level }.max() ?? 0
        guard ownerLevel >= 1 && ownerLevel <= outerDepth else {
            return bindOutsideCaptureScope(primitive, inputs)
        }

        outerProcessingDepth += 1
        let outputs = bindOutsideCaptureScope(primitive, inputs)
        outerProcessingDepth -= 1
        if outerProcessingDepth == 0 {
            for output in outputs {
                guard let tracer = output.tracer else { continue }
                producedIdentities.insert(ObjectIdentifier(tracer))
                produced.append(output)
            }
        }
        return outputs
    }
}

/// A tensor inside `closeBody`: only its shape and dtype are known.
final class ShapeTracer: Tracer {}

/// The abstract interpreter that `closeBody` runs a body under: each primitive gives
/// its result types from its shape rule, and nothing is computed.
final class ShapeTrace: Trace {
    let level: Int
    let context: String

    init(level: Int, context: String) {
        self.level = level
        self.context = context
    }

    func placeholder(_ type: TensorType) -> Tensor {
        Tensor(shape: type.shape, dtype: type.dtype, tracer: ShapeTracer(trace: self))
    }

    func process(_ primitive: any Primitive, _ inputs: [Tensor]) -> [Tensor] {
        // A custom-VJP function has no shape rule: its forward function runs on the
        // placeholders instead.
        if let custom = primitive as? CustomVJPCall {
            return custom.runForward(inputs)
        }
        return primitive.outputTypes(inputs.map(\.type)).map(placeholder)
    }
}

/// A control-flow body as a pure function of its explicit inputs followed by the
/// traced tensors it captured, with the result types found when it was closed.
///
/// Transformations and a future graph builder call it like any function of tensors:
/// `callAsFunction(explicitInputs + capturedValues)`.
final class ClosedBody {
    /// The original closure, called with the explicit inputs only.
    let function: ([Tensor]) -> [Tensor]
    let inputTypes: [TensorType]
    let outputTypes: [TensorType]

    /// The traced tensors from outside that the body uses, as they were when it was closed.
    let captured: [Tensor]

    /// The scope where the body was defined, whose replacements apply to its captures.
    let definitionScope: CaptureScope?

    /// The body's name in error messages, such as `the body of scan`.
    let name: String

    init(
        function: @escaping ([Tensor]) -> [Tensor], inputTypes: [TensorType], outputTypes: [TensorType],
        captured: [Tensor], definitionScope: CaptureScope?, name: String
    ) {
        self.function = function
        self.inputTypes = inputTypes
        self.outputTypes = outputTypes
        self.captured = captured
        self.definitionScope = definitionScope
        self.name = name
    }

    /// The types of all inputs: the explicit ones, then the captured ones.
    var allInputTypes: [TensorType] { inputTypes + captured.map(\.type) }

    /// Runs the body on `inputs`: the explicit inputs followed by one value for each
    /// captured tensor, which replaces it inside the body.
    func callAsFunction(_ inputs: [Tensor]) -> [Tensor] {
        precondition(
            inputs.count == inputTypes.count + captured.count,
            "\(name): got \(inputs.count) inputs for \(inputTypes.count) explicit and \(captured.count) captured ones")
        var replacements = [ObjectIdentifier: Tensor]()
        for (original, value) in zip(captured, inputs[inputTypes.count...]) {
            replacements[ObjectIdentifier(original.tracer!)] = value
        }
        let scope = CaptureScope(
            parent: definitionScope, replacements: replacements, recorder: CaptureScope.current?.recorder)
        let explicit = Array(inputs[..<inputTypes.count])
        let outputs = CaptureScope.$current.withValue(scope) {
            function(explicit).map(scope.replace)
        }
        let types = outputs.map(\.type)
        precondition(
            types == outputTypes,
            "\(name): returned \(types) when called, but \(outputTypes) when it was traced; "
                + "the body must return the same shapes and dtypes every time")
        return outputs
    }
}

/// Closes `function` over the traced tensors it captures: runs it once on placeholders
/// of `inputTypes` under a shape-only trace, recording its result types and captures.
///
/// Reading a value inside the body (`item()`, `Bool(x)`) stops with a message naming
/// `name`, because values are unknown while the body is traced.
func closeBody(_ function: @escaping ([Tensor]) -> [Tensor], inputTypes: [TensorType], name: String) -> ClosedBody {
    let definitionScope = CaptureScope.current
    let outerDepth = TraceStack.depth
    return TraceStack.withNewLevel { level in
        let trace = ShapeTrace(level: level, context: name)
        let recorder = CaptureRecorder(outerDepth: outerDepth)
        let scope = CaptureScope(parent: definitionScope, replacements: [:], recorder: recorder)
        let placeholders = inputTypes.map(trace.placeholder)
        // As the dynamic trace, the shape trace also takes operations on constants and on
        // captured tensors alone, so tracing computes nothing and an enclosing jit does
        // not record them in its graph. The body recomputes them when it runs.
        let outputs = TraceStack.$dynamicTrace.withValue(DynamicTraceReference(trace: trace)) {
            CaptureScope.$current.withValue(scope) {
                function(placeholders).map(scope.replace)
            }
        }
        // A body may return a captured tensor without applying any operation to it.
        outputs.forEach(recorder.record)
        return ClosedBody(
            function: function, inputTypes: inputTypes, outputTypes: outputs.map(\.type),
            captured: recorder.captured, definitionScope: definitionScope, name: name)
    }
}

/// Applies the current scope's replacements to tensors that a rule's Swift closure
/// captured, and records them as captures when a body is being closed.
///
/// Operations replace captured tensors when they bind, but a tensor handed to a
/// transformation (`vjpFlat` primals, `vmapFlat` inputs, a closed body's inputs) is
/// wrapped without a bind, so rules resolve such tensors with this first.
/// NOTE: a user body that passes a tensor captured from outside straight to `grad`,
/// `vjp` or `vmap` as a differentiated or mapped input is not resolved this way.
func resolveCaptured(_ tensors: [Tensor]) -> [Tensor] {
    guard let scope = CaptureScope.current else { return tensors }
    return tensors.map { tensor in
        let value = scope.replace(tensor)
        scope.recorder?.record(value)
        return value
    }
}

/// Runs `function` on inputs with batch axes `axes` (nil: not batched) and returns its
/// outputs with a batch axis of `size` at position 0, broadcasting outputs that do not
/// depend on a batched input.
func callBatched(_ function: @escaping ([Tensor]) -> [Tensor], _ inputs: [Tensor], axes: [Int?], size: Int) -> [Tensor] {
    if axes.contains(where: { $0 != nil }) {
        return vmapFlat(function, inAxes: axes)(inputs)
    }
    return function(inputs).map { Batching.materialize($0, axis: nil, size: size) }
}

/// Stops unless `actual` matches `expected` type by type, naming `operation`, the
/// label of the first mismatching entry and both types.
func checkTypes(
    _ actual: [TensorType], expected: [TensorType], labels: [String], operation: String, problem: String, advice: String
) {
    precondition(
        actual.count == expected.count,
        "\(operation): \(problem): \(actual.count) tensors where \(expected.count) are expected. \(advice)")
    for (index, (found, wanted)) in zip(actual, expected).enumerated() where found != wanted {
        let label = index < labels.count ? labels[index] : "entry \(index)"
        preconditionFailure("\(operation): \(problem) at \(label): \(found) where \(wanted) is expected. \(advice)")
    }
}

/// Labels for the leaves of a tree in error messages: `'path'`, or `root` for a tree
/// that is a single tensor.
func leafLabels(_ tree: some Tree, root: String) -> [String] {
    treePaths(tree).map { $0.isEmpty ? root : "'\($0)'" }
}

/// Labels `name[0]`, `name[1]`, ... for the tensors of a flat list.
func indexLabels(_ name: String, count: Int) -> [String] {
    (0..<count).map { "\(name)[\($0)]" }
}

/// A reference holding a value that an escaping closure sets, such as the tree
/// structure a body returns.
final class ValueBox<Value> {
    var value: Value?
}
