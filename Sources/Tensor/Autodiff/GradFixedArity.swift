// Fixed-arity overloads of `grad` and `valueAndGrad`.
//
// Swift 6.3 rejects calling the closure that a variadic generic function returns in
// the same expression: `grad(loss)(params, x, y)` fails with "cannot pass value pack
// expansion to non-pack parameter" (swiftlang/swift issue 83345), while storing the
// closure first and then calling it works. These overloads have no parameter packs,
// so the compiler prefers them and the one-expression calls compile for functions of
// up to four arguments. They behave exactly like the variadic forms in Grad.swift.

// MARK: - Gradient with respect to the first argument

/// `grad` for a function of two arguments; see the variadic form.
public func grad<First: Tree, B>(_ function: @escaping (First, B) -> Tensor) -> (First, B) -> First {
    { first, b in differentiateFirst(function, split: { ($0, 0) }, first, b).gradient }
}

/// `grad` for a function of three arguments, such as `loss(params, x, y)`.
public func grad<First: Tree, B, C>(_ function: @escaping (First, B, C) -> Tensor) -> (First, B, C) -> First {
    { first, b, c in differentiateFirst(function, split: { ($0, 0) }, first, b, c).gradient }
}

/// `grad` for a function of four arguments.
public func grad<First: Tree, B, C, D>(
    _ function: @escaping (First, B, C, D) -> Tensor
) -> (First, B, C, D) -> First {
    { first, b, c, d in differentiateFirst(function, split: { ($0, 0) }, first, b, c, d).gradient }
}

/// `valueAndGrad` for a function of two arguments.
public func valueAndGrad<First: Tree, B>(
    _ function: @escaping (First, B) -> Tensor
) -> (First, B) -> (value: Tensor, gradient: First) {
    { first, b in
        let result = differentiateFirst(function, split: { ($0, 0) }, first, b)
        return (result.value, result.gradient)
    }
}

/// `valueAndGrad` for a function of three arguments.
public func valueAndGrad<First: Tree, B, C>(
    _ function: @escaping (First, B, C) -> Tensor
) -> (First, B, C) -> (value: Tensor, gradient: First) {
    { first, b, c in
        let result = differentiateFirst(function, split: { ($0, 0) }, first, b, c)
        return (result.value, result.gradient)
    }
}

/// `valueAndGrad` for a function of four arguments.
public func valueAndGrad<First: Tree, B, C, D>(
    _ function: @escaping (First, B, C, D) -> Tensor
) -> (First, B, C, D) -> (value: Tensor, gradient: First) {
    { first, b, c, d in
        let result = differentiateFirst(function, split: { ($0, 0) }, first, b, c, d)
        return (result.value, result.gradient)
    }
}

// MARK: - Functions returning (loss, aux)

/// `valueAndGrad` with an aux output, for a function of two arguments.
public func valueAndGrad<First: Tree, B, Aux>(
    _ function: @escaping (First, B) -> (Tensor, Aux)
) -> (First, B) -> (value: Tensor, aux: Aux, gradient: First) {
    { first, b in
        let result = differentiateFirst(function, split: { $0 }, first, b)
        return (result.value, result.aux, result.gradient)
    }
}

/// `valueAndGrad` with an aux output, for a function of three arguments.
public func valueAndGrad<First: Tree, B, C, Aux>(
    _ function: @escaping (First, B, C) -> (Tensor, Aux)
) -> (First, B, C) -> (value: Tensor, aux: Aux, gradient: First) {
    { first, b, c in
        let result = differentiateFirst(function, split: { $0 }, first, b, c)
        return (result.value, result.aux, result.gradient)
    }
}

/// `valueAndGrad` with an aux output, for a function of four arguments.
public func valueAndGrad<First: Tree, B, C, D, Aux>(
    _ function: @escaping (First, B, C, D) -> (Tensor, Aux)
) -> (First, B, C, D) -> (value: Tensor, aux: Aux, gradient: First) {
    { first, b, c, d in
        let result = differentiateFirst(function, split: { $0 }, first, b, c, d)
        return (result.value, result.aux, result.gradient)
    }
}

/// `grad` with an aux output, for a function of two arguments.
public func grad<First: Tree, B, Aux>(
    _ function: @escaping (First, B) -> (Tensor, Aux)
) -> (First, B) -> (gradient: First, aux: Aux) {
    { first, b in
        let result = differentiateFirst(function, split: { $0 }, first, b)
        return (result.gradient, result.aux)
    }
}

