import Testing

@testable import NN

// Cross-entropy edge cases from Tests/References/nn_optim_reference.txt
// (section d), printed by nn_optim_reference.py with Optax 0.2.8 and
// JAX 0.10.2 in float32.

private let infinity = Float.infinity
private let huge = Float(1e30)

/// Logits, one row per case, and the class label of each row.
private let edgeLogits = Tensor([
    [1, -infinity, 2],
    [huge, 0, -1],
    [huge, 0, -1],
    [huge, huge, 0],
    [-infinity, -infinity, 0],
    [-infinity, -infinity, -infinity],
    [0.5, -1.5, 3],
    [-huge, 0, 1],
] as [[Float]])
private let edgeLabels = Tensor([2, 0, 1, 0, 2, 0, 1, 0] as [Int32])

/// `optax.safe_softmax_cross_entropy` per row. The one-hot loss here leaves
/// out zero-label terms like it does. `optax.softmax_cross_entropy` gives NaN
/// for rows 0 and 4, where a -inf logit has label 0.
private let expectedOneHotLoss: [Float] = [0.313261628, -0, huge, 0.693147182, -0, .nan, 4.5891037, huge]

/// `optax.softmax_cross_entropy_with_integer_labels` gives
/// [0.313261509, 0, 1e30, 0, 0, nan, 4.5891037, 1e30]. Two rows differ:
/// row 0 in the last float32 bits, and row 3, where Optax's logsumexp adds
/// log 2 to 1e30 and loses it. The exact value there is log 2, as the one-hot
/// version gives.
private let expectedIntegerLoss: [Float] = [0.313261509, 0, huge, 0.693147182, 0, .nan, 4.5891037, huge]

/// The gradient of the summed loss, the same for all three Optax losses.
private let expectedGradient: [Float] = [
    0.268941432, 0, -0.268941402,
    0, 0, 0,
    1, -1, 0,
    -0.5, 0.5, 0,
    0, 0, 0,
    .nan, .nan, .nan,
    0.0750873089, -0.989838064, 0.914750695,
    -1, 0.268941432, 0.731058598,
]

@Test func oneHotCrossEntropyEdgeCases() {
    let loss = softmaxCrossEntropy(logits: edgeLogits, labels: oneHot(edgeLabels, depth: 3))
    #expect(loss.shape == [8])
    #expect(allClose(loss.floats, expectedOneHotLoss))
    // Rows 1 and 4 are -0 in Optax too.
    #expect(loss.floats[1].sign == .minus)
}

@Test func integerCrossEntropyEdgeCases() {
    let loss = softmaxCrossEntropy(logits: edgeLogits, integerLabels: edgeLabels)
    #expect(loss.shape == [8])
    #expect(allClose(loss.floats, expectedIntegerLoss, tolerance: 1e-6))
}

@Test func crossEntropyEdgeCaseGradients() {
    let oneHotLabels = oneHot(edgeLabels, depth: 3)
    let oneHotGradient = grad({ (logits: Tensor) in
        softmaxCrossEntropy(logits: logits, labels: oneHotLabels).sum()
    })(edgeLogits)
    let integerGradient = grad({ (logits: Tensor) in
        softmaxCrossEntropy(logits: logits, integerLabels: edgeLabels).sum()
    })(edgeLogits)

    #expect(allClose(oneHotGradient.floats, expectedGradient))
    #expect(allClose(integerGradient.floats, expectedGradient))
}

@Test func maskedLogitsStayFinite() {
    // Row 5 above is all -inf and gives NaN as in Optax. Every other row has a
    // finite logit at its label and gives a finite loss.
    let finiteRows = [0, 1, 2, 3, 4, 6, 7]
    let loss = softmaxCrossEntropy(logits: edgeLogits, labels: oneHot(edgeLabels, depth: 3)).floats
    #expect(finiteRows.allSatisfy { loss[$0].isFinite })
}

@Test func crossEntropyBatchShapes() {
    let logits = Tensor.arange(0.0, 24.0).reshaped([2, 3, 4]) / 10.0
    let labels = Tensor([[0, 1, 2], [3, 0, 1]] as [[Int32]])
    let fromIntegers = softmaxCrossEntropy(logits: logits, integerLabels: labels)
    let fromOneHot = softmaxCrossEntropy(logits: logits, labels: oneHot(labels, depth: 4))
    #expect(fromIntegers.shape == [2, 3])
    #expect(allClose(fromIntegers.floats, fromOneHot.floats))
}

