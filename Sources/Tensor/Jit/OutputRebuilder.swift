/// The structure of a jitted function's output, prepared once per trace. Each call then
/// rebuilds the output from the plan's leaves without asking every node of the template
/// for its children, because `TensorTree` dictionaries keep their sorted keys and other
/// containers their child templates.
///
/// It rebuilds the same values as `treeUnflatten` on the template's definition: fields
/// that are not leaves (a `TrainState`'s `applyFn`) come from the template.
struct OutputRebuilder: @unchecked Sendable {
    private indirect enum Node {
        case tensor
        case tensorTreeLeaf
        case tensorTreeDictionary(keys: [String], children: [Node])
        case tensorTreeList([Node])
        case container(template: any Tree, children: [Node])
    }

    private let root: Node
    /// The number of leaves that `rebuild` consumes.
    let leafCount: Int

    /// Prepares the rebuilding of trees structured like `template`.
    init(_ template: any Tree) {
        var count = 0
        root = Self.node(template, &count)
        leafCount = count
    }

    private static func node(_ template: any Tree, _ count: inout Int) -> Node {
        if template is Tensor {
            count += 1
            return .tensor
        }
        if let tree = template as? TensorTree {
            switch tree {
            case .leaf:
                count += 1
                return .tensorTreeLeaf
            case .dictionary(let entries):
                let keys = entries.keys.sorted()
                return .tensorTreeDictionary(keys: keys, children: keys.map { node(entries[$0]!, &count) })
            case .list(let items):
                return .tensorTreeList(items.map { node($0, &count) })
            }
        }
        return .container(template: template, children: template.treeChildren.map { node($0.value, &count) })
    }

    /// Returns the tree with `leaves` in place of the template's leaves, in traversal
    /// order. Stops when the number of leaves differs from `leafCount`.
    func rebuild<Output>(_ leaves: [Tensor], as type: Output.Type) -> Output {
        precondition(leaves.count == leafCount, "jit: \(leaves.count) output leaves for a structure with \(leafCount)")
        var cursor = 0
        return Self.rebuild(root, leaves, &cursor) as! Output
    }

    private static func rebuild(_ node: Node, _ leaves: [Tensor], _ cursor: inout Int) -> any Tree {
        switch node {
        case .tensor:
            cursor += 1
            return leaves[cursor - 1]
        case .tensorTreeLeaf:
            cursor += 1
            return TensorTree.leaf(leaves[cursor - 1])
        case .tensorTreeDictionary(let keys, let children):
            return TensorTree.dictionary(rebuiltDictionary(keys, children, leaves, &cursor))
        case .tensorTreeList(let children):
            return TensorTree.list(children.map { rebuild($0, leaves, &cursor) as! TensorTree })
        case .container(let template, let children):
            return template.withTreeChildren(children.map { rebuild($0, leaves, &cursor) })
        }
    }

    private static func rebuiltDictionary(
        _ keys: [String], _ children: [Node], _ leaves: [Tensor], _ cursor: inout Int
    ) -> [String: TensorTree] {
        var entries = [String: TensorTree](minimumCapacity: keys.count)
        for (key, child) in zip(keys, children) {
            entries[key] = (rebuild(child, leaves, &cursor) as! TensorTree)
        }
        return entries
    }
}
