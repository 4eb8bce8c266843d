import Testing

@testable import NN

// Naming of submodules in the compact and setup styles, and the keys that
// follow from the names. Unless noted, expected values were printed by
// Flax 0.12.8 with JAX 0.10.2 on CPU for the Flax models quoted beside them
// (float32 values printed with '%.9g').

// MARK: Compact style

/// Flax: `Dense(4)(x); relu; Dense(2)(x)` in a compact `__call__`.
private struct UnnamedCompactMLP: Module {
    func call(_ x: Tensor) -> Tensor {
        Dense(2)(relu(Dense(4)(x)))
    }
}

@Test func compactUnnamedSubmodulesCountByType() {
    // From Tests/References/nn_optim_reference.txt (section a).
    let variables = UnnamedCompactMLP().initialize(key: PRNGKey(0), Tensor.ones([1, 3]))
    let firstKernel: [Float] = [
        -0.953666866, 0.435640454, -0.795444369, -0.491915673, 0.530810297, 0.741099417,
        0.602785349, -0.0268446188, 0.244101301, 0.448804736, -1.05044746, 0.49322021,
    ]
    let secondKernel: [Float] = [
        0.00166372117, 0.160125896, 0.0904086232, -0.420293272, 0.321894318, 0.436885387, -0.558007538, -0.360311002,
    ]

    #expect(treePaths(variables) == [
        "params/Dense_0/bias", "params/Dense_0/kernel", "params/Dense_1/bias", "params/Dense_1/kernel",
    ])
    #expect(variables[path: "params/Dense_0/kernel"].tensor.floats == firstKernel)
    #expect(variables[path: "params/Dense_1/kernel"].tensor.floats == secondKernel)
}

/// Flax:
/// ```python
/// class Block(nn.Module):
///   @nn.compact
///   def __call__(self, x):
///     b = self.param('scale', nn.initializers.normal(1.0), (x.shape[-1],))
///     return nn.Dense(3, name='inner')(x * b)
/// class Outer(nn.Module):
///   @nn.compact
///   def __call__(self, x):
///     return Block(name='named')(Block()(x))
/// ```
private struct Block: Module {
    var name: String? = nil

    func call(_ x: Tensor) -> Tensor {
        let scale = param("scale", shape: [x.shape[x.rank - 1]], initializer: .normal(stddev: 1))
        return Dense(3, name: "inner")(x * scale)
    }
}

private struct Outer: Module {
    func call(_ x: Tensor) -> Tensor {
        Block(name: "named")(Block()(x))
    }
}

@Test func nestedModulesMatchFlax() {
    let variables = Outer().initialize(key: PRNGKey(7), Tensor.ones([1, 4]))
    let expected: [(String, [Float])] = [
        ("params/Block_0/inner/bias", [0, 0, 0]),
        ("params/Block_0/inner/kernel", [
            -0.253012329, -0.422968298, -0.803570151, 0.44502914, -0.245728761, 0.679340243,
            0.0720700771, 0.62532264, 0.771367192, 0.0880649462, 0.417476833, 0.662850976,
        ]),
        ("params/Block_0/scale", [-0.108157054, 0.687318504, -0.145758018, 0.670793712]),
        ("params/named/inner/bias", [0, 0, 0]),
        ("params/named/inner/kernel", [
            0.235798553, 0.522773325, -0.476006806, -0.481656045, 0.536286473, 0.589393198,
            -0.535478473, 0.457734913, 0.171004757,
        ]),
        ("params/named/scale", [1.88200641, -1.87111616, 1.02726853]),
    ]

    #expect(treePaths(variables) == expected.map(\.0))
    for (path, values) in expected {
        #expect(variables[path: path].tensor.floats == values, "\(path)")
    }
}

