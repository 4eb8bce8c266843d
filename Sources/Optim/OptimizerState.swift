/// The state of a gradient transformation, as `initialize` and `update` return it.
///
/// It wraps the state of one transformation (a struct such as `ScaleByAdamState`) or,
/// for a `chain`, the states of its parts in order. It is a tree whose leaf paths are
/// Optax's: the Adam moments of `adam(learningRate:)` are at `0/mu/...` and
/// `0/nu/...`, its step count at `0/count`. Read a field by position and type,
/// by type alone, or by path:
///
/// ```swift
/// let optState = adam(learningRate: 1e-3).initialize(params)   // params: TensorTree
/// let adamState = optState[0].as(ScaleByAdamState<TensorTree>.self)
/// adamState.count                       // int32 scalar tensor
/// adamState.mu["Dense1"]["kernel"]      // first moment of params/Dense1/kernel
/// optState.find(ScaleByAdamState<TensorTree>.self)?.nu["Dense1"]["bias"]
/// optState[path: "0/mu/Dense1/kernel"]  // the same leaf as a Tensor
/// ```
///
/// The type parameter of a state is the parameter tree type that `initialize`
/// received.
public struct OptimizerState: Tree, CustomStringConvertible {
    /// The wrapped state: a transformation's state struct, or `[OptimizerState]` for a
    /// chain.
    public let content: any Tree

    /// Wraps the state of one transformation, or an array of states for a chain.
    public init(_ content: any Tree) {
        self.content = content
    }

    public var treeChildren: [(key: String, value: any Tree)] { [("", content)] }

    public func withTreeChildren(_ children: [any Tree]) -> OptimizerState {
        OptimizerState(children[0])
    }

    /// Whether this is the state of a `chain`.
    public var isChain: Bool { content is [OptimizerState] }

    /// The states of the parts of a chain, in order. Stops when this is not the state
    /// of a chain.
    public var parts: [OptimizerState] {
        guard let parts = content as? [OptimizerState] else {
            preconditionFailure("OptimizerState: \(type(of: content)) is not the state of a chain")
        }
        return parts
    }

    /// Accesses the state of the chain's part at `index` (Optax's `opt_state[index]`).
    public subscript(index: Int) -> OptimizerState {
        let parts = self.parts
        precondition(
            parts.indices.contains(index),
            "OptimizerState: index \(index) is out of range for a chain of \(parts.count) transformations")
        return parts[index]
    }

    /// Returns the wrapped state as `S`. Stops with a message naming the actual type when it is
    /// another type, such as a chain (use the subscript first) or a state created for
    /// another parameter type.
    public func `as`<S: Tree>(_ type: S.Type) -> S {
        guard let state = content as? S else {
            let hint = isChain ? ". It is a chain, so take a part with [index] first." : ""
            preconditionFailure("OptimizerState.as: the state is \(Swift.type(of: content)), not \(S.self)\(hint)")
        }
        return state
    }

    /// Returns the first state of type `S` in depth-first order through nested chains,
    /// or nil when there is none.
    public func find<S: Tree>(_ type: S.Type) -> S? {
        if let state = content as? S { return state }
        guard let parts = content as? [OptimizerState] else { return nil }
        for part in parts {
            if let state = part.find(type) { return state }
        }
        return nil
    }

    /// Accesses the leaf at a `/`-separated path as `treePaths` lists it, such as
    /// `0/mu/Dense1/kernel`. Stops with a message listing the paths when it is missing.
    public subscript(path path: String) -> Tensor {
        let leaves = treeLeavesWithPaths(self)
        guard let match = leaves.first(where: { $0.path == path }) else {
            preconditionFailure("OptimizerState: no leaf at '\(path)'. The paths are \(leaves.map(\.path)).")
        }
        return match.leaf
    }

    public var description: String {
        if let parts = content as? [OptimizerState] {
            return "(" + parts.map(\.description).joined(separator: ", ") + ")"
        }
        return "\(content)"
    }
}
