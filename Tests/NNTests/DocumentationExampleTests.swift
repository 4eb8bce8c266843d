import Testing

@testable import NN

// The examples in the NN doc comments, compiled and run.

/// From the `Module` documentation.
private struct CompactMLP: Module {
    func call(_ x: Tensor) -> Tensor {
        let hidden = relu(Dense(128, name: "hidden")(x))
        return Dense(10, name: "Output")(hidden)
    }
}

/// From the `Module` documentation.
private struct SetupMLP: Module {
    let hidden = Dense(128)
    let output = Dense(10, name: "Output")
    func call(_ x: Tensor) -> Tensor {
        output(relu(hidden(x)))
    }
}

@Test func moduleDocumentationExample() {
    let input = Tensor.ones([2, 5])
    let compact = CompactMLP().initialize(key: PRNGKey(0), input)
    let setup = SetupMLP().initialize(key: PRNGKey(0), input)

    #expect(treePaths(compact) == [
        "params/Output/bias", "params/Output/kernel", "params/hidden/bias", "params/hidden/kernel",
    ])
    #expect(treeLeaves(compact).map(\.floats) == treeLeaves(setup).map(\.floats))
    #expect(SetupMLP().apply(compact, input).floats == CompactMLP().apply(setup, input).floats)
}

@Test func sequentialDocumentationExample() {
    let mlp = Sequential {
        Dense(128)
        relu
        Dense(10)
    }
    let variables = mlp.initialize(key: PRNGKey(0), Tensor.ones([1, 4]))
    #expect(variables["params"].keys == ["layers_0", "layers_2"])
}

@Test func initializerDocumentationExample() {
    let dense = Dense(64, kernelInit: .heNormal, biasInit: .constant(0.1))
    let kernel = Initializer.glorotUniform(PRNGKey(0), [3, 4])

    let bias = dense.initialize(key: PRNGKey(0), Tensor.ones([1, 2]))[path: "params/bias"].tensor
    #expect(bias.floats.allSatisfy { $0 == Float(0.1) })
    #expect(kernel.shape == [3, 4])
}
