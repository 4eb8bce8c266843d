import Testing

@testable import NN

// Expected values from Tests/References/nn_optim_reference.txt (section b),
// printed by nn_optim_reference.py with JAX 0.10.2 for PRNGKey(1), float32.

private let key = PRNGKey(1)

private let cases34: [(name: String, initializer: Initializer, expected: [Float])] = [
    ("lecunNormal", .lecunNormal, [
        -0.0967197418, 0.0530629493, -0.0851676539, -0.097094655, 0.768864632, 0.0928771868,
        1.16358948, 0.61707741, -0.181663364, 0.224064335, -0.439926744, -0.153700188,
    ]),
    ("lecunUniform", .lecunUniform, [
        -0.122735023, 0.0675058365, -0.108163357, -0.123207331, 0.794725657, 0.117892027,
        0.967771053, 0.683981895, -0.228440762, 0.279914618, -0.521009684, -0.193973541,
    ]),
    ("heNormal", .heNormal, [
        -0.136782378, 0.0750423446, -0.120445266, -0.137312591, 1.08733892, 0.131348178,
        1.6455642, 0.872679293, -0.256910801, 0.316874862, -0.622150421, -0.217364892,
    ]),
    ("heUniform", .heUniform, [
        -0.173573539, 0.0954676643, -0.152966082, -0.174241468, 1.12391174, 0.166724503,
        1.36863494, 0.967296481, -0.323064029, 0.395859033, -0.736818969, -0.274320006,
    ]),
    ("glorotNormal", .glorotNormal, [
        -0.0895450786, 0.0491267443, -0.0788499266, -0.0898921862, 0.711830318, 0.0859875605,
        1.07727456, 0.571302652, -0.168187588, 0.207443267, -0.407293022, -0.142298713,
    ]),
    ("glorotUniform", .glorotUniform, [
        -0.113630556, 0.0624982603, -0.100139812, -0.114067823, 0.735772967, 0.109146811,
        0.895981908, 0.633244216, -0.211495057, 0.259150594, -0.482361257, -0.179584607,
    ]),
    ("normal(0.02)", .normal(stddev: 0.02), [
        -0.00308874366, 0.0016941455, -0.00271960977, -0.00310072512, 0.0253333468, 0.00296595157,
        0.0428312048, 0.0200534835, -0.00580671709, 0.00716689555, -0.0141585469, -0.00491110515,
    ]),
    ("uniform(0.05)", .uniform(scale: 0.05), [
        0.021931624, 0.0266876463, 0.0222959165, 0.0219198167, 0.0448681414, 0.027947301,
        0.0491942763, 0.0420995466, 0.0192889813, 0.0319978669, 0.0119747585, 0.0201506615,
    ]),
    ("truncatedNormal(0.1)", .truncatedNormal(stddev: 0.1), [
        -0.0147357984, 0.00808443967, -0.0129757738, -0.0147929192, 0.117140867, 0.0141503634,
        0.177279428, 0.0940152258, -0.0276774373, 0.0341374688, -0.0670253262, -0.023417091,
    ]),
    ("varianceScaling(2, fanAverage, truncatedNormal)",
     .varianceScaling(scale: 2, mode: .fanAverage, distribution: .truncatedNormal), [
        -0.126635879, 0.0694757104, -0.111510642, -0.127126753, 1.00668013, 0.121604785,
        1.52349627, 0.807944, -0.237853184, 0.293369085, -0.57599932, -0.201240778,
    ]),
]

