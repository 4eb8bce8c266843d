import Testing
@testable import Tensor

/// A linear layer as a user-defined tree.
private struct Linear: Tree {
    var weight: Tensor
    var bias: Tensor

    var treeChildren: [(key: String, value: any Tree)] { [("weight", weight), ("bias", bias)] }

    func withTreeChildren(_ children: [any Tree]) -> Linear {
        Linear(weight: children[0] as! Tensor, bias: children[1] as! Tensor)
    }
}

/// Returns whether every element of `actual` is within `tolerance` (relative above 1) of `expected`.
private func isClose(_ actual: Tensor?, _ expected: [Float], tolerance: Float = 1e-5) -> Bool {
    guard let actual, actual.size == expected.count else { return false }
    return zip(actual.floats, expected).allSatisfy { Swift.abs($0 - $1) <= tolerance * max(1, Swift.abs($1)) }
}

/// Data for a two-input linear regression: `x` is (4, 2), `y` is (4,).
private let regressionInputs = Tensor([1, 2, -1, 0.5, 3, -2, 0, 1] as [Float], shape: [4, 2])
private let regressionTargets = Tensor([1, -2, 0.5, 3] as [Float])

/// Computes the mean squared error of `x @ w + b` against `regressionTargets`.
private func meanSquaredError(_ w: Tensor, _ b: Tensor, _ x: Tensor) -> Tensor {
    let residual = matmul(x, w) + b - regressionTargets
    return (residual * residual).mean()
}

/// Computes the gradients of `meanSquaredError` by hand in Float64, as
/// `dw = 2/N x^T r` and `db = 2/N sum(r)` with `r = x w + b - y`.
private func meanSquaredErrorGradients(_ w: [Float], _ b: Float) -> (dw: [Float], db: Float) {
    let x = regressionInputs.floats.map(Double.init)
    let y = regressionTargets.floats.map(Double.init)
    var dw = [0.0, 0.0]
    var db = 0.0
    for row in 0..<4 {
        let residual = x[2 * row] * Double(w[0]) + x[2 * row + 1] * Double(w[1]) + Double(b) - y[row]
        dw[0] += 2 * residual * x[2 * row] / 4
        dw[1] += 2 * residual * x[2 * row + 1] / 4
        db += 2 * residual / 4
    }
    return (dw.map(Float.init), Float(db))
}

@Suite struct GradAPITests {
    @Test func gradOfScalarFunction() {
        // d/dx sum(x^2 + 3x) = 2x + 3.
        let gradient = grad({ (x: Tensor) in (x * x + 3 * x).sum() })(Tensor([-1, 0, 2] as [Float]))
        #expect(gradient.floats == [1, 3, 7])
    }

    @Test func gradOfScalarInput() {
        let gradient = grad({ (x: Tensor) in sin(x) })(Tensor(Float(0.5)))
        #expect(gradient.shape == [])
        #expect(Swift.abs(gradient.floatValue - Float(0.8775825618903728)) < 1e-6)
    }

    @Test func valueAndGradReturnsBoth() {
        let (value, gradient) = valueAndGrad({ (x: Tensor) in (x * x).sum() })(Tensor([1, 2] as [Float]))
        #expect(value.floatValue == 5)
        #expect(gradient.floats == [2, 4])
    }

    @Test func valueAndGradValueIsConcrete() {
        let (value, _) = valueAndGrad({ (x: Tensor) in exp(x).sum() })(Tensor([0] as [Float]))
        #expect(value.isConcrete)
        #expect(value.floatValue == 1)
    }

    @Test func gradWithExtraArguments() {
        let x = Tensor([1, 2] as [Float])
        let scale = Tensor(Float(3))
        let gradient = grad({ (x: Tensor, scale: Tensor, power: Int) in (pow(x, power) * scale).sum() })(x, scale, 2)
        #expect(gradient.floats == [6, 12])
    }

    @Test func gradArgnumsReturnsOptionals() {
        let w = Tensor([0.5, -1] as [Float])
        let b = Tensor(Float(0.25))
        let (dw, db, dx) = grad(meanSquaredError, argnums: 0, 1)(w, b, regressionInputs)
        let expected = meanSquaredErrorGradients([0.5, -1], 0.25)
        #expect(isClose(dw, expected.dw))
        #expect(isClose(db, [expected.db]))
        #expect(dx == nil)
    }

    @Test func gradArgnumsSecondOnly() {
        let w = Tensor([0.5, -1] as [Float])
        let b = Tensor(Float(0.25))
        let (dw, db, dx) = grad(meanSquaredError, argnums: 1)(w, b, regressionInputs)
        #expect(dw == nil)
        #expect(isClose(db, [meanSquaredErrorGradients([0.5, -1], 0.25).db]))
        #expect(dx == nil)
    }

