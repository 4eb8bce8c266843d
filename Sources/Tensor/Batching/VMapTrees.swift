/// Vectorizes `function` over axis `inAxes` of every leaf of its input tree
/// (`jax.vmap(f, in_axes, out_axes)` with one axis for the whole argument).
///
/// The returned function traces `function` once, on per-example leaves. Inside it, each
/// input leaf appears without its axis `inAxes` (negative axes count from the end), and
/// all input leaves must have the same extent `n` along that axis. Every output leaf
/// gets an axis of extent `n` inserted at `outAxes`, and the output keeps the structure
/// that `function` returns. With `outAxes` nil the outputs are returned as computed, so
/// they must not depend on the mapped input.
///
/// ```swift
/// let perExample = vmap({ (example: [String: Tensor]) in example["x"]! * example["w"]! })
/// perExample(["x": x, "w": w])  // x and w of shape (n, 3) give a result of shape (n, 3)
/// ```
///
/// Stops with a message when `inAxes` is nil or the input has no tensor leaves, when an
/// axis is out of range for a leaf, or when mapped leaves differ in extent (naming the
/// paths of both leaves).
public func vmap<Input: Tree, Output: Tree>(
    _ function: @escaping (Input) -> Output, inAxes: Int? = 0, outAxes: Int? = 0
) -> (Input) -> Output {
    { input in
        let argument = MappedArgument(input, axis: inAxes, name: "the input")
        return runTreeBatched(arguments: [argument.flat], outAxes: outAxes) { wrapped in
            function(argument.rebuilt(from: wrapped[0]))
        }
    }
}

/// Vectorizes a function of two arguments, mapping argument `i` over axis `inAxes.i`
/// of each of its leaves, or passing it unchanged to every example when that axis is
/// nil (`jax.vmap(f, in_axes=(0, None))`).
///
/// A mapped argument must conform to `Tree`, but an unmapped one can be any value, such
/// as the class count of a one-hot encoding:
///
/// ```swift
/// let encode = vmap({ (label: Tensor, depth: Int) in oneHot(label, depth: depth) }, inAxes: (0, nil))
/// encode(labels, 10)  // labels of shape (n,) give a result of shape (n, 10)
/// ```
///
/// Shapes and `outAxes` work as in the one-argument form. Stops with a message when both
/// axes are nil, when a mapped argument is not a `Tree` or has no tensor leaves, when an
/// axis is out of range for a leaf, or when mapped leaves differ in extent.
public func vmap<A, B, Output: Tree>(
    _ function: @escaping (A, B) -> Output, inAxes: (Int?, Int?) = (0, 0), outAxes: Int? = 0
) -> (A, B) -> Output {
    { a, b in
        let first = MappedArgument(a, axis: inAxes.0, name: "argument 0")
        let second = MappedArgument(b, axis: inAxes.1, name: "argument 1")
        return runTreeBatched(arguments: [first.flat, second.flat], outAxes: outAxes) { wrapped in
            function(first.rebuilt(from: wrapped[0]), second.rebuilt(from: wrapped[1]))
        }
    }
}

/// The leaves of one argument of a tree-level `vmap`, each with the axis it is mapped
/// over and a label that names it in error messages.
struct FlatArgument {
    var leaves: [Tensor] = []
    var axes: [Int?] = []
    var labels: [String] = []
}

/// One argument of a tree-level `vmap`: its leaves when it is mapped, or the value to
/// pass unchanged to every example when it is not.
struct MappedArgument<Value> {
    let value: Value
    let tree: (any Tree)?
    let flat: FlatArgument

    init(_ value: Value, axis: Int?, name: String) {
        self.value = value
        guard let axis else {
            self.tree = nil
            self.flat = FlatArgument()
            return
        }
        guard let tree = value as? any Tree else {
            preconditionFailure(
                "vmap: \(name) of type \(Value.self) is mapped over axis \(axis) but does not conform to Tree; "
                    + "pass nil as its in_axes to give every example the same value")
        }
        let leaves = treeLeaves(tree)
        precondition(!leaves.isEmpty, "vmap: \(name) is mapped over axis \(axis) but has no tensor leaves")
        self.tree = tree
        self.flat = FlatArgument(
            leaves: leaves,
            axes: [Int?](repeating: axis, count: leaves.count),
            labels: treePaths(tree).map { $0.isEmpty ? name : "\(name) at '\($0)'" })
    }

    /// Rebuilds the argument with `leaves` (the per-example tracers) in place of its
    /// leaves, or returns the value unchanged when it is not mapped.
    func rebuilt(from leaves: [Tensor]) -> Value {
        guard let tree else { return value }
        var cursor = 0
        return rebuildAny(tree, leaves, &cursor) as! Value
    }
}

/// Checks the mapped leaves of all arguments, runs `function` on per-example leaves
/// (one list per argument) under a batch trace, and rebuilds its output tree with the
/// mapped axis of every leaf at `outAxes`.
func runTreeBatched<Output: Tree>(
    arguments: [FlatArgument], outAxes: Int?, _ function: ([[Tensor]]) -> Output
) -> Output {
    checkMappedAxes(arguments)
    var outputDefinition: TreeDefinition<Output>?
    let outputs = runBatched(
        { wrapped in
            var perArgument = [[Tensor]]()
            var start = 0
            for argument in arguments {
                perArgument.append(Array(wrapped[start..<(start + argument.leaves.count)]))
                start += argument.leaves.count
            }
            let (outputLeaves, definition) = treeFlatten(function(perArgument))
            outputDefinition = definition
            return outputLeaves
        },
        arguments.flatMap(\.leaves), inAxes: arguments.flatMap(\.axes),
        outAxes: { [Int?](repeating: outAxes, count: $0) })
    return treeUnflatten(outputDefinition!, outputs)
}

/// Stops unless some leaf is mapped, every mapped axis is in range for its leaf, and
/// all mapped axes have the same extent, naming the leaves in the message.
func checkMappedAxes(_ arguments: [FlatArgument]) {
    var reference: (label: String, extent: Int)?
    for argument in arguments {
        for (leaf, (axis, label)) in zip(argument.leaves, zip(argument.axes, argument.labels)) {
            guard let axis else { continue }
            precondition(
                axis >= -leaf.rank && axis < leaf.rank,
                "vmap: in_axes \(axis) is out of range for \(label) of shape \(formatShape(leaf.shape))")
            let extent = leaf.shape[axis < 0 ? axis + leaf.rank : axis]
            if let reference {
                precondition(
                    extent == reference.extent,
                    "vmap: mapped axes have different sizes: \(reference.extent) for \(reference.label) and \(extent) for \(label)")
            } else {
                reference = (label, extent)
            }
        }
    }
    precondition(reference != nil, "vmap: at least one argument must be mapped (in_axes are all nil)")
}