@Test func parameterOfParentKeepsItsCounter() {
    // A parameter declared after a submodule call still gets counter 1 in its
    // own module: submodules have their own counters.
    struct ParentFirst: Module {
        func call(_ x: Tensor) -> Tensor {
            let y = Dense(2, name: "child")(x)
            return y * param("gain", shape: [2], initializer: .normal(stddev: 1))
        }
    }
    let variables = ParentFirst().initialize(key: PRNGKey(11), Tensor.ones([1, 3]))
    let expected = Initializer.normal(stddev: 1)(parameterKey(root: PRNGKey(11), modulePath: [], counter: 1), [2])
    #expect(variables[path: "params/gain"].tensor.floats == expected.floats)
}

@Test func automaticNamesSkipNamedCalls() {
    // Explicitly named calls do not advance the per-type counter.
    struct Mixed: Module {
        func call(_ x: Tensor) -> Tensor {
            Dense(2)(Dense(2, name: "middle")(Dense(2)(x)))
        }
    }
    let variables = Mixed().initialize(key: PRNGKey(0), Tensor.ones([1, 2]))
    #expect(variables["params"].keys == ["Dense_0", "Dense_1", "middle"])
}

@Test func automaticNamesDropGenericArguments() {
    struct Scaled<Inner: Module>: Module where Inner.Input == Tensor, Inner.Output == Tensor {
        let inner: Inner
        func call(_ x: Tensor) -> Tensor { inner(x) * 2 }
    }
    struct Holder: Module {
        func call(_ x: Tensor) -> Tensor { Scaled(inner: Dense(2))(x) }
    }
    let variables = Holder().initialize(key: PRNGKey(0), Tensor.ones([1, 2]))
    #expect(treePaths(variables) == ["params/Scaled_0/inner/bias", "params/Scaled_0/inner/kernel"])
}

@Test func rootNameIsIgnored() {
    let variables = Dense(3, name: "ignored").initialize(key: PRNGKey(0), Tensor.ones([1, 4]))
    #expect(treePaths(variables) == ["params/bias", "params/kernel"])
}

@Test func moduleWithoutParametersGivesEmptyTree() {
    struct Activation: Module {
        func call(_ x: Tensor) -> Tensor { relu(x) }
    }
    let variables = Activation().initialize(key: PRNGKey(0), Tensor.ones([2]))
    #expect(variables.keys.isEmpty)
    #expect(Activation().apply(variables, Tensor([-1.0, 2.0] as [Float])).floats == [0, 2])
}

// MARK: Setup style

/// Flax:
/// ```python
/// class S(nn.Module):
///   def setup(self):
///     self.a = nn.Dense(3)
///     self.b = [nn.Dense(2), nn.Dense(4)]
///     self.seq = nn.Sequential([nn.Dense(2), nn.relu, nn.Dense(5)])
///   def __call__(self, x):
///     return self.seq(self.b[1](self.b[0](self.a(x))))
/// ```
private struct SetupWithCollections: Module {
    let a = Dense(3)
    let b = [Dense(2), Dense(4)]
    let seq = Sequential {
        Dense(2)
        relu
        Dense(5)
    }

    func call(_ x: Tensor) -> Tensor {
        seq(b[1](b[0](a(x))))
    }
}

