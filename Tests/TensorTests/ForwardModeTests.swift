import Foundation
import Testing
@testable import Tensor

/// Reference checks for forward mode.
///
/// The numeric reference is the central difference `(f(x + h t) - f(x - h t)) / 2h` in
/// Float64, with `h = 1e-3`, against the same tolerances as `GradientCheck`. The second
/// reference is the adjoint identity `⟨J t, u⟩ = ⟨t, Jᵀ u⟩`, with `Jᵀ u` from `vjpFlat`,
/// which holds up to float32 rounding and needs no step size.
enum ForwardCheck {
    static let step = 1e-3

    /// Fixed tangent directions with elements in [-1, 1), one per input.
    static func tangents(for inputs: [Tensor]) -> [Tensor] {
        inputs.enumerated().map { GradientCheck.uniform($0.element.shape, -1, 1, seed: 300 + UInt64($0.offset)) }
    }

    /// Returns `x + scale * t` for every input, in float32.
    static func shifted(_ inputs: [Tensor], _ tangents: [Tensor], by scale: Double) -> [Tensor] {
        zip(inputs, tangents).map { input, tangent in
            let values = zip(input.floats, tangent.floats).map { Float(Double($0) + scale * Double($1)) }
            return Tensor(values, shape: input.shape)
        }
    }

    /// Estimates the directional derivative of every output element by central differences.
    static func numericTangent(_ function: ([Tensor]) -> Tensor, _ inputs: [Tensor], _ tangents: [Tensor]) -> [Double] {
        let plus = function(shifted(inputs, tangents, by: step)).floats
        let minus = function(shifted(inputs, tangents, by: -step)).floats
        return zip(plus, minus).map { (Double($0) - Double($1)) / (2 * step) }
    }

    /// Describes each element of `jvp`'s output tangent outside the tolerances of the
    /// central difference, and a tangent whose shape differs from the output's.
    static func finiteDifferenceMismatches(_ function: @escaping ([Tensor]) -> Tensor, _ inputs: [Tensor]) -> [String] {
        let tangents = tangents(for: inputs)
        let (outputs, outputTangents) = jvpFlat({ [function($0)] }, primals: inputs, tangents: tangents)
        guard outputTangents[0].shape == outputs[0].shape else {
            return ["tangent shape \(formatShape(outputTangents[0].shape)) differs from output shape \(formatShape(outputs[0].shape))"]
        }
        let numeric = numericTangent(function, inputs, tangents)
        var problems = [String]()
        for (element, (computed, expected)) in zip(outputTangents[0].floats, numeric).enumerated() {
            let error = Swift.abs(Double(computed) - expected)
            if !(error <= GradientCheck.absoluteTolerance + GradientCheck.relativeTolerance * Swift.abs(expected)) {
                problems.append("element \(element): jvp \(computed), numeric \(expected)")
            }
        }
        return problems
    }

    /// Returns `⟨J t, u⟩` and `⟨t, Jᵀ u⟩` in Float64 with the sum of the absolute
    /// values of all their terms, which bounds the rounding error of either side.
    static func adjointPair(_ function: @escaping ([Tensor]) -> Tensor, _ inputs: [Tensor]) -> (forward: Double, reverse: Double, scale: Double) {
        let tangents = tangents(for: inputs)
        let (outputs, outputTangents) = jvpFlat({ [function($0)] }, primals: inputs, tangents: tangents)
        let cotangent = GradientCheck.weights(outputs[0].shape)
        let (_, pullback) = vjpFlat({ [function($0)] }, inputs)
        let inputCotangents = pullback([cotangent])

        var forward = 0.0
        var reverse = 0.0
        var scale = 0.0
        for (a, b) in zip(outputTangents[0].floats, cotangent.floats) {
            forward += Double(a) * Double(b)
            scale += Swift.abs(Double(a) * Double(b))
        }
        for (tangent, inputCotangent) in zip(tangents, inputCotangents) {
            for (a, b) in zip(tangent.floats, inputCotangent.floats) {
                reverse += Double(a) * Double(b)
                scale += Swift.abs(Double(a) * Double(b))
            }
        }
        return (forward, reverse, scale)
    }
}

/// Functions that chain several primitives, as models do.
enum ForwardTable {
    static func uniform(_ shape: [Int], _ low: Float, _ high: Float, _ seed: UInt64) -> Tensor {
        GradientCheck.uniform(shape, low, high, seed: seed)
    }

