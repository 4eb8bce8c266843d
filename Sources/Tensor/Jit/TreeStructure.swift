/// The shape of a list of trees without its tensors, as a hashable value: each
/// container's type and child count, each child's key, and a mark for each tensor leaf,
/// in traversal order. Lists with equal structures flatten to leaves in the same order.
///
/// `jit` looks its compiled traces up by structure on every call, so the structure is
/// built from type identities and keys, not from type names.
struct TreeStructure: Hashable, @unchecked Sendable {
    enum Token: Hashable {
        case container(ObjectIdentifier, childCount: Int)
        case key(String)
        case leaf
    }

    private(set) var tokens: [Token] = []

    init() {}

    /// Creates a structure that starts with the type `type`, such as the output type of
    /// a jitted function.
    init(startingWith type: Any.Type) {
        tokens.append(.container(ObjectIdentifier(type), childCount: 0))
    }

    /// Creates the structure of a flat list of `count` tensors.
    init(leafCount count: Int) {
        tokens = [Token](repeating: .leaf, count: count)
    }

    /// Appends the structure of `node`, and its tensor leaves to `leaves`.
    mutating func append(_ node: any Tree, leaves: inout [Tensor]) {
        if let tensor = node as? Tensor {
            tokens.append(.leaf)
            leaves.append(tensor)
            return
        }
        let children = node.treeChildren
        tokens.append(.container(ObjectIdentifier(type(of: node)), childCount: children.count))
        // A TensorTree list and a dictionary with keys "0", "1", ... have the same type
        // and keys, but rebuild into different containers.
        if let tree = node as? TensorTree { tokens.append(.key(tree.containerKind)) }
        for child in children {
            tokens.append(.key(child.key))
            append(child.value, leaves: &leaves)
        }
    }
}

extension TreeStructure {
    /// Appends the tokens of `other`.
    mutating func append(contentsOf other: TreeStructure) {
        tokens.append(contentsOf: other.tokens)
    }
}

extension TensorTree {
    /// The name of this node's case, which tree structures record.
    fileprivate var containerKind: String {
        switch self {
        case .leaf: return "leaf"
        case .dictionary: return "dictionary"
        case .list: return "list"
        }
    }
}
