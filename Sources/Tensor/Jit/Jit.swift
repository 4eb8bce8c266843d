// `jit` for functions of flat lists, of one to three trees, and of trees followed by a
// static argument.
//
// A jitted function traces its body into a `Jaxpr` once per signature: the tree
// structure of the arguments, the shape and dtype of every leaf, and the value of the
// static argument. It compiles the graph into an `ExecutionPlan` and runs the plan on
// later calls with the same signature. Consequences for the traced body, as in JAX:
//
// - Swift side effects (a `print`, appending to an array, incrementing a counter) run
//   while tracing, so once per signature, not on every call.
// - Tensor values are unknown while tracing: reading one (`item`, `floatValue`,
//   `Bool(x .> 0)`) stops with a message that names the jitted function. Branch on
//   `x.shape` or `x.ndim` (a new shape is a new trace), make the value a static
//   argument, or select between values with `where(_:_:_:)`.
// - Tensors captured from the enclosing code are constants of the trace: a captured
//   variable that later changes keeps its traced value.
// - Fields of a tree that are not leaves (a `TrainState`'s `applyFn` and `tx`) are not
//   part of the signature. The output is rebuilt from the tree that the first trace
//   returned, so such fields of the output come from that trace.
//
// Under `grad`, `valueAndGrad`, `vmap` or an enclosing `jit`, a jitted function does not
// run its plan: it binds the equations of its cached graph again on the transformed
// arguments, which is the same as tracing through its body, without calling the Swift
// function again. So `grad(jit(f))` differentiates the graph's primitives with their
// own `vjp` rules, `vmap(jit(f))` batches them, and `jit(g)` around a jitted call
// records its equations inline.

/// Compiles a function of flat tensor lists (`jax.jit` on lists).
///
/// `name` identifies the function in error messages (the default is its source
/// location); `cache` receives the compiled traces, for callers that want to count them.
public func jitFlat(
    _ function: @escaping ([Tensor]) -> [Tensor], name: String? = nil, cache: JitCache = JitCache(),
    fileID: String = #fileID, line: Int = #line
) -> ([Tensor]) -> [Tensor] {
    let context = jitContext(name: name, fileID: fileID, line: line)
    return { inputs in
        callJitted(
            cache: cache, context: context, leaves: inputs, outputType: [Tensor].self,
            structure: TreeStructure(leafCount: inputs.count), staticArguments: [],
            function: { (function($0), ()) }
        ).outputs
    }
}

/// Compiles `function` (`jax.jit`): the first call with each input signature traces it
/// into a graph, and calls with that signature run the compiled graph.
///
/// The input and output can be any trees, such as a `TrainState` or a dictionary of
/// parameters. See the notes at the top of this file for what tracing implies for the
/// function's body.
///
/// `donateArgnums` lists the arguments whose buffers the compiled graph may reuse for
/// outputs and intermediate values of the same byte size (`donate_argnums` in JAX), so
/// that a training step `state -> state'` updates the state in place. After a call, the
/// caller must not use a donated argument again: its tensors may hold other values.
/// TODO: Detect that reuse. JAX stops with an error when a donated array is read again,
/// and Weft reads whatever the plan wrote there, including from copies of the argument.
/// Assign the result to the same variable (`state = step(state)`). A leaf whose storage
/// another argument leaf also uses is not overwritten. Donation applies when the plan
/// runs on concrete arguments, not when the jitted function is traced by `grad`,
/// `vmap` or an enclosing `jit`.
///
/// ```swift
/// let step = jit { (x: Tensor) in relu(x) * 2 }
/// let y = step(Tensor([-1, 2] as [Float]))  // traces, compiles and runs
/// let z = step(Tensor([3, 4] as [Float]))   // runs the compiled graph
/// ```
public func jit<Input: Tree, Output: Tree>(
    _ function: @escaping (Input) -> Output, name: String? = nil, cache: JitCache = JitCache(),
    donateArgnums: Set<Int> = [], fileID: String = #fileID, line: Int = #line
) -> (Input) -> Output {
    let context = jitContext(name: name, fileID: fileID, line: line)
    checkDonateArgnums(donateArgnums, argumentCount: 1, context: context)
    return { input in
        let arguments = TreeArguments(expecting: cache.lastStructure, [input])
        return runJitted(
            cache: cache, context: context, arguments, staticArguments: [], donateArgnums: donateArgnums
        ) { leaves in
            function(arguments.rebuild(0, leaves))
        }
    }
}