    static let composite: [GradientCase] = [
        GradientCase(
            "dense layer with tanh", [uniform([4, 3], -1, 1, 400), uniform([3, 5], -1, 1, 401), uniform([5], -1, 1, 402)],
            { tanh(matmul($0[0], $0[1]) + $0[2]) }),
        GradientCase(
            "softmax cross-entropy", [uniform([4, 6], -2, 2, 403)],
            { logits in
                let labels = Tensor([1, 0, 5, 2] as [Int32])
                return -logSoftmax(logits[0]).takeAlongAxis(labels.reshaped([4, 1]), axis: 1).mean()
            }),
        GradientCase(
            "attention weights", [uniform([3, 4], -1, 1, 404), uniform([5, 4], -1, 1, 405), uniform([5, 2], -1, 1, 406)],
            { matmul(softmax(matmul($0[0], $0[1], transposeA: false, transposeB: true) / 2), $0[2]) }),
        GradientCase(
            "layer normalization", [uniform([3, 8], -2, 2, 407)],
            { x in
                let centered = x[0] - x[0].mean(axes: [1], keepDims: true)
                return centered * rsqrt(centered.variance(axes: [1], keepDims: true) + 1e-5)
            }),
        GradientCase(
            "reshape, transpose and reduce", [uniform([2, 3, 4], -2, 2, 408)],
            { ($0[0].reshaped([6, 4]).T * exp($0[0].sum(axis: 0).reshaped([12, 1]).reshaped([4, 3])).sum(axis: 1, keepDims: true)).max(axis: 1) }),
        GradientCase(
            "take then at set", [uniform([5, 3], -2, 2, 409), uniform([2, 3], -2, 2, 410)],
            { inputs in
                let gathered = inputs[0].take(Tensor([4, 0, 4] as [Int32]), axis: 0)
                return sin(gathered).at[Tensor([0, 2] as [Int32])].set(inputs[1] * inputs[1])
            }),
    ]

    /// The project's table of every differentiable primitive, with the composite cases.
    static let all = GradientTable.all + composite
}

@Suite struct ForwardModeTests {
    // MARK: - jvp against references

