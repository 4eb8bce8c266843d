import Testing

@testable import NN

// The Flax MNIST MLP initialized with `init(m_key, zeros((1, 28, 28), uint8))`
// where `key, m_key = split(PRNGKey(42))`. Expected values from
// Tests/References/nn_optim_reference.txt (section a), printed by
// nn_optim_reference.py with JAX 0.10.2, Flax 0.12.8 and clu 0.0.12.

private struct KernelReference {
    let module: String
    let shape: [Int]
    let firstFive: [Float]
    /// Sum and population std of the float32 values, computed in float64.
    let sum: Double
    let std: Double
    let min: Float
    let max: Float
}

private let kernelReferences = [
    KernelReference(
        module: "Dense1", shape: [784, 128],
        firstFive: [0.00594485598, -0.0502307564, -0.0374815203, -0.00186747208, -0.0575277507],
        sum: 6.786846389196057, std: 0.03582684535079199, min: -0.0811858997, max: 0.0812030286),
    KernelReference(
        module: "Dense2", shape: [128, 128],
        firstFive: [-0.190058231, 0.065934889, -0.0625972375, 0.143966854, 0.0562142245],
        sum: -3.5805150785001842, std: 0.08892402325267139, min: -0.200946271, max: 0.200917915),
    KernelReference(
        module: "Output", shape: [128, 10],
        firstFive: [-0.0400124379, 0.00584082678, 0.119389616, 0.0976261348, 0.0300700068],
        sum: -0.8675033484360029, std: 0.08682796498071871, min: -0.199414834, max: 0.199595004),
]

private let overviewWithStats = """
    +---------------+------------+---------+---------+-----------+--------+
    | Name          | Shape      | Dtype   | Size    | Mean      | Std    |
    +---------------+------------+---------+---------+-----------+--------+
    | Dense1/bias   | (128,)     | float32 | 128     | 0.0       | 0.0    |
    | Dense1/kernel | (784, 128) | float32 | 100,352 | 6.76e-05  | 0.0358 |
    | Dense2/bias   | (128,)     | float32 | 128     | 0.0       | 0.0    |
    | Dense2/kernel | (128, 128) | float32 | 16,384  | -0.000219 | 0.0889 |
    | Output/bias   | (10,)      | float32 | 10      | 0.0       | 0.0    |
    | Output/kernel | (128, 10)  | float32 | 1,280   | -0.000678 | 0.0868 |
    +---------------+------------+---------+---------+-----------+--------+
    Total: 118,282 -- 473,128 bytes
    """

private let overviewWithoutStats = """
    +---------------+------------+---------+---------+
    | Name          | Shape      | Dtype   | Size    |
    +---------------+------------+---------+---------+
    | Dense1/bias   | (128,)     | float32 | 128     |
    | Dense1/kernel | (784, 128) | float32 | 100,352 |
    | Dense2/bias   | (128,)     | float32 | 128     |
    | Dense2/kernel | (128, 128) | float32 | 16,384  |
    | Output/bias   | (10,)      | float32 | 10      |
    | Output/kernel | (128, 10)  | float32 | 1,280   |
    +---------------+------------+---------+---------+
    Total: 118,282 -- 473,128 bytes
    """

/// The ways the tests write the MLP.
enum MLPStyle: String, CaseIterable, Sendable {
    case compact, setup, sequential

    /// Initializes the MLP in this style from the reference key.
    func initializedVariables() -> TensorTree {
        switch self {
        case .compact: return CompactMNISTMLP().initialize(key: mnistModelKey, mnistInput)
        case .setup: return SetupMNISTMLP().initialize(key: mnistModelKey, mnistInput)
        case .sequential: return sequentialMNISTMLP().initialize(key: mnistModelKey, mnistInput)
        }
    }
}

@Test(arguments: MLPStyle.allCases)
func mlpParameterPaths(style: MLPStyle) {
    let variables = style.initializedVariables()
    #expect(treePaths(variables) == [
        "params/Dense1/bias", "params/Dense1/kernel",
        "params/Dense2/bias", "params/Dense2/kernel",
        "params/Output/bias", "params/Output/kernel",
    ])
}

