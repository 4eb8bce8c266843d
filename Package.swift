// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Weft",
    products: [
        .library(name: "Weft", targets: ["Weft"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Optim", targets: ["Optim"]),
        .library(name: "TrainState", targets: ["TrainState"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .executable(name: "mnist", targets: ["MNISTExample"]),
        .executable(name: "linreg", targets: ["LinearRegressionExample"]),
        .executable(name: "weft-bench", targets: ["WeftBench"]),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "CKernels"),
        .target(name: "Tensor", dependencies: ["CBLAS", "CKernels"]),
        .target(name: "NN", dependencies: ["Tensor"]),
        .target(name: "Optim", dependencies: ["Tensor"]),
        .target(name: "TrainState", dependencies: ["Tensor", "NN", "Optim"]),
        .target(name: "Datasets", dependencies: ["CZlib"]),
        .target(name: "Weft", dependencies: ["Tensor", "NN", "Optim", "TrainState", "Datasets"]),
        // The model and training code of the MNIST example, shared with weft-bench.
        .target(
            name: "MNISTWorkload",
            dependencies: ["Tensor", "NN", "TrainState", "Datasets"],
            path: "Examples/MNISTWorkload"
        ),
        // The linear regression of the linreg example, shared with weft-bench.
        .target(
            name: "LinearRegressionWorkload",
            dependencies: ["Tensor"],
            path: "Examples/LinearRegressionWorkload"
        ),
        .executableTarget(
            name: "MNISTExample",
            dependencies: ["Weft", "MNISTWorkload"],
            path: "Examples/MNIST"
        ),
        .executableTarget(
            name: "LinearRegressionExample",
            dependencies: ["Weft", "LinearRegressionWorkload"],
            path: "Examples/LinearRegression"
        ),
        .executableTarget(
            name: "WeftBench",
            dependencies: ["Weft", "CBLAS", "MNISTWorkload", "LinearRegressionWorkload"],
            path: "Benchmarks/WeftBench"
        ),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Tensor"]),
        .testTarget(name: "OptimTests", dependencies: ["Optim", "Tensor"]),
        .testTarget(name: "TrainStateTests", dependencies: ["TrainState", "NN", "Optim", "Tensor", "Weft"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"]),
        .testTarget(name: "MNISTExampleTests", dependencies: ["MNISTExample"]),
    ],
    swiftLanguageModes: [.v6]
)
