import Testing
import Weft

// The README's first example, compiled and run on random data so the README cannot
// drift from the API.

private struct MLP: Module {
    func call(_ images: Tensor) -> Tensor {
        var x = images.reshaped([images.shape[0], -1]) / 255.0
        x = relu(Dense(128, name: "Dense1")(x))
        x = relu(Dense(128, name: "Dense2")(x))
        return Dense(10, name: "Output")(x)
    }
}

@Test func readmeExampleTrainsAndReducesLoss() {
    let keys = split(PRNGKey(42))
    let model = MLP()
    let variables = model.initialize(key: keys[1], Tensor.zeros([1, 28, 28], dtype: .uint8))
    #expect(parameterOverview(variables["params"]).contains("Total: 118,282 -- 473,128 bytes"))

    var state = TrainState.create(applyFn: model.apply, params: variables["params"], tx: adam(learningRate: 1e-3))

    func trainStep(_ images: Tensor, _ labels: Tensor) -> Float {
        let (loss, grads) = valueAndGrad { (params: TensorTree) in
            let logits = state.applyFn(["params": params], images)
            return softmaxCrossEntropy(logits: logits, integerLabels: labels).mean()
        }(state.params)
        state = state.applyGradients(grads)
        return loss.floatValue
    }

    let dataKeys = split(keys[0])
    let images = randint(dataKeys[0], shape: [16, 28, 28], minval: 0, maxval: 256).astype(.uint8)
    let labels = randint(dataKeys[1], shape: [16], minval: 0, maxval: 10)
    let first = trainStep(images, labels)
    var last = first
    for _ in 0..<20 {
        last = trainStep(images, labels)
    }
    #expect(state.step.intValue == 21)
    #expect(last < first * 0.5)
}
