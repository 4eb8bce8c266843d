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
        // TensorTree nodes record their case too: a list and a dictionary with keys
        // "0", "1", ... have the same type and keys, but rebuild into different containers.
        if let tree = node as? TensorTree {
            tree.appendStructure(to: &self, leaves: &leaves)
            return
        }
        let children = node.treeChildren
        tokens.append(.container(ObjectIdentifier(type(of: node)), childCount: children.count))
        for child in children {
            tokens.append(.key(child.key))
            append(child.value, leaves: &leaves)
        }
    }
}

extension TreeStructure {
    /// Appends the token of a container of type `type` with `childCount` children,
    /// followed by `kind` (a `TensorTree` node's case).
    mutating func appendContainer(_ type: Any.Type, childCount: Int, kind: String) {
        tokens.append(.container(ObjectIdentifier(type), childCount: childCount))
        tokens.append(.key(kind))
    }

    /// Appends the key of the next child.
    mutating func appendKey(_ key: String) { tokens.append(.key(key)) }

    /// Appends the mark of a tensor leaf.
    mutating func appendLeaf() { tokens.append(.leaf) }
}
