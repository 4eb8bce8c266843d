// Direct traversals of `TensorTree` for the paths that run on every jitted call
// (flattening the arguments, rebuilding the output). They visit the same nodes in the
// same order as the generic traversal through `treeChildren`, without building the
// child arrays, existential boxes and sorted key lists of every node on the way.

extension TensorTree {
    /// Appends the leaves in traversal order: dictionary keys sorted, list items in order.
    func collectLeaves(into leaves: inout [Tensor]) {
        switch self {
        case .leaf(let tensor):
            leaves.append(tensor)
        case .dictionary(let entries):
            for key in entries.keys.sorted() {
                entries[key].unsafelyUnwrapped.collectLeaves(into: &leaves)
            }
        case .list(let items):
            for item in items { item.collectLeaves(into: &leaves) }
        }
    }

    /// Returns a tree of this structure with `leaves[cursor...]` in place of its leaves,
    /// in traversal order, and advances `cursor` past the leaves used.
    func rebuilt(from leaves: [Tensor], _ cursor: inout Int) -> TensorTree {
        switch self {
        case .leaf:
            cursor += 1
            return .leaf(leaves[cursor - 1])
        case .dictionary(let entries):
            var result = [String: TensorTree](minimumCapacity: entries.count)
            for key in entries.keys.sorted() {
                result[key] = entries[key].unsafelyUnwrapped.rebuilt(from: leaves, &cursor)
            }
            return .dictionary(result)
        case .list(let items):
            return .list(items.map { $0.rebuilt(from: leaves, &cursor) })
        }
    }

    /// Appends this node's tokens to `structure` and its leaves to `leaves`, as
    /// `TreeStructure.append(_:leaves:)` does for any tree.
    func appendStructure(to structure: inout TreeStructure, leaves: inout [Tensor]) {
        switch self {
        case .leaf(let tensor):
            structure.appendContainer(TensorTree.self, childCount: 1, kind: "leaf")
            structure.appendKey("")
            structure.appendLeaf()
            leaves.append(tensor)
        case .dictionary(let entries):
            structure.appendContainer(TensorTree.self, childCount: entries.count, kind: "dictionary")
            for key in entries.keys.sorted() {
                structure.appendKey(key)
                entries[key].unsafelyUnwrapped.appendStructure(to: &structure, leaves: &leaves)
            }
        case .list(let items):
            structure.appendContainer(TensorTree.self, childCount: items.count, kind: "list")
            for (index, item) in items.enumerated() {
                structure.appendKey(treeIndexKey(index))
                item.appendStructure(to: &structure, leaves: &leaves)
            }
        }
    }
}
