/// Calls `transform` once per leaf position with the matching leaves of `trees` and
/// rebuilds `outputCount` trees of the structure of `trees[0]`, the k-th from the
/// k-th tensor that each call returns.
///
/// The trees must have the same structure, which callers check with
/// `requireMatchingLeaves` first.
func mapLeaves<Params: Tree>(
    _ trees: [Params], outputCount: Int, _ transform: ([Tensor]) -> [Tensor]
) -> [Params] {
    let (firstLeaves, definition) = treeFlatten(trees[0])
    let otherLeaves = trees.dropFirst().map { treeLeaves($0) }

    var outputs = [[Tensor]](repeating: [], count: outputCount)
    for index in firstLeaves.indices {
        let results = transform([firstLeaves[index]] + otherLeaves.map { $0[index] })
        precondition(
            results.count == outputCount,
            "mapLeaves: the transform returned \(results.count) tensors, expected \(outputCount)")
        for (output, tensor) in results.enumerated() {
            outputs[output].append(tensor)
        }
    }

    return outputs.map { treeUnflatten(definition, $0) }
}

/// Returns a tree of `params`' structure with every leaf replaced by a tensor of its
/// shape and dtype filled with `value` (Optax's `tree.full_like`).
func filledLike<Params: Tree>(_ params: Params, _ value: Double) -> Params {
    treeMap(params) { Tensor.full($0.shape, value, dtype: $0.dtype) }
}