@Test(arguments: MLPStyle.allCases)
func mlpKernelsMatchFlax(style: MLPStyle) {
    let params = style.initializedVariables()["params"]
    for reference in kernelReferences {
        let kernel = params[reference.module]["kernel"].tensor
        let values = kernel.floats.map(Double.init)
        let count = Double(values.count)
        let mean = values.reduce(0, +) / count
        let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count).squareRoot()

        #expect(kernel.shape == reference.shape, "\(reference.module)")
        #expect(Array(kernel.floats.prefix(5)) == reference.firstFive, "\(reference.module)")
        #expect(abs(values.reduce(0, +) - reference.sum) < 1e-9, "\(reference.module)")
        #expect(abs(std - reference.std) < 1e-12, "\(reference.module)")
        #expect(kernel.floats.min() == reference.min, "\(reference.module)")
        #expect(kernel.floats.max() == reference.max, "\(reference.module)")
    }
}

@Test(arguments: MLPStyle.allCases)
func mlpBiasesAreZero(style: MLPStyle) {
    let params = style.initializedVariables()["params"]
    for (module, features) in [("Dense1", 128), ("Dense2", 128), ("Output", 10)] {
        let bias = params[module]["bias"].tensor
        #expect(bias.shape == [features])
        #expect(bias.floats.allSatisfy { $0 == 0 })
    }
}

@Test(arguments: MLPStyle.allCases)
func mlpOverviewMatchesClu(style: MLPStyle) {
    let params = style.initializedVariables()["params"]
    #expect(parameterOverview(params) == overviewWithStats)
    #expect(parameterOverview(params, includeStats: false) == overviewWithoutStats)
}

@Test func mlpStylesGiveIdenticalTreesAndOutputs() {
    let compact = CompactMNISTMLP()
    let setup = SetupMNISTMLP()
    let sequential = sequentialMNISTMLP()
    let compactVariables = compact.initialize(key: mnistModelKey, mnistInput)
    let setupVariables = setup.initialize(key: mnistModelKey, mnistInput)

    #expect(treeStructureDifference(compactVariables, setupVariables) == nil)
    #expect(treeLeaves(compactVariables).map(\.floats) == treeLeaves(setupVariables).map(\.floats))

    // Each style runs with the variables of the others.
    let images = (Tensor.arange(0, 2 * 28 * 28) % 256).astype(.uint8).reshaped([2, 28, 28])
    let compactOutput = compact.apply(compactVariables, images)
    #expect(compactOutput.shape == [2, 10])
    #expect(setup.apply(compactVariables, images).floats == compactOutput.floats)
    #expect(sequential.apply(setupVariables, images).floats == compactOutput.floats)
}

@Test func emptyTreeOverview() {
    #expect(parameterOverview(TensorTree.dictionary([:])) == """
        +------+-------+-------+------+------+-----+
        | Name | Shape | Dtype | Size | Mean | Std |
        +------+-------+-------+------+------+-----+
        +------+-------+-------+------+------+-----+
        Total: 0 -- 0 bytes
        """)
    #expect(parameterOverview(TensorTree.dictionary([:]), includeStats: false) == """
        +------+-------+-------+------+
        | Name | Shape | Dtype | Size |
        +------+-------+-------+------+
        +------+-------+-------+------+
        Total: 0 -- 0 bytes
        """)
}

@Test func overviewRowsFromMixedTree() {
    // A subset of the reference's mixed tree (Weft has no float16 or float64).
    // clu prints mean 2.5 and std 1.707825127659933 for a/x_y.
    let tree: TensorTree = [
        "b": ["z": Tensor(Float(2.5)), "a10": Tensor.ones([3])],
        "a": ["x_y": Tensor.arange(6).reshaped([2, 3])],
    ]
    let expectedRows = [
        ParameterOverviewRow(name: "a/x_y", shape: [2, 3], dtype: "int32", mean: 2.5, std: 1.707825127659933),
        ParameterOverviewRow(name: "b/a10", shape: [3], dtype: "float32", mean: 1.0, std: 0.0),
        ParameterOverviewRow(name: "b/z", shape: [], dtype: "float32", mean: 2.5, std: 0.0),
    ]
    #expect(parameterOverview(tree) == renderParameterOverview(rows: expectedRows, includeStats: true))
    #expect(parameterOverview(tree).hasSuffix("Total: 10.0 -- 40.0 bytes"))
    let (mean, std) = meanAndStandardDeviation(Tensor.arange(6))
    #expect(mean == 2.5)
    #expect(abs(std - 1.707825127659933) < 1e-15)
}
