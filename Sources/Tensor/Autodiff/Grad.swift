/// Cursor over the arguments of a differentiated function while they are rebuilt
/// from tape inputs.
final class ArgumentCursor {
    let differentiated: Set<Int>
    var index = 0
    var leaves: [Tensor]
    var leafCursor = 0

    init(differentiated: Set<Int>, leaves: [Tensor] = []) {
        self.differentiated = differentiated
        self.leaves = leaves
    }

    /// Appends the leaves of argument `value` when it is differentiated.
    func collect<T>(_ value: T) {
        defer { index += 1 }
        guard differentiated.contains(index) else { return }
        guard let tree = value as? any Tree else {
            preconditionFailure("grad: argument \(index) of type \(T.self) is differentiated but does not conform to Tree")
        }
        for (path, leaf) in treeLeavesWithPaths(tree) {
            precondition(
                leaf.dtype.isFloatingPoint,
                "grad: argument \(index)\(path.isEmpty ? "" : " at '\(path)'") has dtype \(leaf.dtype); grad needs float32 inputs (cast with astype(.float32), or leave the argument out of argnums)")
            leaves.append(leaf)
        }
    }

    /// The argument rebuilt from the next leaves when it is differentiated, else unchanged.
    func rebuilt<T>(_ value: T) -> T {
        defer { index += 1 }
        guard differentiated.contains(index), let tree = value as? any Tree else { return value }
        return rebuildAny(tree, leaves, &leafCursor) as! T
    }

    /// The argument's gradient rebuilt from the next leaves when it is differentiated.
    func gradient<T>(_ value: T) -> T? {
        defer { index += 1 }
        guard differentiated.contains(index), let tree = value as? any Tree else { return nil }
        return (rebuildAny(tree, leaves, &leafCursor) as! T)
    }
}

/// Checks that `value` is a scalar float tensor, naming its shape otherwise.
func checkScalarOutput(_ value: Tensor, _ operation: String) {
    precondition(
        value.rank == 0,
        "\(operation): the function must return a scalar, but it returned a tensor of shape \(formatShape(value.shape)); reduce it (for example with mean()) first")
    precondition(value.dtype.isFloatingPoint, "\(operation): the function must return a float32 scalar, got \(value.dtype)")
}

/// Differentiates a scalar function with respect to the arguments at `argnums`,
/// returning the value, the gradients and the pulled-back aux output.
func differentiate<each A, Output, Aux>(
    _ function: (repeat each A) -> Output, split: (Output) -> (Tensor, Aux), argnums: Set<Int>, operation: String,
    _ args: repeat each A
) -> (value: Tensor, aux: Aux, gradients: (repeat (each A)?)) {
    let collector = ArgumentCursor(differentiated: argnums)
    repeat collector.collect(each args)
    precondition(
        argnums.allSatisfy { $0 >= 0 && $0 < collector.index },
        "\(operation): argnums \(argnums.sorted()) are out of range for a function of \(collector.index) arguments")

    var aux: Aux?
    var zeroCursor = 0
    let (outputs, pullback) = vjpFlat({ leaves in
        let cursor = ArgumentCursor(differentiated: argnums, leaves: leaves)
        let (value, auxValue) = split(function(repeat cursor.rebuilt(each args)))
        checkScalarOutput(value, operation)
        aux = auxValue
        return [value]
    }, collector.leaves, context: operation)

    if let tree = aux as? any Tree {
        aux = (rebuildAny(tree, treeLeaves(tree).map(primalOfFinishedTrace), &zeroCursor) as! Aux)
    }
    zeroCursor = 0

    let gradientLeaves = pullback([Tensor.ones([], dtype: .float32)])
    let cursor = ArgumentCursor(differentiated: argnums, leaves: gradientLeaves)
    let gradients = (repeat cursor.gradient(each args))
    return (outputs[0], aux!, gradients)
}

/// Differentiates a scalar function with respect to its first argument only.
func differentiateFirst<First: Tree, each Rest, Output, Aux>(
    _ function: (First, repeat each Rest) -> Output, split: (Output) -> (Tensor, Aux),
    _ first: First, _ rest: repeat each Rest
) -> (value: Tensor, aux: Aux, gradient: First) {
    let (leaves, definition) = treeFlatten(first)
    for (path, leaf) in zip(treePaths(first), leaves) {
        precondition(
            leaf.dtype.isFloatingPoint,
            "grad: argument 0\(path.isEmpty ? "" : " at '\(path)'") has dtype \(leaf.dtype); grad needs float32 inputs (cast with astype(.float32))")
    }

    var aux: Aux?
    let (outputs, pullback) = vjpFlat({ wrapped in
        let (value, auxValue) = split(function(treeUnflatten(definition, wrapped), repeat each rest))
        checkScalarOutput(value, "grad")
        aux = auxValue
        return [value]
    }, leaves, context: "grad")

    var result = aux!
    if let tree = result as? any Tree {
        var cursor = 0
        result = rebuildAny(tree, treeLeaves(tree).map(primalOfFinishedTrace), &cursor) as! Aux
    }
    let gradient = treeUnflatten(definition, pullback([Tensor.ones([], dtype: .float32)]))
    return (outputs[0], result, gradient)
}