/// `grad` with an aux output, for a function of three arguments.
public func grad<First: Tree, B, C, Aux>(
    _ function: @escaping (First, B, C) -> (Tensor, Aux)
) -> (First, B, C) -> (gradient: First, aux: Aux) {
    { first, b, c in
        let result = differentiateFirst(function, split: { $0 }, first, b, c)
        return (result.gradient, result.aux)
    }
}

/// `grad` with an aux output, for a function of four arguments.
public func grad<First: Tree, B, C, D, Aux>(
    _ function: @escaping (First, B, C, D) -> (Tensor, Aux)
) -> (First, B, C, D) -> (gradient: First, aux: Aux) {
    { first, b, c, d in
        let result = differentiateFirst(function, split: { $0 }, first, b, c, d)
        return (result.gradient, result.aux)
    }
}

// MARK: - Gradients with respect to the arguments at argnums

/// `grad(_:argnums:_:)` for a function of one argument.
public func grad<A>(_ function: @escaping (A) -> Tensor, argnums first: Int, _ more: Int...) -> (A) -> A? {
    let selected = Set([first] + more)
    return { a in differentiate(function, split: { ($0, 0) }, argnums: selected, operation: "grad", a).gradients }
}

/// `grad(_:argnums:_:)` for a function of two arguments.
public func grad<A, B>(_ function: @escaping (A, B) -> Tensor, argnums first: Int, _ more: Int...) -> (A, B) -> (A?, B?) {
    let selected = Set([first] + more)
    return { a, b in differentiate(function, split: { ($0, 0) }, argnums: selected, operation: "grad", a, b).gradients }
}

/// `grad(_:argnums:_:)` for a function of three arguments, such as `mse(w, b, x)`.
public func grad<A, B, C>(
    _ function: @escaping (A, B, C) -> Tensor, argnums first: Int, _ more: Int...
) -> (A, B, C) -> (A?, B?, C?) {
    let selected = Set([first] + more)
    return { a, b, c in
        differentiate(function, split: { ($0, 0) }, argnums: selected, operation: "grad", a, b, c).gradients
    }
}

/// `grad(_:argnums:_:)` for a function of four arguments.
public func grad<A, B, C, D>(
    _ function: @escaping (A, B, C, D) -> Tensor, argnums first: Int, _ more: Int...
) -> (A, B, C, D) -> (A?, B?, C?, D?) {
    let selected = Set([first] + more)
    return { a, b, c, d in
        differentiate(function, split: { ($0, 0) }, argnums: selected, operation: "grad", a, b, c, d).gradients
    }
}

/// `valueAndGrad(_:argnums:_:)` for a function of one argument.
public func valueAndGrad<A>(
    _ function: @escaping (A) -> Tensor, argnums first: Int, _ more: Int...
) -> (A) -> (value: Tensor, gradients: A?) {
    let selected = Set([first] + more)
    return { a in
        let result = differentiate(function, split: { ($0, 0) }, argnums: selected, operation: "grad", a)
        return (result.value, result.gradients)
    }
}

/// `valueAndGrad(_:argnums:_:)` for a function of two arguments.
public func valueAndGrad<A, B>(
    _ function: @escaping (A, B) -> Tensor, argnums first: Int, _ more: Int...
) -> (A, B) -> (value: Tensor, gradients: (A?, B?)) {
    let selected = Set([first] + more)
    return { a, b in
        let result = differentiate(function, split: { ($0, 0) }, argnums: selected, operation: "grad", a, b)
        return (result.value, result.gradients)
    }
}

/// `valueAndGrad(_:argnums:_:)` for a function of three arguments.
public func valueAndGrad<A, B, C>(
    _ function: @escaping (A, B, C) -> Tensor, argnums first: Int, _ more: Int...
) -> (A, B, C) -> (value: Tensor, gradients: (A?, B?, C?)) {
    let selected = Set([first] + more)
    return { a, b, c in
        let result = differentiate(function, split: { ($0, 0) }, argnums: selected, operation: "grad", a, b, c)
        return (result.value, result.gradients)
    }
}

/// `valueAndGrad(_:argnums:_:)` for a function of four arguments.
public func valueAndGrad<A, B, C, D>(
    _ function: @escaping (A, B, C, D) -> Tensor, argnums first: Int, _ more: Int...
) -> (A, B, C, D) -> (value: Tensor, gradients: (A?, B?, C?, D?)) {
    let selected = Set([first] + more)
    return { a, b, c, d in
        let result = differentiate(function, split: { ($0, 0) }, argnums: selected, operation: "grad", a, b, c, d)
        return (result.value, result.gradients)
    }
}
