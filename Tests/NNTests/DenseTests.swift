import Testing

@testable import NN

// Flax values from Tests/References/nn_optim_reference.txt (section a),
// printed by nn_optim_reference.py with JAX 0.10.2 and Flax 0.12.8.

@Test func denseKernelMatchesFlax() {
    let variables = Dense(3).initialize(key: PRNGKey(0), Tensor.ones([1, 4]))
    let kernel = variables[path: "params/kernel"].tensor
    let bias = variables[path: "params/bias"].tensor

    let expectedKernel: [Float] = [
        0.0413083024, -0.824701488, -0.853631496,
        0.38350445, 0.608142912, 0.459155023,
        0.0913007706, 0.462691993, 0.459607184,
        -0.125042155, 0.613606691, 0.346373975,
    ]
    #expect(kernel.shape == [4, 3])
    #expect(kernel.floats == expectedKernel)
    #expect(bias.shape == [3])
    #expect(bias.floats == [0, 0, 0])
    #expect(variables.keys == ["params"])
}

@Test func denseComputesAffineMap() {
    let variables: TensorTree = ["params": ["kernel": Tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]] as [[Float]]),
                                            "bias": Tensor([0.5, -1.0] as [Float])]]
    let output = Dense(2).apply(variables, Tensor([[1.0, 0.0, -1.0]] as [[Float]]))
    #expect(output.shape == [1, 2])
    let expected: [Float] = [-3.5, -5]  // [1 - 5 + 0.5, 2 - 6 - 1]
    #expect(output.floats == expected)
}

@Test func denseAcceptsLeadingAxes() {
    let dense = Dense(3)
    let variables = dense.initialize(key: PRNGKey(0), Tensor.ones([1, 4]))
    let input = Tensor.arange(0.0, 24.0).reshaped([2, 3, 4])

    let output = dense.apply(variables, input)
    let flat = dense.apply(variables, input.reshaped([6, 4]))

    #expect(output.shape == [2, 3, 3])
    #expect(output.floats == flat.floats)
}

@Test func denseWithoutBiasDeclaresOnlyKernel() {
    let variables = Dense(5, useBias: false).initialize(key: PRNGKey(0), Tensor.ones([2, 4]))
    #expect(treePaths(variables) == ["params/kernel"])
    // The kernel is still the first parameter, so it has the same key and value.
    let withBias = Dense(5).initialize(key: PRNGKey(0), Tensor.ones([2, 4]))
    #expect(variables[path: "params/kernel"].tensor.floats == withBias[path: "params/kernel"].tensor.floats)
}

@Test func denseConvertsIntegerInput() {
    let dense = Dense(2, kernelInit: .ones, biasInit: .constant(0.5))
    let variables = dense.initialize(key: PRNGKey(0), Tensor.zeros([1, 3], dtype: .uint8))
    let output = dense.apply(variables, Tensor([1, 2, 3] as [UInt8], shape: [1, 3]))
    #expect(output.dtype == .float32)
    #expect(output.floats == [6.5, 6.5])
}

@Test func denseCustomInitializers() {
    let dense = Dense(2, kernelInit: .constant(0.25), biasInit: .ones)
    let variables = dense.initialize(key: PRNGKey(3), Tensor.ones([1, 2]))
    #expect(variables[path: "params/kernel"].tensor.floats == [0.25, 0.25, 0.25, 0.25])
    #expect(variables[path: "params/bias"].tensor.floats == [1, 1])
}

@Test func denseGradientMatchesFiniteDifferences() {
    let dense = Dense(3)
    let input = Tensor([[0.5, -1.0, 2.0, 0.25], [1.5, 0.0, -0.5, 1.0]] as [[Float]])
    let variables = dense.initialize(key: PRNGKey(1), input)
    let kernel = variables[path: "params/kernel"].tensor
    let bias = Tensor([0.1, -0.2, 0.3] as [Float])

    func loss(_ kernel: Tensor, _ bias: Tensor, _ input: Tensor) -> Tensor {
        let output = dense.apply(["params": ["kernel": kernel, "bias": bias]], input)
        return (tanh(output) * output).sum()
    }

    let (kernelGradient, biasGradient, inputGradient) = grad(loss, argnums: 0, 1, 2)(kernel, bias, input)
    let expectedKernel = finiteDifferenceGradient({ loss($0, bias, input) }, at: kernel)
    let expectedBias = finiteDifferenceGradient({ loss(kernel, $0, input) }, at: bias)
    let expectedInput = finiteDifferenceGradient({ loss(kernel, bias, $0) }, at: input)

    #expect(allClose(kernelGradient!.floats, expectedKernel, tolerance: 2e-3))
    #expect(allClose(biasGradient!.floats, expectedBias, tolerance: 2e-3))
    #expect(allClose(inputGradient!.floats, expectedInput, tolerance: 2e-3))
}

@Test func denseGradientThroughVariablesTree() {
    // The usual training shape: the gradient of a loss with respect to the
    // whole variables tree has the tree's structure.
    let dense = Dense(2)
    let input = Tensor([[1.0, 2.0]] as [[Float]])
    let variables = dense.initialize(key: PRNGKey(0), input)

    let gradient = grad({ (variables: TensorTree) in dense.apply(variables, input).sum() })(variables)

    #expect(treePaths(gradient) == ["params/bias", "params/kernel"])
    #expect(gradient[path: "params/bias"].tensor.floats == [1, 1])
    #expect(gradient[path: "params/kernel"].tensor.floats == [1, 1, 2, 2])
}