@Test func setupPropertiesAndArraysMatchFlax() {
    let variables = SetupWithCollections().initialize(key: PRNGKey(3), Tensor.ones([1, 4]))
    let expected: [(String, [Float])] = [
        ("params/a/bias", [0, 0, 0]),
        ("params/a/kernel", [
            -0.61960572, 0.450409979, 0.0925533995, -0.369943678, 0.591379941, -0.570894897,
            -0.357375741, 0.697586417, -0.350301117, 0.268163145, -0.00710349577, -0.144663543,
        ]),
        ("params/b_0/bias", [0, 0]),
        ("params/b_0/kernel", [-0.721456289, 0.526826918, 0.43453294, -0.0490185246, -0.0518989339, 0.0723069385]),
        ("params/b_1/bias", [0, 0, 0, 0]),
        ("params/b_1/kernel", [
            -0.695040405, -0.216035679, 1.47018468, -0.170085743, 1.6058805, -0.32201919, 0.503623247, -0.460501969,
        ]),
        ("params/seq/layers_0/bias", [0, 0]),
        ("params/seq/layers_0/kernel", [
            -0.620408773, 0.258002847, 0.348632634, 0.414821535, -0.468061894, 0.221814811, -0.129143164, -0.655291736,
        ]),
        ("params/seq/layers_2/bias", [0, 0, 0, 0, 0]),
        ("params/seq/layers_2/kernel", [
            -0.09258347, 0.669528663, 0.187022343, -1.06504548, 0.809457362,
            -0.458255231, -0.548786461, 1.02544653, 1.35520601, 0.150932372,
        ]),
    ]

    #expect(treePaths(variables) == expected.map(\.0))
    for (path, values) in expected {
        #expect(variables[path: path].tensor.floats == values, "\(path)")
    }
}

/// Flax:
/// ```python
/// class Sh(nn.Module):
///   def setup(self):
///     self.a = nn.Dense(4)
///     self.b = nn.Dense(2)
///   def __call__(self, x):
///     return self.b(self.a(self.a(x)))
/// ```
private struct SharedSubmodule: Module {
    let a = Dense(4)
    let b = Dense(2)

    func call(_ x: Tensor) -> Tensor {
        b(a(a(x)))
    }
}

@Test func setupSubmoduleCalledTwiceSharesParameters() {
    let model = SharedSubmodule()
    let variables = model.initialize(key: PRNGKey(5), Tensor.ones([1, 4]))
    let expectedA: [Float] = [
        -0.414509714, -0.421093374, -0.790822446, 0.610624194, 0.229656592, 0.233263537, -0.159434214, -0.792130768,
        0.959232807, 0.869412303, -0.820014596, -0.716997743, 0.747831047, 0.799920619, 0.607633114, -0.180904731,
    ]
    let expectedB: [Float] = [
        -0.327322692, -0.686076581, 0.177857593, 0.430328429, 0.0666272417, 0.0471245907, 0.148530588, 0.159987077,
    ]

    #expect(treePaths(variables) == ["params/a/bias", "params/a/kernel", "params/b/bias", "params/b/kernel"])
    #expect(variables[path: "params/a/kernel"].tensor.floats == expectedA)
    #expect(variables[path: "params/b/kernel"].tensor.floats == expectedB)

    // Flax prints [[-0.03560299  0.33968657]].
    let output = model.apply(variables, Tensor([[0.0, 1.0, 2.0, 3.0]] as [[Float]]))
    #expect(allClose(output.floats, [-0.03560299, 0.33968657], tolerance: 1e-6))
}

@Test func setupNamesFollowPropertiesNotCallOrder() {
    // Both properties hold Dense(3); each keeps its own name even when called
    // in the opposite order of declaration, because library modules carry an
    // identity.
    struct Reversed: Module {
        let first = Dense(3)
        let second = Dense(3)
        func call(_ x: Tensor) -> Tensor { first(second(x)) }
    }
    let variables = Reversed().initialize(key: PRNGKey(0), Tensor.ones([1, 5]))
    #expect(variables[path: "params/second/kernel"].tensor.shape == [5, 3])
    #expect(variables[path: "params/first/kernel"].tensor.shape == [3, 3])
}

@Test func setupExplicitNameWins() {
    struct Renamed: Module {
        let hidden = Dense(3, name: "custom")
        func call(_ x: Tensor) -> Tensor { hidden(hidden(x)) }
    }
    let variables = Renamed().initialize(key: PRNGKey(0), Tensor.ones([1, 3]))
    #expect(treePaths(variables) == ["params/custom/bias", "params/custom/kernel"])
}

