/// A nested dictionary (or list) of tensors with string keys, such as a model's
/// variables: `variables["params"]["Dense1"]["kernel"]`.
///
/// Subscripting a missing key or index stops with a message naming the path and the
/// keys that exist.
public indirect enum TensorTree: Tree, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    case leaf(Tensor)
    case dictionary([String: TensorTree])
    case list([TensorTree])

    /// A dictionary node from a literal whose values are tensors, trees, or nested
    /// dictionaries of them: `["w": w, "inner": ["b": b]]`.
    public init(dictionaryLiteral elements: (String, any TensorTreeConvertible)...) {
        self = .dictionary(Dictionary(uniqueKeysWithValues: elements.map { ($0.0, $0.1.tensorTree) }))
    }

    /// A tree from a dictionary of tensors.
    public init(_ tensors: [String: Tensor]) {
        self = .dictionary(tensors.mapValues { .leaf($0) })
    }

    public var treeChildren: [(key: String, value: any Tree)] {
        switch self {
        case .leaf(let tensor): return [("", tensor)]
        case .dictionary(let entries): return entries.keys.sorted().map { ($0, entries[$0]! as any Tree) }
        case .list(let items): return items.enumerated().map { (treeIndexKey($0.offset), $0.element as any Tree) }
        }
    }

    public func withTreeChildren(_ children: [any Tree]) -> TensorTree {
        switch self {
        case .leaf(let tensor):
            return .leaf(children.first as? Tensor ?? tensor)
        case .dictionary(let entries):
            var result = [String: TensorTree]()
            for (key, child) in zip(entries.keys.sorted(), children) {
                result[key] = (child as! TensorTree)
            }
            return .dictionary(result)
        case .list:
            return .list(children.map { $0 as! TensorTree })
        }
    }

    /// The child at `key` of a dictionary node.
    public subscript(key: String) -> TensorTree {
        get {
            guard case .dictionary(let entries) = self else {
                preconditionFailure("TensorTree: cannot look up key '\(key)' in \(kindName)")
            }
            guard let child = entries[key] else {
                preconditionFailure("TensorTree: no key '\(key)'; the keys are \(entries.keys.sorted())")
            }
            return child
        }
        set {
            guard case .dictionary(var entries) = self else {
                preconditionFailure("TensorTree: cannot set key '\(key)' in \(kindName)")
            }
            entries[key] = newValue
            self = .dictionary(entries)
        }
    }

    /// The child at `index` of a list node.
    public subscript(index: Int) -> TensorTree {
        guard case .list(let items) = self else {
            preconditionFailure("TensorTree: cannot take index \(index) of \(kindName)")
        }
        precondition(items.indices.contains(index), "TensorTree: index \(index) is out of range for a list of \(items.count)")
        return items[index]
    }

    /// The node at a `/`-separated path such as `params/Dense1/kernel`.
    public subscript(path path: String) -> TensorTree {
        var node = self
        for key in path.split(separator: "/") {
            node = node[String(key)]
        }
        return node
    }

    /// The tensor of a leaf node.
    public var tensor: Tensor {
        guard case .leaf(let tensor) = self else {
            preconditionFailure("TensorTree: expected a tensor but found \(kindName)")
        }
        return tensor
    }

    /// The keys of a dictionary node, sorted; empty for other nodes.
    public var keys: [String] {
        guard case .dictionary(let entries) = self else { return [] }
        return entries.keys.sorted()
    }

    /// The child at `key`, or nil when it is missing or this is not a dictionary.
    public func child(_ key: String) -> TensorTree? {
        guard case .dictionary(let entries) = self else { return nil }
        return entries[key]
    }

    var kindName: String {
        switch self {
        case .leaf(let tensor): return "a tensor of shape \(formatShape(tensor.shape))"
        case .dictionary(let entries): return "a dictionary with keys \(entries.keys.sorted())"
        case .list(let items): return "a list of \(items.count)"
        }
    }

    public var description: String {
        switch self {
        case .leaf(let tensor): return "\(tensor.dtype)\(formatShape(tensor.shape))"
        case .dictionary(let entries):
            return "{" + entries.keys.sorted().map { "\($0): \(entries[$0]!)" }.joined(separator: ", ") + "}"
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

/// A value that converts to a `TensorTree` node: tensors become leaves, dictionaries
/// with string keys become dictionary nodes and arrays become list nodes.
public protocol TensorTreeConvertible {
    var tensorTree: TensorTree { get }
}

extension TensorTree: TensorTreeConvertible {
    public var tensorTree: TensorTree { self }
}

extension Tensor: TensorTreeConvertible {
    public var tensorTree: TensorTree { .leaf(self) }
}

extension Dictionary: TensorTreeConvertible where Key == String, Value: TensorTreeConvertible {
    public var tensorTree: TensorTree { .dictionary(mapValues(\.tensorTree)) }
}

extension Array: TensorTreeConvertible where Element: TensorTreeConvertible {
    public var tensorTree: TensorTree { .list(map(\.tensorTree)) }
}
