// Matching of arguments against a known structure. A training loop passes trees of the
// same structure on every jitted call, so a walk that compares each node with the
// recorded tokens and collects the leaves replaces building a new token list and
// sorting dictionary keys.

extension TreeStructure {
    /// Returns whether `arguments`, flattened in order, have this structure. When they
    /// do, their leaves are appended to `leaves` in traversal order and the leaf range
    /// of each argument to `ranges`. Otherwise both contain partial results.
    func matches(_ arguments: [any Tree], leaves: inout [Tensor], ranges: inout [Range<Int>]) -> Bool {
        var position = 0
        for argument in arguments {
            let start = leaves.count
            guard match(argument, &position, &leaves) else { return false }
            ranges.append(start..<leaves.count)
        }
        return position == tokens.count
    }

    /// Returns the token at `position`, or nil past the end.
    func token(at position: Int) -> Token? {
        position < tokens.count ? tokens[position] : nil
    }

    /// Matches `node` against the tokens from `position` on, as `append(_:leaves:)`
    /// would have written them, and advances `position` past its tokens.
    private func match(_ node: any Tree, _ position: inout Int, _ leaves: inout [Tensor]) -> Bool {
        // Comparing the dynamic type first is cheaper than a cast that fails.
        let nodeType = Swift.type(of: node)
        if nodeType == Tensor.self, let tensor = node as? Tensor {
            guard case .leaf = token(at: position) else { return false }
            position += 1
            leaves.append(tensor)
            return true
        }
        if nodeType == TensorTree.self, let tree = node as? TensorTree {
            return tree.matchStructure(self, &position, &leaves)
        }
        let children = node.treeChildren
        guard case .container(let type, let childCount) = token(at: position),
            type == ObjectIdentifier(nodeType), childCount == children.count
        else { return false }
        position += 1
        for child in children {
            guard case .key(let key) = token(at: position), key == child.key else { return false }
            position += 1
            guard match(child.value, &position, &leaves) else { return false }
        }
        return true
    }
}

extension TensorTree {
    /// Matches this node against `structure` from `position` on, as
    /// `appendStructure(to:leaves:)` would have written it. A dictionary matches when it
    /// has as many entries as the recorded one and every recorded key, so it has the
    /// same keys, and its leaves come in the recorded (sorted) key order.
    func matchStructure(_ structure: TreeStructure, _ position: inout Int, _ leaves: inout [Tensor]) -> Bool {
        guard case .container(let type, let childCount) = structure.token(at: position),
            type == ObjectIdentifier(TensorTree.self), case .key(let kind) = structure.token(at: position + 1)
        else { return false }
        position += 2

        switch self {
        case .leaf(let tensor):
            guard kind == "leaf", childCount == 1, case .key("") = structure.token(at: position),
                case .leaf = structure.token(at: position + 1)
            else { return false }
            position += 2
            leaves.append(tensor)
            return true
        case .dictionary(let entries):
            guard kind == "dictionary", childCount == entries.count else { return false }
            for _ in 0..<childCount {
                guard case .key(let key) = structure.token(at: position), let child = entries[key] else { return false }
                position += 1
                guard child.matchStructure(structure, &position, &leaves) else { return false }
            }
            return true
        case .list(let items):
            guard kind == "list", childCount == items.count else { return false }
            for (index, item) in items.enumerated() {
                guard case .key(let key) = structure.token(at: position), key == treeIndexKey(index) else { return false }
                position += 1
                guard item.matchStructure(structure, &position, &leaves) else { return false }
            }
            return true
        }
    }
}
