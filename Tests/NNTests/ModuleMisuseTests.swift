import Testing

@testable import NN

// Misuse of modules: the stopping entry points end the process with a message
// naming the path, and the throwing variants return the same facts as a
// `ModuleError`.

/// Two compact submodules share the explicit name "twin".
private struct DuplicateNames: Module {
    func call(_ x: Tensor) -> Tensor {
        Dense(2, name: "twin")(Dense(2, name: "twin")(x))
    }
}

/// An explicit name collides with the automatic name of the next unnamed Dense.
private struct AutomaticNameCollision: Module {
    func call(_ x: Tensor) -> Tensor {
        Dense(2)(Dense(2, name: "Dense_0")(x))
    }
}

/// A module declaring the parameter "w" twice.
private struct RepeatedParameter: Module {
    func call(_ x: Tensor) -> Tensor {
        x * param("w", shape: [2], initializer: .ones) * param("w", shape: [2], initializer: .ones)
    }
}

/// Runs a submodule's body directly, outside its own scope.
private struct DirectBodyCall: Module {
    func call(_ x: Tensor) -> Tensor {
        Dense(2).call(x)
    }
}

private func mlpVariables() -> TensorTree {
    CompactMNISTMLP().initialize(key: mnistModelKey, mnistInput)
}

/// Returns the MLP's variables with `Dense2/kernel` replaced by `value`, or
/// removed when `value` is nil.
private func mlpVariables(replacingDense2KernelWith value: TensorTree?) -> TensorTree {
    var variables = mlpVariables()
    var dense2 = variables[path: "params/Dense2"]
    guard case .dictionary(var entries) = dense2 else {
        return variables
    }
    entries["kernel"] = value
    dense2 = .dictionary(entries)
    variables["params"]["Dense2"] = dense2
    return variables
}

private func standardError(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}

// MARK: Stops

@Test func callOutsideInitializeStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = Dense(3)(Tensor.ones([1, 2]))
    }
    #expect(standardError(result).contains("Dense was called outside initialize or apply"))
}

@Test func paramOutsideInitializeStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = Dense(3).param("kernel", shape: [2, 3], initializer: .zeros)
    }
    #expect(standardError(result).contains("param(\"kernel\") was called outside initialize or apply"))
}

@Test func duplicateSubmoduleNamesStop() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = DuplicateNames().initialize(key: PRNGKey(0), Tensor.ones([1, 2]))
    }
    #expect(standardError(result).contains("initialize: the name 'twin' is used twice in the root module"))
}

@Test func missingParameterStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = CompactMNISTMLP().apply(mlpVariables(replacingDense2KernelWith: nil), mnistInput)
    }
    #expect(standardError(result).contains("apply: no parameter 'Dense2/kernel'"))
    #expect(standardError(result).contains("[\"bias\"]"))
}

@Test func wrongParameterShapeStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        let variables = mlpVariables(replacingDense2KernelWith: .leaf(Tensor.zeros([64, 128])))
        _ = CompactMNISTMLP().apply(variables, mnistInput)
    }
    #expect(standardError(result).contains(
        "apply: parameter 'Dense2/kernel' has shape (64, 128) but the module expects (128, 128)"))
}

@Test func wrongParameterDTypeStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        let variables = mlpVariables(replacingDense2KernelWith: .leaf(Tensor.zeros([128, 128], dtype: .int32)))
        _ = CompactMNISTMLP().apply(variables, mnistInput)
    }
    #expect(standardError(result).contains(
        "apply: parameter 'Dense2/kernel' has dtype int32 but the module expects float32"))
}

@Test func directBodyCallStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = DirectBodyCall().initialize(key: PRNGKey(0), Tensor.ones([1, 2]))
    }
    #expect(standardError(result).contains("requested by a Dense value while the body of DirectBodyCall is running"))
}

// MARK: Throwing variants

@Test func tryApplyReportsMissingParameter() {
    #expect(throws: ModuleError.parameterNotFound(path: "Dense2/kernel", existingKeys: ["bias"])) {
        try CompactMNISTMLP().tryApply(mlpVariables(replacingDense2KernelWith: nil), mnistInput)
    }
}

@Test func tryApplyReportsShapeMismatch() {
    let variables = mlpVariables(replacingDense2KernelWith: .leaf(Tensor.zeros([64, 128])))
    let expected = ModuleError.parameterShapeMismatch(path: "Dense2/kernel", expected: [128, 128], actual: [64, 128])
    #expect(throws: expected) {
        try CompactMNISTMLP().tryApply(variables, mnistInput)
    }
}

@Test func tryApplyReportsDTypeMismatch() {
    let variables = mlpVariables(replacingDense2KernelWith: .leaf(Tensor.zeros([128, 128], dtype: .int32)))
    #expect(throws: ModuleError.parameterDTypeMismatch(path: "Dense2/kernel", expected: .float32, actual: .int32)) {
        try CompactMNISTMLP().tryApply(variables, mnistInput)
    }
}

@Test func tryApplyReportsMissingCollection() {
    let wrapped: TensorTree = ["params": mlpVariables()]
    #expect(throws: ModuleError.parameterNotFound(path: "Dense1/kernel", existingKeys: ["params"])) {
        try CompactMNISTMLP().tryApply(wrapped, mnistInput)
    }
    #expect(throws: ModuleError.parameterNotFound(path: "Dense1/kernel", existingKeys: [])) {
        try CompactMNISTMLP().tryApply(TensorTree.dictionary([:]), mnistInput)
    }
}

@Test func tryApplySucceedsOnValidVariables() throws {
    let variables = mlpVariables()
    let output = try CompactMNISTMLP().tryApply(variables, mnistInput)
    #expect(output.floats == CompactMNISTMLP().apply(variables, mnistInput).floats)
}

@Test func tryInitializeReportsDuplicates() {
    #expect(throws: ModuleError.duplicateName(name: "twin", parentPath: "")) {
        try DuplicateNames().tryInitialize(key: PRNGKey(0), Tensor.ones([1, 2]))
    }
    #expect(throws: ModuleError.duplicateName(name: "Dense_0", parentPath: "")) {
        try AutomaticNameCollision().tryInitialize(key: PRNGKey(0), Tensor.ones([1, 2]))
    }
    #expect(throws: ModuleError.duplicateName(name: "w", parentPath: "")) {
        try RepeatedParameter().tryInitialize(key: PRNGKey(0), Tensor.ones([2]))
    }
}

@Test func duplicateInNestedModuleNamesItsPath() {
    struct Wrapper: Module {
        func call(_ x: Tensor) -> Tensor { DuplicateNames()(x) }
    }
    #expect(throws: ModuleError.duplicateName(name: "twin", parentPath: "DuplicateNames_0")) {
        try Wrapper().tryInitialize(key: PRNGKey(0), Tensor.ones([1, 2]))
    }
}

@Test func tryInitializeMatchesInitialize() throws {
    let thrown = try CompactMNISTMLP().tryInitialize(key: mnistModelKey, mnistInput)
    #expect(treeLeaves(thrown).map(\.floats) == treeLeaves(mlpVariables()).map(\.floats))
}

@Test func errorDescriptionsNameExpectedAndActual() {
    let shape = ModuleError.parameterShapeMismatch(path: "Dense2/kernel", expected: [128, 128], actual: [64, 128])
    #expect(shape.description.contains("'Dense2/kernel' has shape (64, 128) but the module expects (128, 128)"))
    let nested = ModuleError.duplicateName(name: "twin", parentPath: "Block_0")
    #expect(nested.description.contains("'twin' is used twice in 'Block_0'"))
}