@Test func integerLabelsOutOfRange() {
    // Optax: label -1 picks the last class, and label 3 of 3 classes gives NaN.
    let logits = Tensor([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]] as [[Float]])
    let loss = softmaxCrossEntropy(logits: logits, integerLabels: Tensor([-1, 3] as [Int32])).floats
    #expect(isClose(loss[0], 0.4076059))
    #expect(loss[1].isNaN)
}

@Test func softLabelCrossEntropy() {
    // Labels need not be one-hot: -Σ p log softmax(z).
    let logits = Tensor([[0.0, 1.0]] as [[Float]])
    let labels = Tensor([[0.25, 0.75]] as [[Float]])
    let logSumExp: Float = 1.3132616875182228  // log(1 + e)
    let expected = -(0.25 * (0 - logSumExp) + 0.75 * (1 - logSumExp))
    #expect(isClose(softmaxCrossEntropy(logits: logits, labels: labels).floatValue, expected))
}

@Test func crossEntropyGradientsMatchFiniteDifferences() {
    let logits = Tensor([[0.3, -1.2, 2.0, 0.5], [1.5, 0.1, -0.4, -2.0]] as [[Float]])
    let softLabels = Tensor([[0.1, 0.0, 0.6, 0.3], [0.0, 0.0, 1.0, 0.0]] as [[Float]])
    let integerLabels = Tensor([2, 0] as [Int32])

    func softLoss(_ logits: Tensor) -> Tensor { softmaxCrossEntropy(logits: logits, labels: softLabels).sum() }
    func integerLoss(_ logits: Tensor) -> Tensor {
        softmaxCrossEntropy(logits: logits, integerLabels: integerLabels).sum()
    }

    let softExpected = finiteDifferenceGradient(softLoss, at: logits)
    let integerExpected = finiteDifferenceGradient(integerLoss, at: logits)
    #expect(allClose(grad(softLoss)(logits).floats, softExpected, tolerance: 1e-3))
    #expect(allClose(grad(integerLoss)(logits).floats, integerExpected, tolerance: 1e-3))
}

@Test func meanSquaredErrorPerExample() {
    let predictions = Tensor([[1.0, 2.0], [3.0, 4.0]] as [[Float]])
    let targets = Tensor([[1.0, 0.0], [0.0, 4.0]] as [[Float]])
    let loss = meanSquaredError(predictions: predictions, targets: targets)
    #expect(loss.shape == [2])
    #expect(loss.floats == [2, 4.5])

    let vectorLoss = meanSquaredError(predictions: Tensor([1.0, -2.0] as [Float]), targets: Tensor.zeros([2]))
    #expect(vectorLoss.floats == [1, 4])

    let scalarLoss = meanSquaredError(predictions: Tensor(Float(3)), targets: Tensor(Float(1)))
    #expect(scalarLoss.shape == [])
    #expect(scalarLoss.floatValue == 4)

    let cube = meanSquaredError(predictions: Tensor.ones([2, 2, 3]), targets: Tensor.zeros([2, 2, 3]))
    #expect(cube.floats == [1, 1])
}

@Test func meanSquaredErrorGradientMatchesFiniteDifferences() {
    let predictions = Tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]] as [[Float]])
    let targets = Tensor([[0.0, 1.0, 1.0], [1.0, 1.0, 1.0]] as [[Float]])
    func loss(_ predictions: Tensor) -> Tensor { meanSquaredError(predictions: predictions, targets: targets).mean() }

    let analytic = grad(loss)(predictions)
    #expect(allClose(analytic.floats, finiteDifferenceGradient(loss, at: predictions), tolerance: 1e-3))
    // d/dp mean over 2 examples of mean over 3 elements of (p - t)² = (p - t) / 3.
    let exact: [Float] = [1.0 / 6, -4.0 / 6, 2.0 / 6, 1.0 / 6, -2.0 / 6, -3.0 / 6]
    #expect(allClose(analytic.floats, exact))
}

@Test func lossShapeMismatchStops() async {
    await #expect(processExitsWith: .failure) {
        _ = softmaxCrossEntropy(logits: Tensor.zeros([2, 3]), labels: Tensor.zeros([2, 4]))
    }
    await #expect(processExitsWith: .failure) {
        _ = softmaxCrossEntropy(logits: Tensor.zeros([2, 3]), integerLabels: Tensor([0, 1, 2] as [Int32]))
    }
    await #expect(processExitsWith: .failure) {
        _ = meanSquaredError(predictions: Tensor.zeros([2, 3]), targets: Tensor.zeros([3, 2]))
    }
}