    @Test func gradArgnumsAllArguments() {
        // d/dx of the mean squared error is 2/N r w^T, a (4, 2) gradient.
        let w = Tensor([0.5, -1] as [Float])
        let b = Tensor(Float(0.25))
        let (_, _, dx) = grad(meanSquaredError, argnums: 0, 1, 2)(w, b, regressionInputs)
        #expect(dx?.shape == [4, 2])
    }

    @Test func valueAndGradArgnums() {
        let w = Tensor([0.5, -1] as [Float])
        let b = Tensor(Float(0.25))
        let (value, gradients) = valueAndGrad(meanSquaredError, argnums: 0, 1)(w, b, regressionInputs)
        #expect(isClose(value, [meanSquaredError(w, b, regressionInputs).floatValue]))
        #expect(isClose(gradients.1, [meanSquaredErrorGradients([0.5, -1], 0.25).db]))
        #expect(gradients.2 == nil)
    }

    @Test func gradArgnumsVariadicFormForFiveArguments() {
        // Five arguments take the variadic form, whose result must be stored before the call.
        let function = grad({ (a: Tensor, b: Tensor, c: Tensor, d: Tensor, e: Tensor) in (a * b * c * d * e).sum() }, argnums: 0, 4)
        let one = Tensor(Float(1))
        let (da, db, _, _, de) = function(Tensor(Float(2)), Tensor(Float(3)), one, one, Tensor(Float(5)))
        #expect(da?.floatValue == 15)
        #expect(db == nil)
        #expect(de?.floatValue == 6)
    }

    @Test func hasAuxReturnsAuxUntouched() {
        let x = Tensor([1, 2, 3] as [Float])
        let (value, aux, gradient) = valueAndGrad({ (x: Tensor) -> (Tensor, Tensor) in
            let squares = x * x
            return (squares.sum(), squares)
        })(x)
        #expect(value.floatValue == 14)
        #expect(aux.isConcrete)
        #expect(aux.floats == [1, 4, 9])
        #expect(gradient.floats == [2, 4, 6])
    }

    @Test func hasAuxTreeIsConcrete() {
        let x = Tensor([1, 2] as [Float])
        let (_, aux, _) = valueAndGrad({ (x: Tensor) -> (Tensor, [String: Tensor]) in
            let loss = (x * x).sum()
            return (loss, ["loss": loss, "prediction": x * 2])
        })(x)
        #expect(aux["loss"]!.isConcrete)
        #expect(aux["prediction"]!.isConcrete)
        #expect(aux["prediction"]!.floats == [2, 4])
    }

    @Test func hasAuxNonTreeValue() {
        let (gradient, aux) = grad({ (x: Tensor) -> (Tensor, String) in ((x * 2).sum(), "note") })(Tensor([1] as [Float]))
        #expect(gradient.floats == [2])
        #expect(aux == "note")
    }

    @Test func hasAuxTupleValueInLaterGrad() {
        // A tuple is not a Tree, so its tensors come back as recorded values. Used in a
        // later grad they must act as constants with their values.
        let w = Tensor([1, 2] as [Float])
        let (_, aux, _) = valueAndGrad({ (w: Tensor) -> (Tensor, (Tensor, Int)) in ((w * w).sum(), (w * 3, 1)) })(w)
        let scaled = aux.0
        #expect(scaled.floats == [3, 6])
        let gradient = grad({ (w: Tensor) in (scaled * w).sum() })(w)
        #expect(gradient.floats == [3, 6])
        let reversed = grad({ (w: Tensor) in (w * scaled).sum() })(w)
        #expect(reversed.floats == [3, 6])
    }

    @Test func hasAuxWithExtraArguments() {
        let (value, aux, gradient) = valueAndGrad({ (w: Tensor, x: Tensor, y: Tensor) -> (Tensor, Tensor) in
            let prediction = w * x
            return (((prediction - y) * (prediction - y)).sum(), prediction)
        })(Tensor([2] as [Float]), Tensor([3] as [Float]), Tensor([1] as [Float]))
        #expect(value.floatValue == 25)
        #expect(aux.floats == [6])
        #expect(gradient.floats == [30])
    }

    @Test func vjpOnTrees() {
        let input: [String: Tensor] = ["a": Tensor([1, 2] as [Float]), "b": Tensor(Float(3))]
        let (output, pullback) = vjp({ (tree: [String: Tensor]) -> [String: Tensor] in
            ["product": tree["a"]! * tree["b"]!, "total": tree["a"]!.sum()]
        }, input)
        #expect(output["product"]!.floats == [3, 6])
        #expect(output["total"]!.floatValue == 3)

        let cotangent: [String: Tensor] = ["product": Tensor([1, 10] as [Float]), "total": Tensor(Float(100))]
        let inputCotangent = pullback(cotangent)
        #expect(inputCotangent["a"]!.floats == [103, 130])
        #expect(inputCotangent["b"]!.floatValue == 21)
    }

