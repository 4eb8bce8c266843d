/// Traces `function` on abstract tensors of `inputTypes` and returns its graph
/// (`jax.make_jaxpr` on flat lists, with shapes in place of example arguments).
///
/// The function runs once, on tracers that carry only a shape and a dtype, so it must
/// not read tensor values (see `jit`). Tensors it captures become constants of the
/// graph.
public func makeJaxprFlat(
    _ function: ([Tensor]) -> [Tensor], inputTypes: [TensorType], name: String = "makeJaxpr"
) -> Jaxpr {
    traceJaxpr(inputTypes: inputTypes, context: name, function)
}

/// Returns a function that traces `function` on abstract tensors of its arguments'
/// shapes and dtypes and returns the graph (`jax.make_jaxpr` on flat lists).
public func makeJaxprFlat(_ function: @escaping ([Tensor]) -> [Tensor]) -> ([Tensor]) -> Jaxpr {
    { inputs in makeJaxprFlat(function, inputTypes: inputs.map(\.type)) }
}

/// Returns a function that traces `function` on abstract values with the structure,
/// shapes and dtypes of its argument and returns the graph (`jax.make_jaxpr`).
///
/// The graph's inputs are the leaves of the argument in traversal order and its
/// outputs are the leaves of the result.
///
/// ```swift
/// let graph = makeJaxpr({ (x: Tensor) in log(x) / log(2.0) })(Tensor(Float(3)))
/// print(graph)  // { lambda ; a:f32[]. let ... in (d,) }
/// ```
public func makeJaxpr<Input: Tree, Output: Tree>(_ function: @escaping (Input) -> Output) -> (Input) -> Jaxpr {
    { input in
        let (leaves, definition) = treeFlatten(input)
        return makeJaxprFlat({ treeLeaves(function(treeUnflatten(definition, $0))) }, inputTypes: leaves.map(\.type))
    }
}

/// `makeJaxpr` for a function of two tree arguments, whose leaves become the graph's
/// inputs in argument order.
public func makeJaxpr<A: Tree, B: Tree, Output: Tree>(
    _ function: @escaping (A, B) -> Output
) -> (A, B) -> Jaxpr {
    { a, b in
        let arguments = TreeArguments(a, b)
        return makeJaxprFlat(
            { leaves in treeLeaves(function(arguments.rebuild(0, leaves), arguments.rebuild(1, leaves))) },
            inputTypes: arguments.leaves.map(\.type))
    }
}

/// `makeJaxpr` for a function of three tree arguments.
public func makeJaxpr<A: Tree, B: Tree, C: Tree, Output: Tree>(
    _ function: @escaping (A, B, C) -> Output
) -> (A, B, C) -> Jaxpr {
    { a, b, c in
        let arguments = TreeArguments(a, b, c)
        return makeJaxprFlat(
            { leaves in
                treeLeaves(function(arguments.rebuild(0, leaves), arguments.rebuild(1, leaves), arguments.rebuild(2, leaves)))
            },
            inputTypes: arguments.leaves.map(\.type))
    }
}

/// The tree arguments of a traced function as one flat list of leaves, and the way
/// back from a list of the same length to each argument.
struct TreeArguments {
    let templates: [any Tree]
    let ranges: [Range<Int>]
    let leaves: [Tensor]
    /// The arguments' tree structure. Two argument lists with equal structures flatten
    /// to leaves in the same order.
    let structure: TreeStructure

    init(_ arguments: any Tree...) {
        self.init(expecting: nil, arguments)
    }

    /// Flattens `arguments`, first trying `expected`, the structure of the previous
    /// call, which a matching walk confirms faster than a new structure is built.
    init(expecting expected: TreeStructure?, _ arguments: [any Tree]) {
        if let expected {
            var leaves = [Tensor]()
            var ranges = [Range<Int>]()
            if expected.matches(arguments, leaves: &leaves, ranges: &ranges) {
                self.templates = arguments
                self.ranges = ranges
                self.leaves = leaves
                self.structure = expected
                return
            }
        }
        var leaves = [Tensor]()
        var ranges = [Range<Int>]()
        var structure = TreeStructure()
        for argument in arguments {
            let start = leaves.count
            structure.append(argument, leaves: &leaves)
            ranges.append(start..<leaves.count)
        }
        self.templates = arguments
        self.ranges = ranges
        self.leaves = leaves
        self.structure = structure
    }

    /// Argument `index` rebuilt with its part of `leaves` in place of its leaves.
    func rebuild<T>(_ index: Int, _ leaves: [Tensor]) -> T {
        var cursor = 0
        return rebuildAny(templates[index], Array(leaves[ranges[index]]), &cursor) as! T
    }
}

