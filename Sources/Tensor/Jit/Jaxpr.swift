/// A variable of a jaxpr: an input, a captured constant or an equation's output.
///
/// `id` is unique within one trace. Printing renames variables to `a`, `b`, ... in
/// order of appearance, as JAX does.
public struct JaxprVariable: Hashable, Sendable {
    public let id: Int
    public let type: TensorType
}

/// An operand of an equation or an output of a jaxpr: a variable, or a scalar constant
/// written into the graph (JAX's `Literal`, printed as `2.0:f32[]`).
public enum JaxprAtom: @unchecked Sendable {
    case variable(JaxprVariable)
    case literal(Tensor)

    public var type: TensorType {
        switch self {
        case .variable(let variable): return variable.type
        case .literal(let value): return value.type
        }
    }
}

/// One primitive application: `outputs = primitive inputs`.
public struct JaxprEquation: @unchecked Sendable {
    public let primitive: any Primitive
    public let inputs: [JaxprAtom]
    public let outputs: [JaxprVariable]
}

/// A traced function as a graph in JAX's form (a closed jaxpr): constant variables
/// with their values, input variables, equations in execution order, and outputs.
///
/// `description` is JAX's text, for example for `log(x) / log(2.0)` on a float32 scalar:
///
/// ```
/// { lambda ; a:f32[]. let
///     b:f32[] = log a
///     c:f32[] = log 2.0:f32[]
///     d:f32[] = div b c
///   in (d,) }
/// ```
///
/// Non-scalar tensors captured by the traced function are constant variables, listed
/// before the `;`. Scalar constants appear inline as literals.
public struct Jaxpr: CustomStringConvertible, @unchecked Sendable {
    public let constantVariables: [JaxprVariable]

    /// The values of `constantVariables`, in the same order. A value is a tracer when
    /// the function captured a tensor of an enclosing transformation.
    public let constants: [Tensor]

    public let inputVariables: [JaxprVariable]
    public let equations: [JaxprEquation]
    public let outputs: [JaxprAtom]

    public var description: String { JaxprPrinter.document(for: self).formatted(width: 80) }

    /// The output shapes and dtypes.
    public var outputTypes: [TensorType] { outputs.map(\.type) }

    /// Whether every constant is concrete, so the graph can be compiled and reused.
    var hasOnlyConcreteConstants: Bool { constants.allSatisfy(\.isConcrete) }

    /// Applies the equations to `inputs` by binding each primitive again, so that the
    /// transformations that own the inputs (or an enclosing trace) process them as if
    /// the traced function had run directly (JAX's `eval_jaxpr`).
    func bindEquations(_ inputs: [Tensor]) -> [Tensor] {
        precondition(
            inputs.count == inputVariables.count,
            "jit: the graph takes \(inputVariables.count) inputs but got \(inputs.count)")
        var environment = [Int: Tensor]()
        for (variable, value) in zip(constantVariables, constants) {
            environment[variable.id] = value
        }
        for (variable, value) in zip(inputVariables, inputs) {
            environment[variable.id] = value
        }
        func read(_ atom: JaxprAtom) -> Tensor {
            switch atom {
            case .variable(let variable): return environment[variable.id]!
            case .literal(let value): return value
            }
        }
        for equation in equations {
            let results = bind(equation.primitive, equation.inputs.map(read))
            for (variable, value) in zip(equation.outputs, results) {
                environment[variable.id] = value
            }
        }
        return outputs.map(read)
    }
}
