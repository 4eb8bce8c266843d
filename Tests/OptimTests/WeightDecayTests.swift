import Testing
@testable import Optim

/// Returns parameters with a kernel and a bias in each of two layers.
private func layeredParams() -> TensorTree {
    [
        "Dense1": ["kernel": Tensor([[1, 2], [3, 4]] as [[Float]]), "bias": Tensor([5, 6] as [Float])],
        "Dense2": ["kernel": Tensor([[7], [8]] as [[Float]]), "bias": Tensor([9] as [Float])],
    ]
}

/// Returns the updates of `addDecayedWeights(weightDecay: 0.5, mask:)` for gradients
/// of ones, by leaf path.
private func decayedUpdates(mask: ParameterMask?) -> [String: [Float]] {
    let params = layeredParams()
    let ones = treeMap(params) { Tensor.ones(like: $0) }
    let tx = addDecayedWeights(weightDecay: 0.5, mask: mask)
    let updates = tx.update(ones, state: tx.initialize(params), params: params).updates
    return Dictionary(uniqueKeysWithValues: treeLeavesWithPaths(updates).map { ($0.path, $0.leaf.floats) })
}

@Test func weightDecayWithoutMaskCoversAll() {
    let updates = decayedUpdates(mask: nil)

    #expect(updates["Dense1/kernel"] == [1.5, 2, 2.5, 3])
    #expect(updates["Dense1/bias"] == [3.5, 4])
    #expect(updates["Dense2/kernel"] == [4.5, 5])
    #expect(updates["Dense2/bias"] == [5.5])
}

@Test func weightDecayMaskByPathPredicate() {
    let updates = decayedUpdates(mask: .matching { $0.hasSuffix("/kernel") })

    #expect(updates["Dense1/kernel"] == [1.5, 2, 2.5, 3])
    #expect(updates["Dense1/bias"] == [1, 1])
    #expect(updates["Dense2/kernel"] == [4.5, 5])
    #expect(updates["Dense2/bias"] == [1])
}

@Test func weightDecayMaskByBoolTree() {
    let mask: TensorTree = [
        "Dense1": ["kernel": Tensor(true), "bias": Tensor(false)],
        "Dense2": ["kernel": Tensor(false), "bias": Tensor(true)],
    ]
    let updates = decayedUpdates(mask: .tree(mask))

    #expect(updates["Dense1/kernel"] == [1.5, 2, 2.5, 3])
    #expect(updates["Dense1/bias"] == [1, 1])
    #expect(updates["Dense2/kernel"] == [1, 1])
    #expect(updates["Dense2/bias"] == [5.5])
}

@Test func weightDecayMaskByTreePrefix() {
    // One mask leaf per layer covers both of its parameters, as an Optax mask prefix does.
    let mask: [String: Tensor] = ["Dense1": true, "Dense2": false]
    let updates = decayedUpdates(mask: .tree(mask))

    #expect(updates["Dense1/kernel"] == [1.5, 2, 2.5, 3])
    #expect(updates["Dense1/bias"] == [3.5, 4])
    #expect(updates["Dense2/kernel"] == [1, 1])
    #expect(updates["Dense2/bias"] == [1])
}

@Test func weightDecayMaskFromParameterRank() {
    // The usual "decay matrices, not vectors" mask, built from the parameters.
    let updates = decayedUpdates(mask: .tree(treeMap(layeredParams()) { Tensor($0.rank > 1) }))

    #expect(updates["Dense1/kernel"] == [1.5, 2, 2.5, 3])
    #expect(updates["Dense1/bias"] == [1, 1])
    #expect(updates["Dense2/kernel"] == [4.5, 5])
    #expect(updates["Dense2/bias"] == [1])
}

@Test func adamwMaskLeavesOthersToAdam() {
    // With the mask excluding everything, adamw is adam. With it including everything,
    // adamw differs from adam on every leaf with a nonzero parameter.
    let none = descend(adamw(learningRate: 0.01, weightDecay: 0.1, mask: .matching { _ in false }), from: referenceParams(), steps: 2)
    let all = descend(adamw(learningRate: 0.01, weightDecay: 0.1, mask: .matching { _ in true }), from: referenceParams(), steps: 2)
    let plain = descend(adam(learningRate: 0.01), from: referenceParams(), steps: 2)

    expectIdentical(none.trajectory[1], plain.trajectory[1], "adamw with nothing decayed")
    let decayed = treeLeaves(all.trajectory[1]).flatMap(\.floats)
    let undecayed = treeLeaves(plain.trajectory[1]).flatMap(\.floats)
    #expect(zip(decayed, undecayed).allSatisfy { $0 != $1 }, "\(decayed) vs \(undecayed)")
}
