import Testing
@testable import Tensor

/// Builds the variables of a two-layer model, with leaves at `params/Dense1/bias`,
/// `params/Dense1/kernel`, `params/Dense2/bias` and `params/Dense2/kernel`.
private func modelVariables() -> [String: [String: [String: Tensor]]] {
    [
        "params": [
            "Dense2": ["kernel": Tensor([5, 6] as [Float], shape: [2, 1]), "bias": Tensor([7] as [Float])],
            "Dense1": ["kernel": Tensor([1, 2, 3, 4] as [Float], shape: [2, 2]), "bias": Tensor([8, 9] as [Float])],
        ]
    ]
}

/// An optimizer-like state as a user-defined tree with a non-tensor field.
private struct MomentumState: Tree, Equatable {
    var step: Int
    var velocity: [String: Tensor]

    var treeChildren: [(key: String, value: any Tree)] { [("velocity", velocity)] }

    func withTreeChildren(_ children: [any Tree]) -> MomentumState {
        MomentumState(step: step, velocity: children[0] as! [String: Tensor])
    }

    static func == (a: MomentumState, b: MomentumState) -> Bool {
        a.step == b.step && treeLeaves(a).map(\.floats) == treeLeaves(b).map(\.floats)
    }
}

/// A tree with a field of each container kind, for checks of rebuilding.
private struct MixedTree: Tree {
    var model: TensorTree
    var state: MomentumState
    var optional: Tensor?
    var array: [Tensor]
    var tensor: Tensor

    var treeChildren: [(key: String, value: any Tree)] {
        [("model", model), ("state", state), ("optional", optional), ("array", array), ("tensor", tensor)]
    }

    func withTreeChildren(_ children: [any Tree]) -> MixedTree {
        MixedTree(
            model: children[0] as! TensorTree, state: children[1] as! MomentumState, optional: children[2] as! Tensor?,
            array: children[3] as! [Tensor], tensor: children[4] as! Tensor)
    }
}

@Suite struct TreeTests {
    @Test func leavesFollowSortedKeys() {
        let leaves = treeLeaves(modelVariables())
        #expect(leaves.map(\.floats) == [[8, 9], [1, 2, 3, 4], [7], [5, 6]])
    }

