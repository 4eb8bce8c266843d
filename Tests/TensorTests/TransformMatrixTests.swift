import Testing
@testable import Tensor

/// A function of one `[2, 3]` float32 tensor under test, with a name for test output.
struct MatrixFunction: Sendable, CustomTestStringConvertible {
    let name: String
    let function: @Sendable (Tensor) -> Tensor

    var testDescription: String { name }
}

/// A transformation or composition of transformations applied to every function.
enum MatrixTransformation: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case jit
    case grad
    case vmap
    case jvp
    case jitOfGrad = "jit∘grad"
    case gradOfJit = "grad∘jit"
    case vmapOfGrad = "vmap∘grad"
    case gradOfVmapSum = "grad∘vmap-sum"
    case jitOfVmap = "jit∘vmap"
    case vmapOfJit = "vmap∘jit"
    case jvpOfJit = "jvp∘jit"
    case jitOfJvp = "jit∘jvp"

    var testDescription: String { rawValue }
}

/// The gradient of a scalar function of one tensor. Annotating the result selects the
/// `grad` overload that differentiates the first argument.
private func gradient(_ function: @escaping (Tensor) -> Tensor) -> (Tensor) -> Tensor {
    grad(function)
}

private let weights = Tensor([0.5, -1, 0.25, 2, 1, -0.5, 0.75, 0.1, -0.3, 1.5, -2, 0.6] as [Float], shape: [3, 4])
private let bias = Tensor([0.1, -0.2, 0.3, 0] as [Float])
private let labels = Tensor([0, 1, 0, 0, 0, 1] as [Float], shape: [2, 3])
private let columns = Tensor([2, 0, 2] as [Int32])
private let flatPositions = Tensor([5, 0, 2, 5, 1, 3] as [Int32])

/// One function per kind of primitive or composite that the transformations must
/// handle: elementwise math, products, composites, reductions, shape changes, gathers,
/// scatters, and control flow.
private let matrixFunctions: [MatrixFunction] = [
    MatrixFunction(name: "elementwise chain") { x in
        sin(x) * exp(-(x * x)) + log1p(x * x) - sqrt(x * x + 1) / (abs(x) + 1)
    },
    MatrixFunction(name: "matmul bias tanh") { x in tanh(matmul(x, weights) + bias) },
    MatrixFunction(name: "softmax cross-entropy") { x in -(labels * logSoftmax(x, axis: -1)).sum(axis: -1).mean() },
    MatrixFunction(name: "reductions keepDims") { x in
        x - x.max(axis: 1, keepDims: true) + x.mean(axis: 0, keepDims: true) * x.sum(axis: 1, keepDims: true)
    },
    MatrixFunction(name: "reshape transpose") { x in
        (x.reshaped([3, 2]).transposed() * x).permuted([1, 0]).reshaped([6])
    },
    MatrixFunction(name: "take gather") { x in
        x.take(columns, axis: 1) * x.reshaped([6])[flatPositions].reshaped([2, 3])
    },
    MatrixFunction(name: "at set") { x in x.at[0, 1].set(x[1, 2] * 3) * x },
    MatrixFunction(name: "logsumexp") { x in logsumexp(x, axis: 1) + logsumexp(x) },
    MatrixFunction(name: "forLoop") { x in
        forLoop(0, 3, body: { index, carry in sin(carry) * 0.9 + carry * index.astype(.float32) * 0.1 }, initial: x)
    },
    MatrixFunction(name: "cond") { x in cond(x.sum() .> 0, { v in v * v * 0.5 }, { v in sin(v) * 2 }, x) },
]

/// Combinations that do not match their reference yet, keyed by "function / transformation",
/// with the reason. Each still runs inside `withKnownIssue`, so the test fails once the
/// combination starts to pass and its entry should be removed.
private let knownIssues: [String: String] = [:]

/// Every function under every transformation, compared with a reference computed
/// without that transformation: the function itself, stacked per-example results, the
/// eager transformation, or central finite differences in Float64 for eager `grad`
/// and `jvp`.
@Suite struct TransformMatrixTests {
    /// A point with no kink, tie or branch boundary of any function nearby. Its sum is
    /// positive, so `cond` takes its true branch.
    private static let point = Tensor([0.3, -1.2, 2.1, 0.7, 1.5, -0.4] as [Float], shape: [2, 3])
    private static let tangent = Tensor([0.5, -1, 0.25, 2, -0.75, 1] as [Float], shape: [2, 3])

    /// Three examples: the point, one with a negative sum (the false branch of `cond`)
    /// and another with a positive sum.
    private static let batch = Tensor(
        [
            0.3, -1.2, 2.1, 0.7, 1.5, -0.4,
            -0.9, 0.45, -1.7, -0.2, 0.8, -1.1,
            1.3, 0.6, -0.35, 0.05, -0.8, 1.9,
        ] as [Float], shape: [3, 2, 3])

    /// Reduces the function's output to a scalar with a fixed weight per element, so
    /// every output element contributes to the gradient.
    private static func scalarized(_ function: @escaping (Tensor) -> Tensor) -> (Tensor) -> Tensor {
        { x in
            let output = function(x)
            return (output * GradientCheck.weights(output.shape)).sum()
        }
    }

