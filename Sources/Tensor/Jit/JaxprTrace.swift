/// A tensor inside `jit` or `makeJaxpr`: a variable of the graph being built, known
/// only by its shape and dtype.
final class JaxprTracer: Tracer {
    let variable: JaxprVariable

    init(trace: JaxprTrace, variable: JaxprVariable) {
        self.variable = variable
        super.init(trace: trace)
    }
}

/// The graph-building interpreter: each primitive applied to its tracers becomes an
/// equation whose output variables get the types of the primitive's `outputTypes`.
///
/// While it traces, it is also the dynamic trace (see `TraceStack.dynamicTrace`), so
/// operations on constants alone, such as `log(2.0)`, are recorded too rather than
/// evaluated. Concrete scalars become literals. Other tensors that do not belong to
/// this trace (closure captures, tracers of enclosing transformations) become constant
/// variables, one per distinct value.
final class JaxprTrace: Trace {
    let level: Int
    let context: String

    private var nextID = 0
    private var constantVariables: [JaxprVariable] = []
    private var constants: [Tensor] = []
    private var constantIndex: [ConstantKey: Int] = [:]
    private var inputVariables: [JaxprVariable] = []
    private var equations: [JaxprEquation] = []
    private var isFinished = false

    /// The identity of a captured tensor: its buffer or tracer object, with the shape
    /// and dtype because a reshape shares the buffer of its input.
    private struct ConstantKey: Hashable {
        let object: ObjectIdentifier
        let type: TensorType
    }

    init(level: Int, context: String) {
        self.level = level
        self.context = context
    }

    private func newVariable(_ type: TensorType) -> JaxprVariable {
        defer { nextID += 1 }
        return JaxprVariable(id: nextID, type: type)
    }

    private func wrap(_ variable: JaxprVariable) -> Tensor {
        Tensor(shape: variable.type.shape, dtype: variable.type.dtype, tracer: JaxprTracer(trace: self, variable: variable))
    }

    /// Adds an input variable of `type` and returns its tracer.
    func newInput(_ type: TensorType) -> Tensor {
        let variable = newVariable(type)
        inputVariables.append(variable)
        return wrap(variable)
    }

    /// Returns the atom for `x`: its variable when it is a tracer of this trace, a literal for a
    /// concrete scalar, and otherwise a constant variable.
    func atom(_ x: Tensor) -> JaxprAtom {
        if let tracer = x.tracer as? JaxprTracer, tracer.trace === self {
            return .variable(tracer.variable)
        }
        if x.isConcrete && x.rank == 0 {
            return .literal(x)
        }
        let object = x.storage.map { ObjectIdentifier($0) } ?? ObjectIdentifier(x.tracer!)
        let key = ConstantKey(object: object, type: x.type)
        if let index = constantIndex[key] {
            return .variable(constantVariables[index])
        }
        let variable = newVariable(x.type)
        constantIndex[key] = constantVariables.count
        constantVariables.append(variable)
        constants.append(x)
        return .variable(variable)
    }

    func process(_ primitive: any Primitive, _ inputs: [Tensor]) -> [Tensor] {
        precondition(
            !isFinished,
            "\(primitive.name): a tensor traced by \(context) was used after the traced function returned; "
                + "return it from the function instead of storing it outside")
        let operands = inputs.map(atom)
        let types: [TensorType]
        if let custom = primitive as? CustomVJPCall {
            types = forwardOutputTypes(custom, inputs.map(\.type))
        } else {
            types = primitive.outputTypes(inputs.map(\.type))
        }
        let outputs = types.map(newVariable)
        equations.append(JaxprEquation(primitive: primitive, inputs: operands, outputs: outputs))
        return outputs.map(wrap)
    }

    /// The output types of a `customVJP` function, whose shapes are known only by
    /// running its forward function: it is traced into a separate graph that is then
    /// dropped, so the recorded equation keeps the custom backward rule.
    private func forwardOutputTypes(_ custom: CustomVJPCall, _ inputTypes: [TensorType]) -> [TensorType] {
        let graph = traceJaxpr(inputTypes: inputTypes, context: context) { custom.runForward($0) }
        return graph.outputTypes
    }

    /// Ends the trace and returns the graph with `outputs` (tensors that the traced
    /// function returned) as its outputs.
    func finish(outputs: [Tensor]) -> Jaxpr {
        let outputAtoms = outputs.map(atom)
        isFinished = true
        return Jaxpr(
            constantVariables: constantVariables, constants: constants, inputVariables: inputVariables,
            equations: equations, outputs: outputAtoms)
    }
}

/// A reference to the trace that records operations whose inputs are all concrete,
/// kept in a task-local value.
struct DynamicTraceReference: @unchecked Sendable {
    let trace: any Trace
}

extension TraceStack {
    /// The innermost active `jit` or `makeJaxpr` trace, if any. `bind` gives it the
    /// operations whose inputs are all concrete or belong to lower levels, as JAX's
    /// dynamic trace ("omnistaging") does, so constants computed inside a traced
    /// function become part of its graph.
    @TaskLocal static var dynamicTrace: DynamicTraceReference?
}

/// Traces `function` on abstract inputs of `inputTypes` at a new level and returns its
/// graph. `context` names the function in error messages.
func traceJaxpr(
    inputTypes: [TensorType], context: String, _ function: ([Tensor]) -> [Tensor]
) -> Jaxpr {
    TraceStack.withNewLevel { level in
        let trace = JaxprTrace(level: level, context: context)
        let inputs = inputTypes.map(trace.newInput)
        let outputs = TraceStack.$dynamicTrace.withValue(DynamicTraceReference(trace: trace)) {
            function(inputs)
        }
        return trace.finish(outputs: outputs)
    }
}
