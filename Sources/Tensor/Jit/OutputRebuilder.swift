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
        /// A dictionary, rebuilt as a copy of `template` whose values are replaced in
        /// its storage order, which needs no hashing. `children[i]` is the node of the
        /// value at the template's i-th index, and its leaves start `leafOffsets[i]`
        /// leaves after the dictionary's first (keys sorted). `leafCount` is the
        /// dictionary's number of leaves.
        case tensorTreeDictionary(template: [String: TensorTree], children: [Node], leafOffsets: [Int], leafCount: Int)
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
                // Leaves are numbered in sorted key order, the traversal order.
                let start = count
                var offsets = [String: Int]()
                var nodes = [String: Node]()
                for key in entries.keys.sorted() {
                    offsets[key] = count - start
                    nodes[key] = node(entries[key]!, &count)
                }
                let keysInStorageOrder = entries.keys.map { $0 }
                return .tensorTreeDictionary(
                    template: entries, children: keysInStorageOrder.map { nodes[$0]! },
                    leafOffsets: keysInStorageOrder.map { offsets[$0]! }, leafCount: count - start)
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
        case .tensorTreeDictionary(let template, let children, let leafOffsets, let leafCount):
            return TensorTree.dictionary(rebuiltDictionary(template, children, leafOffsets, leafCount, leaves, &cursor))
        case .tensorTreeList(let children):
            return TensorTree.list(children.map { rebuild($0, leaves, &cursor) as! TensorTree })
        case .container(let template, let children):
            return template.withTreeChildren(children.map { rebuild($0, leaves, &cursor) })
        }
    }

    private static func rebuiltDictionary(
        _ template: [String: TensorTree], _ children: [Node], _ leafOffsets: [Int], _ leafCount: Int,
        _ leaves: [Tensor], _ cursor: inout Int
    ) -> [String: TensorTree] {
        // The copy has the template's storage layout, so the template's indices address
        // the same entries in it.
        var entries = template
        let start = cursor
        var index = template.startIndex
        for (child, offset) in zip(children, leafOffsets) {
            var childCursor = start + offset
            entries.values[index] = (rebuild(child, leaves, &childCursor) as! TensorTree)
            template.formIndex(after: &index)
        }
        cursor = start + leafCount
        return entries
    }
}