    /// Applies `function` to each example of `batch` separately and stacks the results
    /// along axis 0.
    private static func perExample(_ function: (Tensor) -> Tensor) -> Tensor {
        stack((0..<batch.shape[0]).map { function(batch.index(axis: 0, $0)) })
    }

    /// Estimates the directional derivative of `function` at `x` along `direction` by
    /// central differences, computed in Float64 from float32 evaluations.
    private static func numericDirectional(_ function: (Tensor) -> Tensor, at x: Tensor, along direction: Tensor) -> [Float] {
        let step: Float = 1e-3
        let plus = function(x + direction * step).floats
        let minus = function(x - direction * step).floats
        return zip(plus, minus).map { Float((Double($0) - Double($1)) / (2 * Double(step))) }
    }

    /// Checks `actual` against finite differences with the tolerances of `GradientCheck`.
    private static func expectNumericallyClose(
        _ actual: Tensor, _ expected: [Float], shape: [Int], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(actual.shape == shape, sourceLocation: sourceLocation)
        for (index, (a, e)) in zip(actual.floats, expected).enumerated() {
            let bound = GradientCheck.absoluteTolerance + GradientCheck.relativeTolerance * Double(Swift.abs(e))
            #expect(Double(Swift.abs(a - e)) <= bound, "element \(index): \(a), numeric \(e)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: matrixFunctions, MatrixTransformation.allCases)
    func transformedMatchesReference(_ testCase: MatrixFunction, _ transformation: MatrixTransformation) {
        if let reason = knownIssues["\(testCase.name) / \(transformation.rawValue)"] {
            withKnownIssue(Comment(rawValue: reason)) {
                Self.check(testCase.function, under: transformation)
            }
        } else {
            Self.check(testCase.function, under: transformation)
        }
    }

    /// Applies `transformation` to `f` and compares the result with its reference.
    private static func check(_ f: @escaping @Sendable (Tensor) -> Tensor, under transformation: MatrixTransformation) {
        let x = point
        let g = scalarized(f)
        let tolerance: Float = 1e-5

        switch transformation {
        case .jit:
            let expected = f(x)
            expectClose(jit(f)(x), expected.floats, shape: expected.shape, tolerance: tolerance)

        case .grad:
            let numeric = GradientCheck.numericGradients({ g($0[0]) }, [x])[0].map(Float.init)
            expectNumericallyClose(gradient(g)(x), numeric, shape: x.shape)

        case .vmap:
            let expected = perExample(f)
            expectClose(vmap(f)(batch), expected.floats, shape: expected.shape, tolerance: tolerance)

        case .jvp:
            let (output, outputTangent) = jvp(f, x, tangent)
            let expected = f(x)
            expectClose(output, expected.floats, shape: expected.shape, tolerance: tolerance)
            expectNumericallyClose(outputTangent, numericDirectional(f, at: x, along: tangent), shape: expected.shape)

        case .jitOfGrad:
            expectClose(jit(gradient(g))(x), gradient(g)(x).floats, shape: x.shape, tolerance: tolerance)

        case .gradOfJit:
            expectClose(gradient(jit(g))(x), gradient(g)(x).floats, shape: x.shape, tolerance: tolerance)

        case .vmapOfGrad:
            let expected = perExample(gradient(g))
            expectClose(vmap(gradient(g))(batch), expected.floats, shape: batch.shape, tolerance: tolerance)

        case .gradOfVmapSum:
            // Example i contributes only g(batch[i]) to the sum, so row i of the gradient
            // is the gradient of g at that example.
            let expected = perExample(gradient(g))
            let summed = gradient { examples in vmap(g)(examples).sum() }
            expectClose(summed(batch), expected.floats, shape: batch.shape, tolerance: tolerance)

        case .jitOfVmap:
            let expected = perExample(f)
            expectClose(jit(vmap(f))(batch), expected.floats, shape: expected.shape, tolerance: tolerance)

        case .vmapOfJit:
            let expected = perExample(f)
            expectClose(vmap(jit(f))(batch), expected.floats, shape: expected.shape, tolerance: tolerance)

        case .jvpOfJit:
            let (output, outputTangent) = jvp(jit(f), x, tangent)
            let (expectedOutput, expectedTangent) = jvp(f, x, tangent)
            expectClose(output, expectedOutput.floats, shape: expectedOutput.shape, tolerance: tolerance)
            expectClose(outputTangent, expectedTangent.floats, shape: expectedTangent.shape, tolerance: tolerance)

        case .jitOfJvp:
            let compiled = jit { (pair: [Tensor]) -> [Tensor] in
                let (output, outputTangent) = jvp(f, pair[0], pair[1])
                return [output, outputTangent]
            }
            let results = compiled([x, tangent])
            let (expectedOutput, expectedTangent) = jvp(f, x, tangent)
            expectClose(results[0], expectedOutput.floats, shape: expectedOutput.shape, tolerance: tolerance)
            expectClose(results[1], expectedTangent.floats, shape: expectedTangent.shape, tolerance: tolerance)
        }
    }
}
