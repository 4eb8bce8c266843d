import Testing
@testable import Tensor

/// A scalar function of a vector, with a name for test output.
struct ScalarFunctionCase: Sendable, CustomTestStringConvertible {
    let name: String
    let function: @Sendable (Tensor) -> Tensor

    var testDescription: String { name }
}

/// The gradient of a scalar function of one tensor. Annotating the result selects the
/// `grad` overload that differentiates the first argument.
private func gradient(_ function: @escaping (Tensor) -> Tensor) -> (Tensor) -> Tensor {
    grad(function)
}

private let projection = Tensor([0.5, -1, 0.25, 2, 1, -0.5, 0.75, 0.1, -0.3, 1.5, -2, 0.6] as [Float], shape: [4, 3])
private let weights = Tensor([1, -2, 0.5, 3] as [Float])

/// Functions that cover elementwise math, literals, captured constants, reductions,
/// reshapes, products, selection and casts.
private let scalarCases: [ScalarFunctionCase] = [
    ScalarFunctionCase(name: "polynomial") { x in (x * x * x - x * 2).sum() },
    ScalarFunctionCase(name: "transcendental") { x in (sin(x) * exp(-(x * x)) + log1p(x * x)).sum() },
    ScalarFunctionCase(name: "captured matrix") { x in tanh(matmul(x.reshaped([1, 4]), projection)).sum() },
    ScalarFunctionCase(name: "reductions") { x in x.max() + x.mean() + sqrt((x * x).sum()) },
    ScalarFunctionCase(name: "select") { x in select(x .> 0, x * x, -x).sum() },
    ScalarFunctionCase(name: "log-softmax") { x in (logSoftmax(x) * weights).sum() },
    ScalarFunctionCase(name: "literals") { x in (x / log(2.0) + pow(x, 2)).sum() },
    ScalarFunctionCase(name: "casts") { x in ((x * 3).astype(.int32).astype(.float32) + x / 2).sum() },
    ScalarFunctionCase(name: "broadcast and transpose") { x in
        (x.broadcast(to: [3, 4]).transposed() * projection).sum() * x.min()
    },
]

/// Each function under `jit` and its compositions with `grad` and `vmap`, compared with
/// the untransformed function.
@Suite struct JitCompositionTests {
    private let point = Tensor([0.3, -1.2, 2.1, 0.7] as [Float])
    private let batch = Tensor(
        [0.3, -1.2, 2.1, 0.7, 1.5, 0.2, -0.4, -2.2, -0.9, 1.1, 0.05, 0.6] as [Float], shape: [3, 4])

    @Test(arguments: scalarCases) func jitMatchesFunction(_ testCase: ScalarFunctionCase) {
        let f = testCase.function
        expectClose(jit(f)(point), f(point).floats, shape: [], tolerance: 1e-5)
    }

    @Test(arguments: scalarCases) func gradOfJit(_ testCase: ScalarFunctionCase) {
        let f = testCase.function
        expectClose(gradient(jit(f))(point), gradient(f)(point).floats, shape: [4], tolerance: 1e-5)
    }

    @Test(arguments: scalarCases) func jitOfGrad(_ testCase: ScalarFunctionCase) {
        let f = testCase.function
        expectClose(jit(gradient(f))(point), gradient(f)(point).floats, shape: [4], tolerance: 1e-5)
    }

    @Test(arguments: scalarCases) func vmapOfJit(_ testCase: ScalarFunctionCase) {
        let f = testCase.function
        let expected = (0..<3).map { f(batch.index(axis: 0, $0)).floatValue }
        expectClose(vmap(jit(f))(batch), expected, shape: [3], tolerance: 1e-5)
    }

    @Test(arguments: scalarCases) func jitOfVmap(_ testCase: ScalarFunctionCase) {
        let f = testCase.function
        let expected = (0..<3).map { f(batch.index(axis: 0, $0)).floatValue }
        expectClose(jit(vmap(f))(batch), expected, shape: [3], tolerance: 1e-5)
    }

    @Test(arguments: scalarCases) func deeperNestings(_ testCase: ScalarFunctionCase) {
        let f = testCase.function
        let perExample = (0..<3).flatMap { gradient(f)(batch.index(axis: 0, $0)).floats }
        expectClose(jit(vmap(gradient(f)))(batch), perExample, shape: [3, 4], tolerance: 1e-5)
        expectClose(vmap(jit(gradient(f)))(batch), perExample, shape: [3, 4], tolerance: 1e-5)
        expectClose(vmap(gradient(jit(f)))(batch), perExample, shape: [3, 4], tolerance: 1e-5)
        expectClose(gradient(jit(jit(f)))(point), gradient(f)(point).floats, shape: [4], tolerance: 1e-5)
        expectClose(jit(gradient(jit(f)))(point), gradient(f)(point).floats, shape: [4], tolerance: 1e-5)

        let (value, slope) = valueAndGrad(jit(f))(point)
        expectClose(value, f(point).floats, shape: [], tolerance: 1e-5)
        expectClose(slope, gradient(f)(point).floats, shape: [4], tolerance: 1e-5)
    }

    @Test func secondDerivativeThroughJit() {
        let cube = { (x: Tensor) in (x * x * x).sum() }
        let second = gradient { x in gradient(jit(cube))(x).sum() }
        // d/dx of 3x^2 is 6x.
        expectClose(second(point), point.floats.map { $0 * 6 }, tolerance: 1e-5)
        expectClose(jit(second)(point), point.floats.map { $0 * 6 }, tolerance: 1e-5)
    }
}
