/// A nested container of tensors (a pytree): parameters, gradients, optimizer states.
///
/// Tensors are the leaves. A container lists its children with a path key each, in a
/// fixed order, and rebuilds itself from new children of the same types. Dictionaries
/// with string keys visit their keys in sorted order, as JAX does. A user type conforms
/// by listing its tensor-carrying fields:
///
/// ```swift
/// struct Linear: Tree {
///     var weight: Tensor
///     var bias: Tensor
///     var treeChildren: [(key: String, value: any Tree)] { [("weight", weight), ("bias", bias)] }
///     func withTreeChildren(_ children: [any Tree]) -> Linear {
///         Linear(weight: children[0] as! Tensor, bias: children[1] as! Tensor)
///     }
/// }
/// ```
public protocol Tree {
    /// The children with their path keys, in traversal order. Empty for leaves.
    var treeChildren: [(key: String, value: any Tree)] { get }

    /// A copy of this node with `children` (same count, order and types as
    /// `treeChildren`) in place of its children.
    func withTreeChildren(_ children: [any Tree]) -> Self
}

extension Tensor: Tree {
    public var treeChildren: [(key: String, value: any Tree)] { [] }
    public func withTreeChildren(_ children: [any Tree]) -> Tensor { self }
}

extension Dictionary: Tree where Key == String, Value: Tree {
    public var treeChildren: [(key: String, value: any Tree)] {
        keys.sorted().map { ($0, self[$0]! as any Tree) }
    }

    public func withTreeChildren(_ children: [any Tree]) -> [String: Value] {
        var result = [String: Value]()
        for (key, child) in zip(keys.sorted(), children) {
            result[key] = (child as! Value)
        }
        return result
    }
}

extension Array: Tree where Element: Tree {
    public var treeChildren: [(key: String, value: any Tree)] {
        enumerated().map { (treeIndexKey($0.offset), $0.element as any Tree) }
    }

    public func withTreeChildren(_ children: [any Tree]) -> [Element] {
        children.map { $0 as! Element }
    }
}

extension Optional: Tree where Wrapped: Tree {
    public var treeChildren: [(key: String, value: any Tree)] {
        switch self {
        case .some(let value): return [("some", value)]
        case .none: return []
        }
    }

    public func withTreeChildren(_ children: [any Tree]) -> Wrapped? {
        children.isEmpty ? nil : (children[0] as! Wrapped)
    }
}

/// Whether `node` is a tensor leaf.
@inline(__always)
func isLeaf(_ node: any Tree) -> Bool { node is Tensor }

/// Returns the path key of child `index` of a list: its decimal digits. Keys of the
/// first 64 children are made once, because jitted calls flatten lists such as an
/// optimizer's chain states on every call.
func treeIndexKey(_ index: Int) -> String {
    index < smallIndexKeys.count ? smallIndexKeys[index] : String(index)
}

private let smallIndexKeys = (0..<64).map { String($0) }