/// `jit` for a function of two tree arguments.
public func jit<A: Tree, B: Tree, Output: Tree>(
    _ function: @escaping (A, B) -> Output, name: String? = nil, cache: JitCache = JitCache(),
    donateArgnums: Set<Int> = [], fileID: String = #fileID, line: Int = #line
) -> (A, B) -> Output {
    let context = jitContext(name: name, fileID: fileID, line: line)
    checkDonateArgnums(donateArgnums, argumentCount: 2, context: context)
    return { a, b in
        let arguments = TreeArguments(expecting: cache.lastStructure, [a, b])
        return runJitted(
            cache: cache, context: context, arguments, staticArguments: [], donateArgnums: donateArgnums
        ) { leaves in
            function(arguments.rebuild(0, leaves), arguments.rebuild(1, leaves))
        }
    }
}

/// `jit` for a function of three tree arguments, such as `step(state, x, y)`, which
/// donates `state` with `donateArgnums: [0]`.
public func jit<A: Tree, B: Tree, C: Tree, Output: Tree>(
    _ function: @escaping (A, B, C) -> Output, name: String? = nil, cache: JitCache = JitCache(),
    donateArgnums: Set<Int> = [], fileID: String = #fileID, line: Int = #line
) -> (A, B, C) -> Output {
    let context = jitContext(name: name, fileID: fileID, line: line)
    checkDonateArgnums(donateArgnums, argumentCount: 3, context: context)
    return { a, b, c in
        let arguments = TreeArguments(expecting: cache.lastStructure, [a, b, c])
        return runJitted(
            cache: cache, context: context, arguments, staticArguments: [], donateArgnums: donateArgnums
        ) { leaves in
            function(arguments.rebuild(0, leaves), arguments.rebuild(1, leaves), arguments.rebuild(2, leaves))
        }
    }
}

/// `jit` with a static last argument (`jax.jit(f, static_argnums=1)`): a Swift value
/// such as a `Bool`, an `Int` or an enum case that the body may branch on. Each
/// distinct value (by `==`) gets its own trace.
///
/// ```swift
/// let normalize = jit { (x: Tensor, normal: Bool) in normal ? (x - x.mean()) / x.std() : x }
/// normalize(x, true)   // traces with normal == true
/// normalize(x, false)  // traces again with normal == false
/// ```
public func jit<Input: Tree, Static: Hashable, Output: Tree>(
    _ function: @escaping (Input, Static) -> Output, name: String? = nil, cache: JitCache = JitCache(),
    fileID: String = #fileID, line: Int = #line
) -> (Input, Static) -> Output {
    let context = jitContext(name: name, fileID: fileID, line: line)
    return { input, value in
        let arguments = TreeArguments(expecting: cache.lastStructure, [input])
        return runJitted(cache: cache, context: context, arguments, staticArguments: [AnyHashable(value)]) { leaves in
            function(arguments.rebuild(0, leaves), value)
        }
    }
}

/// `jit` for a function of two tree arguments and a static last argument.
public func jit<A: Tree, B: Tree, Static: Hashable, Output: Tree>(
    _ function: @escaping (A, B, Static) -> Output, name: String? = nil, cache: JitCache = JitCache(),
    fileID: String = #fileID, line: Int = #line
) -> (A, B, Static) -> Output {
    let context = jitContext(name: name, fileID: fileID, line: line)
    return { a, b, value in
        let arguments = TreeArguments(expecting: cache.lastStructure, [a, b])
        return runJitted(cache: cache, context: context, arguments, staticArguments: [AnyHashable(value)]) { leaves in
            function(arguments.rebuild(0, leaves), arguments.rebuild(1, leaves), value)
        }
    }
}

/// Runs one call of a tree-level jitted function whose body, given the leaves of all
/// arguments, returns the output tree.
func runJitted<Output: Tree>(
    cache: JitCache, context: String, _ arguments: TreeArguments, staticArguments: [AnyHashable],
    donateArgnums: Set<Int> = [], _ body: @escaping ([Tensor]) -> Output
) -> Output {
    let (outputs, definition) = callJitted(
        cache: cache, context: context, leaves: arguments.leaves, outputType: Output.self,
        structure: arguments.structure, staticArguments: staticArguments,
        donatedLeaves: { Set(donateArgnums.flatMap { arguments.ranges[$0] }) }
    ) { leaves in
        let output = body(leaves)
        return (treeLeaves(output), OutputRebuilder(output))
    }
    return (definition as! OutputRebuilder).rebuild(outputs, as: Output.self)
}

/// Stops with a message when `donateArgnums` names an argument that does not exist.
func checkDonateArgnums(_ donateArgnums: Set<Int>, argumentCount: Int, context: String) {
    for index in donateArgnums.sorted() {
        precondition(
            (0..<argumentCount).contains(index),
            "\(context): donateArgnums contains \(index), but the function has \(argumentCount) tree argument(s); "
                + "use indices from 0 to \(argumentCount - 1)")
    }
}