    @Test func vjpPullbackRunsTwice() {
        let (_, pullback) = vjp({ (x: Tensor) in x * x }, Tensor([1, 2] as [Float]))
        #expect(pullback(Tensor([1, 1] as [Float])).floats == [2, 4])
        #expect(pullback(Tensor([0, 2] as [Float])).floats == [0, 8])
    }

    @Test func vjpOfUnusedInputIsZero() {
        let (_, pullback) = vjp({ (tree: [String: Tensor]) -> Tensor in tree["used"]! * 2 }, ["used": Tensor(Float(1)), "unused": Tensor([1, 2] as [Float])])
        let cotangent = pullback(Tensor(Float(1)))
        #expect(cotangent["used"]!.floatValue == 2)
        #expect(cotangent["unused"]!.floats == [0, 0])
    }

    @Test func stopGradientCutsTheTape() {
        // d/dx (x * stop(x)) = stop(x), not 2x.
        let gradient = grad({ (x: Tensor) in (x * stopGradient(x)).sum() })(Tensor([3, -1] as [Float]))
        #expect(gradient.floats == [3, -1])
    }

    @Test func stopGradientKeepsTheValue() {
        let x = Tensor([3, -1] as [Float])
        #expect(stopGradient(x).floats == [3, -1])
    }

    @Test func customVJPRuleIsUsed() {
        // The identity whose gradient is clipped to [-1, 1].
        let clippedIdentity = customVJP(
            forward: { (x: Tensor) in (output: x, residuals: [Tensor]()) },
            backward: { _, cotangent in clip(cotangent, min: -1, max: 1) })
        let x = Tensor([1, 2, 3] as [Float])
        #expect(clippedIdentity(x).floats == [1, 2, 3])
        let gradient = grad({ (x: Tensor) in (clippedIdentity(x) * Tensor([10, 0.5, -4] as [Float])).sum() })(x)
        #expect(gradient.floats == [1, 0.5, -1])
    }

    @Test func customVJPReplacesTheForwardDerivative() {
        // The forward computes x^2 but the rule claims the derivative is the residual 7.
        let squared = customVJP(
            forward: { (x: Tensor) in (output: x * x, residuals: [Tensor(Float(7))]) },
            backward: { residuals, cotangent in cotangent * residuals[0] })
        let (value, gradient) = valueAndGrad({ (x: Tensor) in squared(x).sum() })(Tensor([3] as [Float]))
        #expect(value.floatValue == 9)
        #expect(gradient.floats == [7])
    }

    @Test func customVJPListForm() {
        // Outputs (a * b, a + b); the rule returns twice the true cotangents.
        let function = customVJP(
            forward: { inputs in
                let (a, b) = (inputs[0], inputs[1])
                return (outputs: [a * b, a + b], residuals: [a, b])
            },
            backward: { residuals, cotangents in
                let (a, b) = (residuals[0], residuals[1])
                let (dProduct, dSum) = (cotangents[0], cotangents[1])
                return [2 * (dProduct * b + dSum), 2 * (dProduct * a + dSum)]
            })
        let outputs = function([Tensor(Float(2)), Tensor(Float(5))])
        #expect(outputs.count == 2)
        #expect(outputs[0].floatValue == 10)
        #expect(outputs[1].floatValue == 7)

        let (da, db) = grad({ (a: Tensor, b: Tensor) in
            let results = function([a, b])
            return results[0] + 3 * results[1]
        }, argnums: 0, 1)(Tensor(Float(2)), Tensor(Float(5)))
        #expect(da?.floatValue == 16)
        #expect(db?.floatValue == 10)
    }

    @Test func customVJPWithoutGradRunsForward() {
        var calls = 0
        let doubled = customVJP(
            forward: { (x: Tensor) in
                calls += 1
                return (output: x * 2, residuals: [Tensor]())
            },
            backward: { _, cotangent in cotangent })
        #expect(doubled(Tensor([1, 2] as [Float])).floats == [2, 4])
        #expect(calls == 1)
    }

