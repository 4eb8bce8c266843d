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