private let cases234: [(name: String, initializer: Initializer, expected: [Float])] = [
    ("varianceScaling(2, fanAverage, truncatedNormal)",
     .varianceScaling(scale: 2, mode: .fanAverage, distribution: .truncatedNormal), [
        -0.0895450786, 0.0491267443, -0.0788499266, -0.0898921862, 0.711830318, 0.0859875605,
        1.07727456, 0.571302652, -0.168187588, 0.207443267, -0.407293022, -0.142298713,
        0.506839156, 0.451329052, 0.508694708, 0.317120641, 0.551122427, -0.959033787,
        0.492874295, -0.882480323, -0.0347675011, -0.830565035, -0.570240319, 0.370823711,
    ]),
    ("varianceScaling(1, fanIn, truncatedNormal)",
     .varianceScaling(scale: 1, mode: .fanIn, distribution: .truncatedNormal), [
        -0.068391189, 0.0375211723, -0.0602226332, -0.0686562955, 0.543669462, 0.0656740889,
        0.822782099, 0.436339647, -0.1284554, 0.158437431, -0.311075211, -0.108682446,
        0.387104839, 0.344708294, 0.388522029, 0.242204905, 0.42092672, -0.732474208,
        0.376439005, -0.674005508, -0.0265541188, -0.634354591, -0.435528278, 0.283221304,
    ]),
    ("varianceScaling(1, fanOut, normal)",
     .varianceScaling(scale: 1, mode: .fanOut, distribution: .normal), [
        -0.0546017885, 0.0299485438, -0.0480763614, -0.0548135936, 0.447834522, 0.0524311103,
        0.757155895, 0.354498863, -0.102649227, 0.126694009, -0.250290096, -0.086816892,
        0.313100696, 0.277935058, 0.314283192, 0.194215834, 0.341464818, -0.635400832,
        0.304216474, -0.571910024, -0.0211937204, -0.532265186, -0.353810817, 0.227534711,
    ]),
    ("varianceScaling(3, fanAverage, uniform)",
     .varianceScaling(scale: 3, mode: .fanAverage, distribution: .uniform), [
        -0.139168426, 0.0765444189, -0.122645713, -0.139703974, 0.901134133, 0.133676991,
        1.09734917, 0.775562525, -0.259027451, 0.317393333, -0.59076941, -0.219945312,
        0.707727969, 0.644280791, 0.709769309, 0.473080426, 0.755014181, -1.05190587,
        0.692197919, -1.01398706, -0.0542007163, -0.983989954, -0.774496555, 0.544430494,
    ]),
]

@Test(arguments: cases34.indices)
func initializerMatchesJAXFor3By4(index: Int) {
    let (name, initializer, expected) = cases34[index]
    let values = initializer(key, [3, 4])
    #expect(values.shape == [3, 4], "\(name)")
    #expect(values.dtype == .float32, "\(name)")
    #expect(values.floats == expected, "\(name)")
}

@Test(arguments: cases234.indices)
func initializerMatchesJAXFor2By3By4(index: Int) {
    let (name, initializer, expected) = cases234[index]
    let values = initializer(key, [2, 3, 4])
    #expect(values.shape == [2, 3, 4], "\(name)")
    #expect(values.floats == expected, "\(name)")
}

@Test func fansUseReceptiveField() {
    let plain = computeFans([3, 4], inAxes: [-2], outAxes: [-1], batchAxes: [])
    #expect(plain.fanIn == 3)
    #expect(plain.fanOut == 4)
    let convolution = computeFans([2, 3, 4], inAxes: [-2], outAxes: [-1], batchAxes: [])
    #expect(convolution.fanIn == 6)
    #expect(convolution.fanOut == 8)
    let batched = computeFans([5, 2, 3, 4], inAxes: [-2], outAxes: [-1], batchAxes: [0])
    #expect(batched.fanIn == 6)
    #expect(batched.fanOut == 8)
    let multipleInputAxes = computeFans([2, 3, 4], inAxes: [0, 1], outAxes: [2], batchAxes: [])
    #expect(multipleInputAxes.fanIn == 6)
    #expect(multipleInputAxes.fanOut == 4)
}

@Test func constantInitializers() {
    #expect(Initializer.zeros(key, [2, 2]).floats == [0, 0, 0, 0])
    #expect(Initializer.ones(key, [3]).floats == [1, 1, 1])
    #expect(Initializer.ones(key, [2], dtype: .int32).ints == [1, 1])
    #expect(Initializer.ones(key, [2], dtype: .int32).dtype == .int32)
    #expect(Initializer.constant(-7)(key, [2, 3]).floats == [-7, -7, -7, -7, -7, -7])
    #expect(Initializer.constant(2.5)(key, []).shape == [])
}

@Test func customInitializer() {
    let arange = Initializer { _, shape, dtype in Tensor.arange(shape.reduce(1, *), dtype: dtype).reshaped(shape) }
    #expect(arange(key, [2, 2]).floats == [0, 1, 2, 3])
}

@Test func varianceScalingRejectsVectors() async {
    await #expect(processExitsWith: .failure) {
        _ = Initializer.lecunNormal(PRNGKey(0), [3])
    }
}

@Test func randomInitializersRejectIntegerDType() async {
    await #expect(processExitsWith: .failure) {
        _ = Initializer.normal()(PRNGKey(0), [3], dtype: .int32)
    }
}
