/// A choice of parameters by their leaf paths, such as the parameters that receive
/// weight decay.
///
/// Paths are the `/`-joined keys that `treePaths` returns for the parameters
/// (`Dense1/kernel`). Create a mask from a predicate on the path, or from a tree of
/// bool scalars with the structure of the parameters or a prefix of it, as in Optax:
///
/// ```swift
/// let kernelsOnly = ParameterMask.matching { $0.hasSuffix("kernel") }
/// let byTree = ParameterMask.tree(["Dense1": ["kernel": true, "bias": false]] as [String: [String: Tensor]])
/// let byRank = ParameterMask.tree(treeMap(params) { Tensor($0.rank > 1) })
/// ```
public struct ParameterMask: Sendable {
    private enum Rule: Sendable {
        case predicate(@Sendable (String) -> Bool)
        case entries([(path: String, included: Bool)])
    }

    private let rule: Rule

    /// Creates a mask of the parameters whose leaf path satisfies `predicate`.
    public static func matching(_ predicate: @escaping @Sendable (_ path: String) -> Bool) -> ParameterMask {
        ParameterMask(rule: .predicate(predicate))
    }

    /// Creates a mask of the parameters marked true in `mask`, a tree of bool scalar
    /// tensors.
    ///
    /// A leaf of `mask` at path `a` covers the parameter at `a` and every parameter
    /// below it (`a/...`), so a mask may stop above the parameter leaves. When the
    /// mask is applied, a parameter that no mask leaf covers, or a mask leaf that
    /// covers no parameter, stops with a message naming the path. Stops at once when a
    /// leaf of `mask` is not a bool scalar.
    public static func tree(_ mask: some Tree) -> ParameterMask {
        let entries = treeLeavesWithPaths(mask).map { path, leaf in
            precondition(
                leaf.dtype == .bool && leaf.size == 1,
                "ParameterMask.tree: the mask leaf at '\(path)' must be a bool scalar, "
                    + "got \(leaf.dtype) of shape \(formatShape(leaf.shape))")
            return (path: path, included: Bool(leaf))
        }
        return ParameterMask(rule: .entries(entries))
    }

    /// Returns whether each of `paths` is included, in order. `transformation` names the
    /// caller in messages.
    func includes(_ paths: [String], in transformation: String) -> [Bool] {
        switch rule {
        case .predicate(let predicate):
            return paths.map(predicate)
        case .entries(let entries):
            return Self.resolve(paths, entries, in: transformation)
        }
    }

    private static func resolve(
        _ paths: [String], _ entries: [(path: String, included: Bool)], in transformation: String
    ) -> [Bool] {
        var used = Set<Int>()
        let result = paths.map { path -> Bool in
            guard let index = entries.firstIndex(where: { covers($0.path, path) }) else {
                preconditionFailure(
                    "\(transformation): the mask has no entry for the parameter '\(path)'. "
                        + "The mask paths are \(entries.map(\.path)).")
            }
            used.insert(index)
            return entries[index].included
        }
        for (index, entry) in entries.enumerated() where !used.contains(index) {
            preconditionFailure(
                "\(transformation): the mask path '\(entry.path)' matches no parameter. "
                    + "The parameter paths are \(paths).")
        }
        return result
    }

    /// Returns whether the mask leaf at `maskPath` covers the parameter at `path`.
    private static func covers(_ maskPath: String, _ path: String) -> Bool {
        maskPath.isEmpty || maskPath == path || path.hasPrefix(maskPath + "/")
    }
}

/// Adds the parameters scaled by `weightDecay` to the updates (decoupled weight
/// decay, Loshchilov and Hutter, 2019):
///
///     u ← u + weightDecay·p
///
/// for the parameters that `mask` includes, or all when it is nil. The other updates
/// pass unchanged. `update` needs `params` and stops without them. A weight decay of
/// 0 returns the updates unchanged, as in Optax. The state is an `EmptyState`.
///
/// This is Optax's `add_decayed_weights` (0.2.8) for a constant rate. Optax also
/// accepts a schedule, and it wraps a masked transformation's state in a
/// `MaskedState`, which has no leaves either.
public func addDecayedWeights(weightDecay: Double = 0, mask: ParameterMask? = nil) -> GradientTransformation {
    GradientTransformation(
        initialize: { _ in EmptyState() },
        update: { updates, state, params in
            guard let params else {
                preconditionFailure("addDecayedWeights: the parameters are missing. Pass params: to update.")
            }
            if weightDecay == 0 {
                return (updates, state)
            }
            return (decayedUpdates(updates, params, weightDecay: weightDecay, mask: mask), state)
        })
}

private func decayedUpdates<Params: Tree>(
    _ updates: Params, _ params: any Tree, weightDecay: Double, mask: ParameterMask?
) -> any Tree {
    requireMatchingLeaves(updates, params, otherName: "the parameters", in: "addDecayedWeights")
    let included = mask?.includes(treePaths(updates), in: "addDecayedWeights")
    let paramLeaves = treeLeaves(params)
    let (updateLeaves, definition) = treeFlatten(updates)

    let decayed = updateLeaves.indices.map { index -> Tensor in
        if let included, !included[index] {
            return updateLeaves[index]
        }
        return updateLeaves[index] + paramLeaves[index] * weightDecay
    }
    return treeUnflatten(definition, decayed)
}