    @Test func pathsJoinKeysWithSlashes() {
        #expect(treePaths(modelVariables()) == [
            "params/Dense1/bias", "params/Dense1/kernel", "params/Dense2/bias", "params/Dense2/kernel",
        ])
    }

    @Test func pathsOfArrayUseIndices() {
        let tree: [String: [Tensor]] = ["layers": [Tensor(Float(1)), Tensor(Float(2))]]
        #expect(treePaths(tree) == ["layers/0", "layers/1"])
    }

    @Test func pathOfSingleTensorIsEmpty() {
        #expect(treePaths(Tensor(Float(1))) == [""])
        #expect(treeLeaves(Tensor(Float(1))).count == 1)
    }

    @Test func leavesWithPathsPairUp() {
        let pairs = treeLeavesWithPaths(modelVariables())
        #expect(pairs.map(\.path) == treePaths(modelVariables()))
        #expect(pairs[1].leaf.shape == [2, 2])
    }

    @Test func flattenUnflattenRoundTrip() {
        let variables = modelVariables()
        let (leaves, definition) = treeFlatten(variables)
        #expect(definition.leafCount == 4)
        let rebuilt = treeUnflatten(definition, leaves)
        #expect(treePaths(rebuilt) == treePaths(variables))
        #expect(treeLeaves(rebuilt).map(\.floats) == leaves.map(\.floats))
        #expect(rebuilt["params"]!["Dense1"]!["kernel"]!.shape == [2, 2])
    }

    @Test func tensorTreeTraversalMatchesItsChildren() {
        // Each leaf contains its position in the order that `treeChildren` visits, so the
        // direct traversal of TensorTree must return 0, 1, 2, ... and rebuild the tree.
        var next: Float = 0
        func leaf() -> TensorTree {
            defer { next += 1 }
            return .leaf(Tensor(next))
        }
        let b = leaf(), c0 = leaf(), c1a = leaf(), c1b = leaf(), d = leaf()
        let tree: TensorTree = .dictionary([
            "d": d, "b": b, "c": .list([c0, .dictionary(["b": c1b, "a": c1a])]), "e": .list([]),
        ])
        let leaves = treeLeaves(tree)
        #expect(leaves.map { $0.floats[0] } == [0, 1, 2, 3, 4])
        #expect(treePaths(tree) == ["b", "c/0", "c/1/a", "c/1/b", "d"])

        let (_, definition) = treeFlatten(tree)
        let rebuilt = treeUnflatten(definition, leaves.map { $0 * 10 })
        #expect(treeLeaves(rebuilt).map { $0.floats[0] } == [0, 10, 20, 30, 40])
        #expect(treePaths(rebuilt) == treePaths(tree))
        #expect(rebuilt["c"][1]["b"].tensor.floats == [30])
        #expect(rebuilt["e"].description == "[]")
    }

    @Test func jitOutputRebuilderMatchesUnflatten() {
        // Containers of every kind: a user tree with a non-tensor field, TensorTree
        // dictionaries, lists and leaves, an optional, an array and a bare tensor.
        let model: TensorTree = [
            "w": Tensor([1, 2] as [Float]), "layers": TensorTree.list([.leaf(Tensor(Float(3))), ["b": Tensor(Float(4))]]),
        ]
        let state = MomentumState(step: 7, velocity: ["v": Tensor([5, 6] as [Float])])
        let tree = MixedTree(
            model: model, state: state, optional: Tensor(Float(8)), array: [Tensor(Float(9)), Tensor(Float(10))],
            tensor: Tensor(Float(11)))
        let leaves = treeLeaves(tree).map { $0 * 2 }
        let rebuilder = OutputRebuilder(tree)
        #expect(rebuilder.leafCount == leaves.count)

        let expected = treeUnflatten(treeFlatten(tree).definition, leaves)
        let rebuilt = rebuilder.rebuild(leaves, as: MixedTree.self)
        #expect(treePaths(rebuilt) == treePaths(expected))
        #expect(treeLeaves(rebuilt).map(\.floats) == treeLeaves(expected).map(\.floats))
        #expect(rebuilt.state.step == 7)
        #expect(rebuilt.model["layers"][1]["b"].tensor.floats == [8])
    }

    @Test func jitOutputRebuilderKeepsKeysOfLargeDictionaries() {
        // Values are replaced in the dictionary's storage order, but leaves are numbered
        // in sorted key order. Children with zero, one and two leaves shift the numbering.
        var entries = [String: TensorTree]()
        for index in 0..<40 {
            let key = "key\(index)"
            switch index % 3 {
            case 0: entries[key] = .leaf(Tensor(Float(index)))
            case 1: entries[key] = ["a": Tensor(Float(index)), "b": Tensor(Float(index) + 0.5)]
            default: entries[key] = .list([])
            }
        }
        let tree = TensorTree.dictionary(entries)
        let leaves = treeLeaves(tree).map { $0 * 2 }
        let rebuilt = OutputRebuilder(tree).rebuild(leaves, as: TensorTree.self)

        #expect(treePaths(rebuilt) == treePaths(tree))
        for index in stride(from: 0, to: 40, by: 3) {
            #expect(rebuilt["key\(index)"].tensor.floats == [Float(2 * index)])
        }
        for index in stride(from: 1, to: 40, by: 3) {
            #expect(rebuilt["key\(index)"]["b"].tensor.floats == [Float(2 * index + 1)])
        }
    }

    @Test func structureMatchingAgreesWithBuilding() {
        let unitLeaf = Tensor(Float(1))
        let pair = TensorTree.list([.leaf(unitLeaf), .leaf(unitLeaf)])
        let model: TensorTree = ["v": unitLeaf, "w": pair]
        let state = MomentumState(step: 3, velocity: ["v": unitLeaf, "w": unitLeaf])
        // Each differs from the first in one respect: a missing or extra argument, a key,
        // a list's length, a list in place of a dictionary, a container type, the order.
        let candidates: [[any Tree]] = [
            [model, state],
            [model],
            [model, state, [unitLeaf]],
            [["v": unitLeaf, "x": pair] as TensorTree, state],
            [["v": unitLeaf, "w": TensorTree.list([.leaf(unitLeaf)])] as TensorTree, state],
            [["v": unitLeaf, "w": ["0": unitLeaf, "1": unitLeaf]] as TensorTree, state],
            [["v": unitLeaf, "w": TensorTree.leaf(unitLeaf)] as TensorTree, state],
            [model, MomentumState(step: 3, velocity: ["v": unitLeaf, "x": unitLeaf])],
            [model, ["v": unitLeaf, "w": unitLeaf] as [String: Tensor]],
            [state, model],
        ]
        let structures = candidates.map { TreeArguments(expecting: nil, $0).structure }
        for (reference, referenceStructure) in zip(candidates, structures) {
            for (candidate, candidateStructure) in zip(candidates, structures) {
                var leaves = [Tensor]()
                var ranges = [Range<Int>]()
                let matched = referenceStructure.matches(candidate, leaves: &leaves, ranges: &ranges)
                #expect(matched == (referenceStructure == candidateStructure), "\(reference) against \(candidate)")
                if matched {
                    let built = TreeArguments(expecting: nil, candidate)
                    #expect(leaves.count == built.leaves.count)
                    #expect(ranges == built.ranges)
                }
            }
        }
    }

    @Test func unflattenPlacesNewLeaves() {
        let (leaves, definition) = treeFlatten(modelVariables())
        let rebuilt = treeUnflatten(definition, leaves.map { $0 * 10 })
        #expect(rebuilt["params"]!["Dense2"]!["bias"]!.floats == [70])
    }

    @Test func definitionDescribesPaths() {
        let (_, definition) = treeFlatten(["b": Tensor(Float(1)), "a": Tensor(Float(2))])
        #expect(definition.description.contains("2 leaves: a, b"))
    }

    @Test func treeMapOneTree() {
        let doubled = treeMap(modelVariables()) { $0 * 2 }
        #expect(doubled["params"]!["Dense1"]!["bias"]!.floats == [16, 18])
        #expect(treePaths(doubled) == treePaths(modelVariables()))
    }

    @Test func treeMapTwoTrees() {
        let variables = modelVariables()
        let gradients = treeMap(variables) { Tensor.ones(like: $0) }
        let updated = treeMap(variables, gradients) { $0 - 0.5 * $1 }
        #expect(updated["params"]!["Dense1"]!["kernel"]!.floats == [0.5, 1.5, 2.5, 3.5])
    }

    @Test func treeMapThreeTrees() {
        let a: [String: Tensor] = ["x": Tensor([1] as [Float]), "y": Tensor([2] as [Float])]
        let b = treeMap(a) { $0 * 10 }
        let c = treeMap(a) { $0 * 100 }
        let total = treeMap(a, b, c) { $0 + $1 + $2 }
        #expect(total["x"]!.floats == [111])
        #expect(total["y"]!.floats == [222])
    }

    @Test func treeMapManyTrees() {
        let a: [String: Tensor] = ["x": Tensor([1] as [Float])]
        let total = treeMap(a, [a, a, a]) { tensors in tensors.dropFirst().reduce(tensors[0], +) }
        #expect(total["x"]!.floats == [4])
    }

    @Test func treeMapOverUserTree() {
        let state = MomentumState(step: 3, velocity: ["w": Tensor([1, 2] as [Float])])
        let halved = treeMap(state) { $0 / 2 }
        #expect(halved.step == 3)
        #expect(halved.velocity["w"]!.floats == [0.5, 1])
        #expect(treePaths(state) == ["velocity/w"])
    }

    @Test func optionalTreeLeaves() {
        let present: Tensor? = Tensor(Float(1))
        let absent: Tensor? = nil
        #expect(treeLeaves(present).count == 1)
        #expect(treeLeaves(absent).isEmpty)
    }

    @Test func structureDifferenceNamesPath() {
        let a: [String: [String: Tensor]] = ["Dense1": ["kernel": Tensor(Float(1)), "bias": Tensor(Float(2))]]
        let b: [String: [String: Tensor]] = ["Dense1": ["kernel": Tensor(Float(1))]]
        let difference = treeStructureDifference(a, b)
        #expect(difference?.contains("'Dense1'") == true)
        #expect(difference?.contains("bias") == true)
    }

    @Test func structureDifferenceOfLeafAndNode() {
        let a: [String: Tensor] = ["w": Tensor(Float(1))]
        let b: [String: [String: Tensor]] = ["w": ["inner": Tensor(Float(1))]]
        #expect(treeStructureDifference(a, b)?.contains("'w'") == true)
    }

    @Test func structureDifferenceOfEqualTrees() {
        #expect(treeStructureDifference(modelVariables(), treeMap(modelVariables()) { $0 + 1 }) == nil)
    }

    @Test func tensorTreeSubscripts() {
        let tree: TensorTree = [
            "params": [
                "Dense1": TensorTree(["kernel": Tensor([1, 2] as [Float]), "bias": Tensor([3] as [Float])]),
            ],
        ]
        #expect(tree["params"]["Dense1"]["kernel"].tensor.floats == [1, 2])
        #expect(tree[path: "params/Dense1/bias"].tensor.floats == [3])
        #expect(tree["params"]["Dense1"].keys == ["bias", "kernel"])
        #expect(tree.child("missing") == nil)
    }

    @Test func tensorTreePathsAndLeaves() {
        let tree: TensorTree = [
            "b": [Tensor(Float(1)), Tensor(Float(2))],
            "a": Tensor(Float(3)),
        ]
        #expect(treePaths(tree) == ["a", "b/0", "b/1"])
        #expect(treeLeaves(tree).map(\.floatValue) == [3, 1, 2])
        #expect(tree["b"][1].tensor.floatValue == 2)
    }

    @Test func tensorTreeSetter() {
        var tree: TensorTree = ["a": Tensor(Float(1))]
        tree["b"] = .leaf(Tensor(Float(2)))
        #expect(tree.keys == ["a", "b"])
        #expect(tree[path: "b"].tensor.floatValue == 2)
    }

    @Test func tensorTreeMapKeepsStructure() {
        let tree: TensorTree = ["w": Tensor([1, 2] as [Float]), "nested": ["v": Tensor(Float(4))]]
        let mapped = treeMap(tree) { $0 * 3 }
        #expect(mapped[path: "nested/v"].tensor.floatValue == 12)
        #expect(mapped.description == tree.description)
    }
}
