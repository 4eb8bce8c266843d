import Testing
import Weft

// The README's first example, compiled and run, so the README cannot drift from the
// API. Keep the model and `train` identical to the README.

private struct MLP: Module {
    func call(_ images: Tensor) -> Tensor {
        var x = images.reshaped([images.shape[0], -1]) / 255.0
        x = relu(Dense(128, name: "Dense1")(x))
        x = relu(Dense(128, name: "Dense2")(x))
        return Dense(10, name: "Output")(x)
    }
}

/// Trains the MLP on one batch for `steps` steps and returns the losses.
private func train(images: Tensor, labels: Tensor, steps: Int) -> [Float] {
    let keys = split(PRNGKey(42))
    let model = MLP()
    let variables = model.initialize(key: keys[1], images[0..<1])
    print(parameterOverview(variables["params"]))

    var state = TrainState.create(applyFn: model.apply, params: variables["params"], tx: adam(learningRate: 1e-3))
    var losses = [Float]()
    for _ in 0..<steps {
        let (loss, grads) = valueAndGrad { (params: TensorTree) in
            let logits = state.applyFn(["params": params], images)
            return softmaxCrossEntropy(logits: logits, integerLabels: labels).mean()
        }(state.params)
        state = state.applyGradients(grads)
        losses.append(loss.floatValue)
    }
    return losses
}

@Test func readmeExampleReducesLoss() {
    let dataKeys = split(PRNGKey(0))
    let images = randint(dataKeys[0], shape: [16, 28, 28], minval: 0, maxval: 256).astype(.uint8)
    let labels = randint(dataKeys[1], shape: [16], minval: 0, maxval: 10)

    let losses = train(images: images, labels: labels, steps: 20)

    #expect(losses.count == 20)
    #expect(losses[19] < losses[0] * 0.5)
}

// The README's snippet on random numbers, losses and printed graphs. Keep the lines
// between the markers identical to the README.
@Test func readmeGraphSnippetTracesAndDifferentiates() {
    // README begin
    let keys = split(PRNGKey(0), count: 3)
    let x = normal(keys[0], shape: [256, 4])
    let y = x.sum(axis: 1) + uniform(keys[1], shape: [256], minval: -0.1, maxval: 0.1)

    func loss(_ w: Tensor) -> Tensor {
        meanSquaredError(predictions: matmul(x, w).reshaped([256]), targets: y).mean()
    }

    let w = Tensor.zeros([4, 1])
    // README end
    let graph = "\(makeJaxpr(loss)(w))"
    let (value, gradient) = valueAndGrad(loss)(w)

    #expect(graph.hasPrefix("{ lambda a:f32[256,4] b:f32[256]; c:f32[4,1]. let"))
    #expect(graph.contains("dot_general"))
    // At w = 0 the loss is mean(y²) and its gradient is -2/256 xᵀy.
    let ys = y.floats
    let xs = x.floats
    let expectedValue = ys.map { $0 * $0 }.reduce(0, +) / 256
    #expect(abs(value.floatValue - expectedValue) < 1e-4 * expectedValue)
    for column in 0..<4 {
        let dot = (0..<256).map { xs[$0 * 4 + column] * ys[$0] }.reduce(0, +)
        let expected = -2 * dot / 256
        #expect(abs(gradient.floats[column] - expected) < 1e-4 * abs(expected) + 1e-6)
    }
}