    @Test("jvp matches central differences", arguments: ForwardTable.all)
    func jvpMatchesFiniteDifferences(_ forwardCase: GradientCase) {
        let problems = ForwardCheck.finiteDifferenceMismatches(forwardCase.function, forwardCase.inputs)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test("jvp is the transpose of vjp", arguments: ForwardTable.all)
    func jvpIsTransposeOfVJP(_ forwardCase: GradientCase) {
        let (forward, reverse, scale) = ForwardCheck.adjointPair(forwardCase.function, forwardCase.inputs)
        #expect(Swift.abs(forward - reverse) <= 1e-5 * Swift.max(1, scale), "⟨J t, u⟩ = \(forward), ⟨t, Jᵀ u⟩ = \(reverse)")
    }

    @Test func jvpOfLinearMapIsTheMap() {
        let a = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let (outputs, tangents) = jvpFlat(
            { [matmul(a, $0[0])] }, primals: [Tensor([7, 8, 9] as [Float])], tangents: [Tensor([1, 0, -1] as [Float])])
        #expect(outputs[0].floats == [50, 122])
        #expect(tangents[0].floats == [-2, -2])
    }

    @Test func jvpOfSeveralOutputs() {
        let x = Tensor([0.5, -1, 2] as [Float])
        let t = Tensor([1, 2, 3] as [Float])
        let (outputs, tangents) = jvpFlat({ [$0[0] * $0[0], $0[0].sum(), $0[0]] }, primals: [x], tangents: [t])
        #expect(outputs.count == 3)
        #expect(tangents[0].floats == [1, -4, 12])
        #expect(tangents[1].floatValue == 6)
        #expect(tangents[2].floats == [1, 2, 3])
    }

    @Test func jvpOfConstantOutputIsZero() {
        let (outputs, tangents) = jvpFlat(
            { _ in [Tensor([1, 2] as [Float])] }, primals: [Tensor(Float(3))], tangents: [Tensor(Float(1))])
        #expect(outputs[0].floats == [1, 2])
        #expect(tangents[0].floats == [0, 0])
    }

    @Test func jvpIgnoresIntegerPrimals() {
        let x = Tensor([1, 2, 3] as [Float])
        let indices = Tensor([2, 0] as [Int32])
        let (outputs, tangents) = jvpFlat(
            { [$0[0].take($0[1]) * 2, $0[0].argmax()] },
            primals: [x, indices], tangents: [Tensor([10, 20, 30] as [Float]), Tensor([5, 5] as [Int32])])
        #expect(outputs[0].floats == [6, 2])
        #expect(tangents[0].floats == [60, 20])
        #expect(tangents[1].dtype == .int32)
        #expect(tangents[1].shape == [])
    }

    @Test func jvpTransposesCustomVJPRule() {
        // The backward rule scales cotangents by 2 and 3, so the tangents are scaled too.
        let scaled = customVJP(
            forward: { (inputs: [Tensor]) in ([inputs[0] + inputs[1]], []) },
            backward: { _, cotangents in [cotangents[0] * 2, cotangents[0] * 3] })
        let (outputs, tangents) = jvpFlat(
            scaled, primals: [Tensor([1, 2] as [Float]), Tensor([3, 4] as [Float])],
            tangents: [Tensor([1, -1] as [Float]), Tensor([1, 0] as [Float])])
        #expect(outputs[0].floats == [4, 6])
        #expect(tangents[0].floats == [5, -2])
    }

    // MARK: - Nesting

    @Test func jvpOfJVPIsSecondDerivative() {
        // d²/dx² sin(x) = -sin(x), and d²/dx² x³ = 6x, along the tangent 1.
        let x = Tensor([0.3, -1.2, 2] as [Float])
        let ones = Tensor.ones([3])
        let firstDerivative = { (f: @escaping (Tensor) -> Tensor) in
            { (x: Tensor) in jvp(f, x, ones).tangent }
        }
        let sine = jvp(firstDerivative({ sin($0) }), x, ones).tangent
        expectClose(sine, x.floats.map { -Foundation.sin($0) }, tolerance: 1e-6)
        let cube = jvp(firstDerivative({ $0 * $0 * $0 }), x, ones).tangent
        expectClose(cube, x.floats.map { 6 * $0 }, tolerance: 1e-6)
    }

    @Test func jvpOfJVPOfJVPIsThirdDerivative() {
        let derivative = { (f: @escaping (Tensor) -> Tensor) in
            { (x: Tensor) in jvp(f, x, Tensor(Float(1))).tangent }
        }
        let third = derivative(derivative(derivative({ $0 * $0 * $0 * $0 })))(Tensor(Float(1.5)))
        #expect(Swift.abs(third.floatValue - 36) < 1e-4)
    }

    @Test func jvpInsideGrad() {
        // The tangent of f(x) = x³ along t is 3x²t, and the gradient of its sum is 6xt.
        let t = Tensor([1, -2, 0.5] as [Float])
        let x = Tensor([0.5, 1, -3] as [Float])
        let gradient = grad({ (x: Tensor) in jvp({ $0 * $0 * $0 }, x, t).tangent.sum() })(x)
        expectClose(gradient, zip(x.floats, t.floats).map { 6 * $0 * $1 }, tolerance: 1e-6)
    }

    @Test func jvpInsideGradAgreesWithGradOfGrad() {
        // grad of ⟨∇f(x), t⟩ is H t, which jvp and grad reach by different routes.
        let t = Tensor([0.3, -0.7, 1.1, 0.2] as [Float])
        let x = Tensor([0.5, -1, 1.5, 0.25] as [Float])
        let f = { (x: Tensor) in (tanh(x) * x.reversedForTest()).sum() + exp(x).prod() }
        let viaJVP = grad({ (x: Tensor) in jvp(f, x, t).tangent })(x)
        let viaGrad = grad({ (x: Tensor) in (grad(f)(x) * t).sum() })(x)
        expectClose(viaJVP, viaGrad.floats, tolerance: 1e-5)
    }

    @Test func gradInsideJVPIsHessianVectorProduct() {
        // f(x) = sum(x³) + x₀x₁ has ∇f = 3x² + (x₁, x₀, 0) and H t = 6x·t + (t₁, t₀, 0).
        let x = Tensor([0.5, -1, 2] as [Float])
        let t = Tensor([1, 2, -1] as [Float])
        let gradient = grad({ (x: Tensor) in (x * x * x).sum() + x[0] * x[1] })
        let (output, tangent) = jvp(gradient, x, t)
        expectClose(output, [0.75 - 1, 3 + 0.5, 12], tolerance: 1e-6)
        expectClose(tangent, [3 + 2, -12 + 1, -12], tolerance: 1e-6)
    }

    @Test func jvpUnderVMapOverTangents() {
        let x = GradientCheck.uniform([3], -1, 1, seed: 500)
        let tangents = GradientCheck.uniform([4, 3], -1, 1, seed: 501)
        let f = { (x: Tensor) in softmax(x * x) }
        let batched = vmapFlat({ [jvp(f, x, $0[0]).tangent] }, inAxes: [0])([tangents])[0]
        #expect(batched.shape == [4, 3])
        for row in 0..<4 {
            let expected = jvp(f, x, tangents.index(axis: 0, row)).tangent
            expectClose(batched.index(axis: 0, row), expected.floats, tolerance: 1e-6)
        }
    }

    @Test func jvpUnderVMapOverPrimalsAndTangents() {
        let primals = GradientCheck.uniform([5, 2, 3], -1, 1, seed: 502)
        let tangents = GradientCheck.uniform([5, 2, 3], -1, 1, seed: 503)
        let weights = GradientCheck.uniform([3, 4], -1, 1, seed: 504)
        let f = { (x: Tensor) in tanh(matmul(x, weights)).sum(axis: 0) }
        let batched = vmapFlat({ jvpFlat({ [f($0[0])] }, primals: [$0[0]], tangents: [$0[1]]).tangents }, inAxes: [0, 0])(
            [primals, tangents])[0]
        #expect(batched.shape == [5, 4])
        for row in 0..<5 {
            let expected = jvp(f, primals.index(axis: 0, row), tangents.index(axis: 0, row)).tangent
            expectClose(batched.index(axis: 0, row), expected.floats, tolerance: 1e-6)
        }
    }

    @Test func vmapOfJacfwdGivesPerExampleJacobians() {
        let inputs = GradientCheck.uniform([3, 2], -1, 1, seed: 505)
        let f = { (x: Tensor) in stack([x[0] * x[1], sin(x[0]), x[1] * x[1]]) }
        let jacobians = vmap(jacfwd(f))(inputs)
        #expect(jacobians.shape == [3, 3, 2])
        for row in 0..<3 {
            let x = inputs.index(axis: 0, row).floats
            let expected: [Float] = [x[1], x[0], Foundation.cos(x[0]), 0, 0, 2 * x[1]]
            expectClose(jacobians.index(axis: 0, row), expected, tolerance: 1e-6)
        }
    }

    // MARK: - Trees and linearize

    @Test func jvpOnTrees() {
        let params: [String: Tensor] = ["w": Tensor([1, 2, 3, 4] as [Float], shape: [2, 2]), "b": Tensor([0.5, -0.5] as [Float])]
        let tangents: [String: Tensor] = ["w": Tensor([1, 0, 0, 1] as [Float], shape: [2, 2]), "b": Tensor([1, 1] as [Float])]
        let x = Tensor([1, -1] as [Float])
        let (output, tangent) = jvp({ (p: [String: Tensor]) in
            ["linear": matmul(p["w"]!, x) + p["b"]!, "square": (p["b"]! * p["b"]!).sum()]
        }, params, tangents)
        // Linear: w x + b = (-0.5, -1.5), tangent (I x) + 1 = (2, 0). Square: 0.5, tangent 2b·1 = 0.
        #expect(output["linear"]!.floats == [-0.5, -1.5])
        #expect(output["square"]!.floatValue == 0.5)
        #expect(tangent["linear"]!.floats == [2, 0])
        #expect(tangent["square"]!.floatValue == 0)
    }

    @Test func linearizeMatchesJVP() {
        let x = GradientCheck.uniform([2, 3], -1, 1, seed: 510)
        let f = { (x: Tensor) in logSoftmax(matmul(x, x, transposeA: false, transposeB: true)) }
        let (output, pushforward) = linearize(f, x)
        expectClose(output, f(x).floats, tolerance: 1e-6)
        for seed in UInt64(511)...513 {
            let t = GradientCheck.uniform([2, 3], -1, 1, seed: seed)
            expectClose(pushforward(t), jvp(f, x, t).tangent.floats, tolerance: 1e-6)
        }
    }

    @Test func linearizeRunsFunctionOnce() {
        var calls = 0
        let (_, pushforward) = linearize({ (x: Tensor) in
            calls += 1
            return exp(x) * x
        }, Tensor([0, 1] as [Float]))
        let first = pushforward(Tensor([1, 0] as [Float]))
        let second = pushforward(Tensor([0, 1] as [Float]))
        #expect(calls == 1)
        // d/dx x eˣ = (1 + x) eˣ.
        expectClose(first, [1, 0], tolerance: 1e-6)
        expectClose(second, [0, 2 * Float(M_E)], tolerance: 1e-6)
    }

    @Test func linearizeOnTrees() {
        let primal = [Tensor([1, 2] as [Float]), Tensor(Float(3))]
        let (output, pushforward) = linearize({ (p: [Tensor]) in p[0] * p[1] }, primal)
        #expect(output.floats == [3, 6])
        let tangent = pushforward([Tensor([1, 0] as [Float]), Tensor(Float(1))])
        #expect(tangent.floats == [4, 2])
    }

    // MARK: - Jacobians and Hessians

    static let jacobianCases: [GradientCase] = [
        GradientCase("matrix times vector", [GradientCheck.uniform([3], -1, 1, seed: 520)], {
            matmul(GradientCheck.uniform([4, 3], -1, 1, seed: 521), $0[0])
        }),
        GradientCase("softmax", [GradientCheck.uniform([5], -2, 2, seed: 522)], { softmax($0[0]) }),
        GradientCase("matrix to scalar", [GradientCheck.uniform([2, 3], -2, 2, seed: 523)], { logsumexp($0[0] * $0[0]) }),
        GradientCase("matrix to matrix", [GradientCheck.uniform([2, 3], -2, 2, seed: 524)], {
            tanh(matmul($0[0].T, $0[0]))
        }),
        GradientCase("take and at set", [GradientCheck.uniform([4], -2, 2, seed: 525)], {
            $0[0].take(Tensor([3, 3, 0] as [Int32])).at[1].set(sin($0[0][2]))
        }),
    ]

    @Test("jacfwd equals jacrev", arguments: jacobianCases)
    func jacfwdEqualsJacrev(_ jacobianCase: GradientCase) {
        let f = { (x: Tensor) in jacobianCase.function([x]) }
        let x = jacobianCase.inputs[0]
        let forward = jacfwd(f)(x)
        let reverse = jacrev(f)(x)
        #expect(forward.shape == f(x).shape + x.shape)
        #expect(reverse.shape == forward.shape)
        expectClose(forward, reverse.floats, tolerance: 1e-5)
    }

    @Test func jacobianOfLinearMapIsItsMatrix() {
        let a = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let x = Tensor([1, 1, 1] as [Float])
        #expect(jacfwd({ matmul(a, $0) })(x).floats == a.floats)
        #expect(jacrev({ matmul(a, $0) })(x).floats == a.floats)
    }

    @Test func jacobianLayoutIsOutputThenInput() {
        // y[i, j] = x[j] * (i + 1) has ∂y[i, j] / ∂x[k] = (i + 1) when j == k.
        let f = { (x: Tensor) in x.broadcast(to: [2, 3]) * Tensor([1, 2] as [Float], shape: [2, 1]) }
        let x = Tensor([4, 5, 6] as [Float])
        var expected = [Float]()
        for i in 0..<2 {
            for j in 0..<3 {
                for k in 0..<3 { expected.append(j == k ? Float(i + 1) : 0) }
            }
        }
        let forward = jacfwd(f)(x)
        let reverse = jacrev(f)(x)
        #expect(forward.shape == [2, 3, 3])
        #expect(forward.floats == expected)
        #expect(reverse.shape == [2, 3, 3])
        #expect(reverse.floats == expected)
    }

    @Test func jacobianOfEmptyInput() {
        let forward = jacfwd({ $0.sum() + Tensor([1, 2] as [Float]) })(Tensor.zeros([0]))
        let reverse = jacrev({ $0.sum() + Tensor([1, 2] as [Float]) })(Tensor.zeros([0]))
        #expect(forward.shape == [2, 0])
        #expect(reverse.shape == [2, 0])
    }

    @Test func hessianOfQuadraticForm() {
        // The Hessian of xᵀ A x is A + Aᵀ at every x.
        let a = GradientCheck.uniform([4, 4], -1, 1, seed: 530)
        let x = GradientCheck.uniform([4], -1, 1, seed: 531)
        let h = hessian({ dot($0, matmul(a, $0)) })(x)
        #expect(h.shape == [4, 4])
        expectClose(h, (a + a.T).floats, tolerance: 1e-6)
    }

    @Test func hessianOfSumTanhIsDiagonal() {
        // ∂²/∂x² tanh(x) = -2 tanh(x) (1 - tanh(x)²), and the cross terms are zero.
        let x = Tensor([-1.5, -0.2, 0.4, 1] as [Float])
        let h = hessian({ tanh($0).sum() })(x)
        #expect(h.shape == [4, 4])
        var expected = [Float](repeating: 0, count: 16)
        for (i, value) in x.floats.enumerated() {
            let t = Foundation.tanh(Double(value))
            expected[i * 4 + i] = Float(-2 * t * (1 - t * t))
        }
        expectClose(h, expected, tolerance: 1e-6)
    }

    @Test func hessianOfMatrixInput() {
        // f(X) = sum(X²) has Hessian 2 I over the flattened elements, shaped (2, 2, 2, 2).
        let h = hessian({ ($0 * $0).sum() })(Tensor([1, 2, 3, 4] as [Float], shape: [2, 2]))
        #expect(h.shape == [2, 2, 2, 2])
        #expect(h.floats == (Tensor.eye(4) * 2).floats)
    }

    @Test func hessianMatchesJacrevOfJacrev() {
        let x = GradientCheck.uniform([3], -1, 1, seed: 532)
        let f = { (x: Tensor) in (exp(x) * x.reversedForTest()).sum() * x[0] }
        expectClose(hessian(f)(x), jacrev(jacrev(f))(x).floats, tolerance: 1e-5)
    }
}

extension Tensor {
    /// Reverses the elements of a vector, so that test functions couple elements.
    fileprivate func reversedForTest() -> Tensor {
        take(Tensor((0..<Int32(size)).reversed().map { $0 }), axis: 0)
    }
}

/// Invalid tangents and inputs stop the process with a message naming the operation,
/// the tangent and both shapes or dtypes.
@Suite struct ForwardModeErrorTests {
    private func expectMessage(
        _ result: ExitTest.Result?, contains parts: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        for part in parts {
            #expect(message.contains(part), "standard error lacks \"\(part)\": \(message.prefix(300))", sourceLocation: sourceLocation)
        }
    }