    @Test func gradOfNestedDictionary() {
        let params: [String: [String: Tensor]] = [
            "Dense1": ["kernel": Tensor([1, -1, 2, 0.5] as [Float], shape: [2, 2]), "bias": Tensor([0.1, -0.2] as [Float])],
            "Dense2": ["kernel": Tensor([0.5, -2] as [Float], shape: [2, 1]), "bias": Tensor([0.3] as [Float])],
        ]
        let loss = { (params: [String: [String: Tensor]], x: Tensor, y: Tensor) -> Tensor in
            let hidden = tanh(matmul(x, params["Dense1"]!["kernel"]!) + params["Dense1"]!["bias"]!)
            let output = matmul(hidden, params["Dense2"]!["kernel"]!) + params["Dense2"]!["bias"]!
            return ((output - y) * (output - y)).mean()
        }
        let x = Tensor([1, 2, -1, 0.5, 0, 1] as [Float], shape: [3, 2])
        let y = Tensor([1, 0, -1] as [Float], shape: [3, 1])
        let gradients = grad(loss)(params, x, y)

        #expect(treePaths(gradients) == treePaths(params))
        for (path, (gradient, parameter)) in zip(treePaths(params), zip(treeLeaves(gradients), treeLeaves(params))) {
            #expect(gradient.shape == parameter.shape, "gradient at \(path)")
        }

        // Compare each leaf with the finite-difference check on the flattened tree.
        let (leaves, definition) = treeFlatten(params)
        let problems = GradientCheck.mismatches({ loss(treeUnflatten(definition, $0), x, y) }, leaves)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        let analytic = GradientCheck.analyticGradients({ loss(treeUnflatten(definition, $0), x, y) }, leaves)
        for (expected, actual) in zip(analytic, treeLeaves(gradients)) {
            #expect(expected.floats == actual.floats)
        }
    }

    @Test func gradOfTensorTree() {
        let params: TensorTree = [
            "Dense1": TensorTree(["kernel": Tensor([1, 2] as [Float], shape: [2, 1]), "bias": Tensor([0.5] as [Float])]),
        ]
        let x = Tensor([1, 3] as [Float], shape: [1, 2])
        let gradients = grad({ (params: TensorTree, x: Tensor) in
            (matmul(x, params["Dense1"]["kernel"].tensor) + params["Dense1"]["bias"].tensor).sum()
        })(params, x)
        #expect(gradients.keys == ["Dense1"])
        #expect(gradients[path: "Dense1/kernel"].tensor.floats == [1, 3])
        #expect(gradients[path: "Dense1/kernel"].tensor.shape == [2, 1])
        #expect(gradients["Dense1"]["bias"].tensor.floats == [1])
    }

    @Test func gradOfUserTree() {
        let layer = Linear(weight: Tensor([2, -1] as [Float]), bias: Tensor(Float(0.5)))
        let gradient = grad({ (layer: Linear, x: Tensor) in ((layer.weight * x).sum() + layer.bias) * 2 })(layer, Tensor([3, 4] as [Float]))
        #expect(gradient.weight.floats == [6, 8])
        #expect(gradient.bias.floatValue == 2)
    }

    @Test func gradOfConstantFunctionIsZero() {
        let gradient = grad({ (_: Tensor) in Tensor(Float(3)) })(Tensor([1, 2] as [Float]))
        #expect(gradient.floats == [0, 0])
    }

    @Test func gradOfUnusedLeafIsZero() {
        let params: [String: Tensor] = ["used": Tensor([1] as [Float]), "unused": Tensor([1, 2] as [Float])]
        let gradients = grad({ (params: [String: Tensor]) in params["used"]!.sum() })(params)
        #expect(gradients["unused"]!.floats == [0, 0])
    }

    @Test func gradOfArrayOfTensors() {
        let gradients = grad({ (weights: [Tensor]) in (weights[0] * weights[1]).sum() })([Tensor([2] as [Float]), Tensor([5] as [Float])])
        #expect(gradients.count == 2)
        #expect(gradients[0].floats == [5])
        #expect(gradients[1].floats == [2])
    }

    @Test func gradWithIntegerDataArgument() {
        // Integer labels may be passed as a later, undifferentiated argument.
        let logits = Tensor([1, 2, 3, 0, 0, 0] as [Float], shape: [2, 3])
        let labels = Tensor([2, 0] as [Int32])
        let gradient = grad({ (logits: Tensor, labels: Tensor) in
            -(logSoftmax(logits) * oneHot(labels, depth: 3)).sum(axis: 1).mean()
        })(logits, labels)
        let expected = softmax(logits) - oneHot(labels, depth: 3)
        #expect(isClose(gradient, (expected / 2).floats))
    }

    @Test func gradUnderTracedControlFlow() {
        // Reading a value under grad works, as Python control flow does in JAX.
        let gradient = grad({ (x: Tensor) -> Tensor in
            x.sum().floatValue > 0 ? (x * x).sum() : x.sum()
        })(Tensor([1, 2] as [Float]))
        #expect(gradient.floats == [2, 4])
    }
}