@Test func setupOptionalProperty() {
    struct MaybeProjected: Module {
        let projection: Dense?
        func call(_ x: Tensor) -> Tensor { projection.map { $0(x) } ?? x }
    }
    let with = MaybeProjected(projection: Dense(2)).initialize(key: PRNGKey(0), Tensor.ones([1, 3]))
    let without = MaybeProjected(projection: nil).initialize(key: PRNGKey(0), Tensor.ones([1, 3]))
    #expect(treePaths(with) == ["params/projection/bias", "params/projection/kernel"])
    #expect(without.keys.isEmpty)
}

@Test func equalUserModulesMatchInDeclarationOrder() {
    // A user module without library submodules carries no identity, so two
    // equal properties are matched to calls in declaration order.
    struct Bias: Module {
        let size: Int
        func call(_ x: Tensor) -> Tensor { x + param("b", shape: [size], initializer: .ones) }
    }
    struct TwoBiases: Module {
        let left = Bias(size: 2)
        let right = Bias(size: 2)
        func call(_ x: Tensor) -> Tensor { right(left(x)) }
    }
    let variables = TwoBiases().initialize(key: PRNGKey(0), Tensor.zeros([2]))
    #expect(treePaths(variables) == ["params/left/b", "params/right/b"])
    #expect(TwoBiases().apply(variables, Tensor.zeros([2])).floats == [2, 2])
}

@Test func changedCopyIsNamedLikeCompact() {
    struct Modified: Module {
        let dense = Dense(3)
        func call(_ x: Tensor) -> Tensor {
            let wider = Dense(4, useBias: dense.useBias)
            return wider(dense(x))
        }
    }
    let variables = Modified().initialize(key: PRNGKey(0), Tensor.ones([1, 2]))
    #expect(variables["params"].keys == ["Dense_0", "dense"])
}

// MARK: Sequential

@Test func sequentialNamesLayersByIndex() {
    let model = Sequential {
        Dense(4)
        relu
        Dense(3)
        ({ x in x * 2 })
        Dense(2, name: "head")
    }
    let variables = model.initialize(key: PRNGKey(0), Tensor.ones([1, 5]))
    #expect(variables["params"].keys == ["head", "layers_0", "layers_2"])
    #expect(model.apply(variables, Tensor.ones([3, 5])).shape == [3, 2])
}

@Test func sequentialTopLevelMatchesFlax() {
    // Flax: nn.Sequential([nn.Dense(2), nn.relu, nn.Dense(5)]) as the child
    // `seq` above; on its own its variables are the same without the prefix.
    let model = Sequential([.module(Dense(2)), .function(relu), .module(Dense(5))])
    let variables = model.initialize(key: PRNGKey(3), Tensor.ones([1, 4]))
    let expected = parameterKey(root: PRNGKey(3), modulePath: ["layers_2"], counter: 1)
    #expect(variables[path: "params/layers_2/kernel"].tensor.floats == Initializer.lecunNormal(expected, [2, 5]).floats)
}

@Test func sequentialInsideCompactBody() {
    struct WithSequential: Module {
        func call(_ x: Tensor) -> Tensor {
            let block = Sequential {
                Dense(3)
                relu
            }
            return Dense(1)(block(x))
        }
    }
    let variables = WithSequential().initialize(key: PRNGKey(0), Tensor.ones([1, 2]))
    #expect(treePaths(variables) == [
        "params/Dense_0/bias", "params/Dense_0/kernel",
        "params/Sequential_0/layers_0/bias", "params/Sequential_0/layers_0/kernel",
    ])
}

@Test func sequentialBuilderControlFlow() {
    func model(deep: Bool) -> Sequential {
        Sequential {
            for _ in 0..<2 {
                Dense(3)
            }
            if deep {
                Dense(3)
            } else {
                relu
            }
        }
    }
    #expect(model(deep: true).layers.count == 3)
    let shallow = model(deep: false).initialize(key: PRNGKey(0), Tensor.ones([1, 2]))
    #expect(shallow["params"].keys == ["layers_0", "layers_1"])
}
