/// The leaves of `tree` in traversal order (`jax.tree_util.tree_leaves`).
public func treeLeaves(_ tree: some Tree) -> [Tensor] {
    var leaves = [Tensor]()
    collectLeaves(tree, into: &leaves)
    return leaves
}

func collectLeaves(_ node: any Tree, into leaves: inout [Tensor]) {
    if let tensor = node as? Tensor {
        leaves.append(tensor)
        return
    }
    if let tree = node as? TensorTree {
        tree.collectLeaves(into: &leaves)
        return
    }
    for child in node.treeChildren {
        collectLeaves(child.value, into: &leaves)
    }
}

/// The `/`-joined path of every leaf, such as `params/Dense1/kernel`, in traversal order.
public func treePaths(_ tree: some Tree) -> [String] {
    var paths = [String]()
    collectPaths(tree, prefix: [], into: &paths)
    return paths
}

func collectPaths(_ node: any Tree, prefix: [String], into paths: inout [String]) {
    if node is Tensor {
        paths.append(prefix.joined(separator: "/"))
        return
    }
    for child in node.treeChildren {
        collectPaths(child.value, prefix: child.key.isEmpty ? prefix : prefix + [child.key], into: &paths)
    }
}

/// The leaves with their paths, in traversal order.
public func treeLeavesWithPaths(_ tree: some Tree) -> [(path: String, leaf: Tensor)] {
    Array(zip(treePaths(tree), treeLeaves(tree)))
}

/// The structure of a tree without its leaves: enough to rebuild it from new leaves.
public struct TreeDefinition<T: Tree>: CustomStringConvertible {
    let template: T

    /// The number of leaves.
    public let leafCount: Int

    public var description: String {
        "TreeDefinition(\(T.self), \(leafCount) leaves: \(treePaths(template).joined(separator: ", ")))"
    }
}

/// The leaves of `tree` and its structure (`jax.tree_util.tree_flatten`).
public func treeFlatten<T: Tree>(_ tree: T) -> (leaves: [Tensor], definition: TreeDefinition<T>) {
    let leaves = treeLeaves(tree)
    return (leaves, TreeDefinition(template: tree, leafCount: leaves.count))
}

/// A tree of `definition`'s structure holding `leaves` (`jax.tree_util.tree_unflatten`).
///
/// Stops when the number of leaves differs from the structure's.
public func treeUnflatten<T: Tree>(_ definition: TreeDefinition<T>, _ leaves: [Tensor]) -> T {
    precondition(
        leaves.count == definition.leafCount,
        "treeUnflatten: \(leaves.count) leaves for a structure with \(definition.leafCount) leaves")
    var cursor = 0
    return rebuild(definition.template, leaves, &cursor)
}

func rebuild<T: Tree>(_ template: T, _ leaves: [Tensor], _ cursor: inout Int) -> T {
    if template is Tensor {
        let leaf = leaves[cursor]
        cursor += 1
        return leaf as! T
    }
    if let tree = template as? TensorTree {
        return tree.rebuilt(from: leaves, &cursor) as! T
    }
    let children = template.treeChildren.map { child -> any Tree in
        rebuildAny(child.value, leaves, &cursor)
    }
    return template.withTreeChildren(children)
}

func rebuildAny(_ template: any Tree, _ leaves: [Tensor], _ cursor: inout Int) -> any Tree {
    rebuild(template, leaves, &cursor)
}

/// The first path where two trees differ in structure, with a description of the
/// difference, or nil when they match.
public func treeStructureDifference(_ a: any Tree, _ b: any Tree) -> String? {
    structureDifference(a, b, path: [])
}

func structureDifference(_ a: any Tree, _ b: any Tree, path: [String]) -> String? {
    let location = path.isEmpty ? "the root" : "'\(path.joined(separator: "/"))'"
    let aLeaf = a is Tensor
    let bLeaf = b is Tensor
    if aLeaf || bLeaf {
        if aLeaf && bLeaf { return nil }
        return "at \(location): \(aLeaf ? "a tensor" : "a \(type(of: a))") vs \(bLeaf ? "a tensor" : "a \(type(of: b))")"
    }
    let aChildren = a.treeChildren
    let bChildren = b.treeChildren
    let aKeys = aChildren.map(\.key)
    let bKeys = bChildren.map(\.key)
    if aKeys != bKeys {
        let missing = aKeys.filter { !bKeys.contains($0) }
        let extra = bKeys.filter { !aKeys.contains($0) }
        var parts = [String]()
        if !missing.isEmpty { parts.append("keys \(missing) only in the first") }
        if !extra.isEmpty { parts.append("keys \(extra) only in the second") }
        if parts.isEmpty { parts.append("children \(aKeys) vs \(bKeys)") }
        return "at \(location): " + parts.joined(separator: ", ")
    }
    for (childA, childB) in zip(aChildren, bChildren) {
        if let difference = structureDifference(childA.value, childB.value, path: childA.key.isEmpty ? path : path + [childA.key]) {
            return difference
        }
    }
    return nil
}

/// `transform` applied to every leaf, keeping the structure (`jax.tree_util.tree_map`).
public func treeMap<T: Tree>(_ tree: T, _ transform: (Tensor) -> Tensor) -> T {
    let (leaves, definition) = treeFlatten(tree)
    return treeUnflatten(definition, leaves.map(transform))
}

/// `transform` applied to matching leaves of two trees of the same structure.
///
/// Stops when the structures differ, naming the first differing path.
public func treeMap<T: Tree>(_ a: T, _ b: some Tree, _ transform: (Tensor, Tensor) -> Tensor) -> T {
    if let difference = treeStructureDifference(a, b) {
        preconditionFailure("treeMap: the trees differ in structure \(difference)")
    }
    let (leaves, definition) = treeFlatten(a)
    return treeUnflatten(definition, zip(leaves, treeLeaves(b)).map(transform))
}

/// `transform` applied to matching leaves of three trees of the same structure.
public func treeMap<T: Tree>(
    _ a: T, _ b: some Tree, _ c: some Tree, _ transform: (Tensor, Tensor, Tensor) -> Tensor
) -> T {
    for other in [b as any Tree, c as any Tree] {
        if let difference = treeStructureDifference(a, other) {
            preconditionFailure("treeMap: the trees differ in structure \(difference)")
        }
    }
    let (leaves, definition) = treeFlatten(a)
    let bLeaves = treeLeaves(b)
    let cLeaves = treeLeaves(c)
    return treeUnflatten(definition, leaves.indices.map { transform(leaves[$0], bLeaves[$0], cLeaves[$0]) })
}

/// `transform` applied to matching leaves of any number of trees of the same structure.
public func treeMap<T: Tree>(_ first: T, _ others: [any Tree], _ transform: ([Tensor]) -> Tensor) -> T {
    for other in others {
        if let difference = treeStructureDifference(first, other) {
            preconditionFailure("treeMap: the trees differ in structure \(difference)")
        }
    }
    let (leaves, definition) = treeFlatten(first)
    let otherLeaves = others.map { treeLeaves($0) }
    return treeUnflatten(definition, leaves.indices.map { i in transform([leaves[i]] + otherLeaves.map { $0[i] }) })
}