/// The gradient of a scalar-valued `function` with respect to its first argument
/// (`jax.grad` with the default `argnums=0`). The first argument may be any tree of
/// float32 tensors; the gradient has its structure. Other arguments can be anything.
///
/// Stops when the function returns a non-scalar (naming the shape) or the
/// differentiated argument contains integer tensors.
public func grad<First: Tree, each Rest>(
    _ function: @escaping (First, repeat each Rest) -> Tensor
) -> (First, repeat each Rest) -> First {
    { (first: First, rest: repeat each Rest) in
        valueAndGrad(function)(first, repeat each rest).gradient
    }
}

/// The value and the gradient with respect to the first argument
/// (`jax.value_and_grad`).
public func valueAndGrad<First: Tree, each Rest>(
    _ function: @escaping (First, repeat each Rest) -> Tensor
) -> (First, repeat each Rest) -> (value: Tensor, gradient: First) {
    { (first: First, rest: repeat each Rest) in
        let result = differentiateFirst(function, split: { ($0, 0) }, first, repeat each rest)
        return (result.value, result.gradient)
    }
}

/// The value, the aux output and the gradient with respect to the first argument, for
/// a function returning `(loss, aux)` (`jax.value_and_grad(..., has_aux=True)`). The
/// aux output is returned as computed, without taking part in differentiation.
public func valueAndGrad<First: Tree, each Rest, Aux>(
    _ function: @escaping (First, repeat each Rest) -> (Tensor, Aux)
) -> (First, repeat each Rest) -> (value: Tensor, aux: Aux, gradient: First) {
    { (first: First, rest: repeat each Rest) in
        let result = differentiateFirst(function, split: { $0 }, first, repeat each rest)
        return (result.value, result.aux, result.gradient)
    }
}

/// The gradient with respect to the first argument of a function returning
/// `(loss, aux)`, with the aux output.
public func grad<First: Tree, each Rest, Aux>(
    _ function: @escaping (First, repeat each Rest) -> (Tensor, Aux)
) -> (First, repeat each Rest) -> (gradient: First, aux: Aux) {
    { (first: First, rest: repeat each Rest) in
        let result = valueAndGrad(function)(first, repeat each rest)
        return (result.gradient, result.aux)
    }
}

/// The gradients with respect to the arguments at `argnums` (`jax.grad(f, argnums=(0, 1))`).
/// The result contains one optional per argument: the gradient for each differentiated
/// argument and nil for the others, so `let (dw, db, _) = grad(mse, argnums: 0, 1)(w, b, x)`.
public func grad<each A>(
    _ function: @escaping (repeat each A) -> Tensor, argnums first: Int, _ more: Int...
) -> (repeat each A) -> (repeat (each A)?) {
    let selected = Set([first] + more)
    return { (args: repeat each A) in
        differentiate(function, split: { ($0, 0) }, argnums: selected, operation: "grad", repeat each args).gradients
    }
}

/// The value and the gradients with respect to the arguments at `argnums`.
public func valueAndGrad<each A>(
    _ function: @escaping (repeat each A) -> Tensor, argnums first: Int, _ more: Int...
) -> (repeat each A) -> (value: Tensor, gradients: (repeat (each A)?)) {
    let selected = Set([first] + more)
    return { (args: repeat each A) in
        let result = differentiate(function, split: { ($0, 0) }, argnums: selected, operation: "grad", repeat each args)
        return (result.value, result.gradients)
    }
}

/// Reverse-mode differentiation of a function between trees (`jax.vjp`): returns the
/// output and a pullback from an output cotangent (same structure as the output) to
/// the input cotangent (same structure as the input).
public func vjp<Input: Tree, Output: Tree>(
    _ function: (Input) -> Output, _ primal: Input
) -> (output: Output, pullback: (Output) -> Input) {
    let (leaves, inputDefinition) = treeFlatten(primal)
    var outputDefinition: TreeDefinition<Output>?
    let (outputs, pullbackFlat) = vjpFlat({ wrapped in
        let result = function(treeUnflatten(inputDefinition, wrapped))
        let (outputLeaves, definition) = treeFlatten(result)
        outputDefinition = definition
        return outputLeaves
    }, leaves)
    let definition = outputDefinition!
    let output = treeUnflatten(definition, outputs)
    return (output, { cotangent in
        if let difference = treeStructureDifference(output, cotangent) {
            preconditionFailure("vjp: the cotangent differs in structure from the output \(difference)")
        }
        return treeUnflatten(inputDefinition, pullbackFlat(treeLeaves(cotangent)))
    })
}

/// The primal value behind a tracer of a reverse-mode trace that has finished (its
/// level is deeper than the current one), so outputs such as `hasAux` values do not
/// carry tracers out of the transformation.
func primalOfFinishedTrace(_ x: Tensor) -> Tensor {
    var value = x
    while let tracer = value.tracer as? GradTracer, tracer.level > TraceStack.depth {
        value = tracer.primal
    }
    return value
}