    @Test func jvpTangentCountMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = jvpFlat({ $0 }, primals: [Tensor.zeros([2]), Tensor.zeros([3])], tangents: [Tensor.zeros([2])])
        }
        expectMessage(result, contains: ["jvp", "1 tangents for 2 primals"])
    }

    @Test func jvpTangentShapeMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = jvpFlat({ $0 }, primals: [Tensor.zeros([2]), Tensor.zeros([2, 3])], tangents: [Tensor.zeros([2]), Tensor.zeros([3, 2])])
        }
        expectMessage(result, contains: ["jvp", "tangent 1", "(3, 2)", "(2, 3)"])
    }

    @Test func jvpTangentDTypeMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = jvpFlat({ $0 }, primals: [Tensor.zeros([2])], tangents: [Tensor.zeros([2], dtype: .int32)])
        }
        expectMessage(result, contains: ["jvp", "tangent 0", "int32", "float32"])
    }

    @Test func jvpTreeStructureMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let primals = ["w": Tensor.zeros([2]), "b": Tensor.zeros([1])]
            let tangents = ["w": Tensor.zeros([2]), "bias": Tensor.zeros([1])]
            _ = jvp({ (p: [String: Tensor]) in p["w"]! }, primals, tangents)
        }
        expectMessage(result, contains: ["jvp", "structure", "b", "bias"])
    }

    @Test func jvpTreeLeafShapeMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let primals = ["layer": ["kernel": Tensor.zeros([3, 4])]]
            let tangents = ["layer": ["kernel": Tensor.zeros([4, 3])]]
            _ = jvp({ (p: [String: [String: Tensor]]) in p["layer"]!["kernel"]! }, primals, tangents)
        }
        expectMessage(result, contains: ["jvp", "'layer/kernel'", "(4, 3)", "(3, 4)"])
    }

    @Test func linearizeTangentShapeMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let (_, pushforward) = linearize({ (x: Tensor) in x * x }, Tensor.zeros([3]))
            _ = pushforward(Tensor.zeros([4]))
        }
        expectMessage(result, contains: ["linearize", "(4,)", "(3,)"])
    }

    @Test func jacfwdIntegerInput() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = jacfwd({ $0.astype(.float32) })(Tensor([1, 2] as [Int32]))
        }
        expectMessage(result, contains: ["jacfwd", "input", "int32"])
    }

    @Test func jacrevIntegerOutput() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = jacrev({ $0.argmax() })(Tensor([1, 2] as [Float]))
        }
        expectMessage(result, contains: ["jacrev", "output", "int32"])
    }
}
