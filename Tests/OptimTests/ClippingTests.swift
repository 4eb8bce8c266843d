import Testing
@testable import Optim

@Test func globalNormMatchesOptax() {
    // nn_optim_reference.py, Optax 0.2.8: global norm of the first gradient 4.64865589.
    let norm = globalNorm(referenceGradients(referenceParams()))

    #expect(norm.dtype == .float32)
    expectClose([norm.floatValue], [4.64865589], "global norm")
}

@Test func globalNormOfEmptyTreeIsZero() {
    #expect(globalNorm([String: Tensor]()).floatValue == 0)
}

@Test func clipByGlobalNormKeepsZeroGradientsZero() {
    let zeros = treeMap(referenceParams()) { Tensor.zeros(like: $0) }
    let tx = clipByGlobalNorm(1)
    let result = tx.update(zeros, state: tx.initialize(zeros))

    for leaf in treeLeaves(result.updates) {
        #expect(leaf.floats.allSatisfy { $0 == 0 }, "updates \(leaf.floats)")
    }
}

@Test func clipByGlobalNormKeepsSmallUpdates() {
    let g = referenceGradients(referenceParams())
    let tx = clipByGlobalNorm(5)
    let result = tx.update(g, state: tx.initialize(g))

    expectIdentical(result.updates, g, "updates below the threshold")
}

@Test func clipByGlobalNormScalesLargeUpdates() {
    let g = referenceGradients(referenceParams())
    let tx = clipByGlobalNorm(2)
    let result = tx.update(g, state: tx.initialize(g))
    let factor = Float(2) / Float(4.64865589)

    expectClose([globalNorm(result.updates).floatValue], [2], "norm after clipping")
    expectClose(
        treeLeaves(result.updates).flatMap(\.floats), treeLeaves(g).flatMap(\.floats).map { $0 * factor },
        "updates above the threshold")
    #expect(treeLeaves(result.state).isEmpty)
}

@Test func clipLimitsEachElement() {
    let g: TensorTree = ["w": Tensor([-3, -0.5, 0, 0.25, 2] as [Float])]
    let tx: GradientTransformation = clip(0.5)
    let result = tx.update(g, state: tx.initialize(g))

    #expect(result.updates["w"].tensor.floats == [-0.5, -0.5, 0, 0.25, 0.5])
}
