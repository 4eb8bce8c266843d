import Foundation
import Testing
@testable import Tensor

@Suite struct HigherOrderTests {
    @Test func tanhSecondDerivative() {
        // tanh''(x) = -2 tanh(x) (1 - tanh(x)^2).
        let x = 0.5
        let expected = -2 * Foundation.tanh(x) * (1 - Foundation.tanh(x) * Foundation.tanh(x))
        let secondDerivative = grad(grad({ (x: Tensor) in tanh(x) }))(Tensor(Float(x)))
        #expect(Swift.abs(Double(secondDerivative.floatValue) - expected) < 1e-6)
    }

    @Test func cubeSecondDerivative() {
        let secondDerivative = grad(grad({ (x: Tensor) in x * x * x }))(Tensor(Float(2)))
        #expect(secondDerivative.floatValue == 12)
    }

    @Test func cubeThirdDerivative() {
        let thirdDerivative = grad(grad(grad({ (x: Tensor) in x * x * x })))(Tensor(Float(2)))
        #expect(thirdDerivative.floatValue == 6)
    }

    @Test func fourthDerivativeOfCubeIsZero() {
        let fourthDerivative = grad(grad(grad(grad({ (x: Tensor) in x * x * x }))))(Tensor(Float(2)))
        #expect(fourthDerivative.floatValue == 0)
    }

    @Test func powSecondDerivative() {
        // d²/dx² x^3 via the pow rule, at x = 1.5: 6x = 9.
        let secondDerivative = grad(grad({ (x: Tensor) in pow(x, 3) }))(Tensor(Float(1.5)))
        #expect(Swift.abs(secondDerivative.floatValue - 9) < 1e-5)
    }

    @Test func perturbationConfusionAddition() {
        // d/dx (x * d/dy (x + y)) = d/dx (x * 1) = 1; confusing the perturbations gives 2.
        let derivative = grad({ (x: Tensor) in
            x * grad({ (y: Tensor) in x + y })(Tensor(Float(1)))
        })(Tensor(Float(1)))
        #expect(derivative.floatValue == 1)
    }

    @Test func perturbationConfusionProduct() {
        // d/dx (x * d/dy (x * y)) = d/dx x^2 = 2x, so 2 at x = 1.
        let derivative = grad({ (x: Tensor) in
            x * grad({ (y: Tensor) in x * y })(Tensor(Float(3)))
        })(Tensor(Float(1)))
        #expect(derivative.floatValue == 2)
    }

    @Test func gradOfValueAndGrad() {
        // f(x) = h(x) + h'(x) with h = x^3, so f'(x) = 3x^2 + 6x = 24 at x = 2.
        let derivative = grad({ (x: Tensor) in
            let (value, gradient) = valueAndGrad({ (x: Tensor) in x * x * x })(x)
            return value + gradient
        })(Tensor(Float(2)))
        #expect(derivative.floatValue == 24)
    }

    @Test func gradOfValueAndGradWithAux() {
        // The inner aux output is x^2, a concrete value of the inner trace but still
        // traced by the outer grad: d/dx (h'(x) + aux) = 6x + 2x = 16 at x = 2.
        let derivative = grad({ (x: Tensor) in
            let (_, aux, gradient) = valueAndGrad({ (x: Tensor) -> (Tensor, Tensor) in (x * x * x, x * x) })(x)
            return gradient + aux
        })(Tensor(Float(2)))
        #expect(derivative.floatValue == 16)
    }

    @Test func hessianVectorProduct() {
        // f(x) = sum(x0^2 x1 + x1^3); H = [[2 x1, 2 x0], [2 x0, 6 x1]].
        let x = Tensor([1, 2] as [Float])
        let v = Tensor([1, -1] as [Float])
        let function = { (x: Tensor) in (x[0] * x[0] * x[1] + x[1] * x[1] * x[1]).sum() }
        let product = grad({ (x: Tensor) in (grad(function)(x) * v).sum() })(x)
        #expect(product.floats == [4 - 2, 2 - 12])
    }

    @Test func secondDerivativeThroughSoftmax() {
        // d²/dx² logsumexp([x, 0]) = s (1 - s) with s = sigmoid(x).
        let x: Float = 0.7
        let secondDerivative = grad(grad({ (x: Tensor) in logsumexp(stack([x, Tensor(Float(0))])) }))(Tensor(x))
        let s = 1 / (1 + Foundation.exp(-Double(x)))
        #expect(Swift.abs(Double(secondDerivative.floatValue) - s * (1 - s)) < 1e-6)
    }

    @Test func customVJPRuleIsDifferentiable() {
        // A cube with a hand-written rule 3x^2 g; its derivative gives 6x.
        let cube = customVJP(
            forward: { (x: Tensor) in (output: x * x * x, residuals: [x]) },
            backward: { residuals, cotangent in 3 * residuals[0] * residuals[0] * cotangent })
        let secondDerivative = grad(grad({ (x: Tensor) in cube(x) }))(Tensor(Float(2)))
        #expect(secondDerivative.floatValue == 12)
    }

    @Test func customVJPOuterLevelDifferentiatesForward() {
        // The forward computes x^3 but the rule claims 7x. As in JAX 0.10.2, the inner
        // grad uses the rule (14 at x = 2) and the outer grad differentiates the rule's
        // result 7x through the residual x (7); f(x) + f'(x) gives 14 + 7 = 21.
        let claimed = customVJP(
            forward: { (x: Tensor) in (output: x * x * x, residuals: [x]) },
            backward: { residuals, cotangent in 7 * residuals[0] * cotangent })
        let x = Tensor(Float(2))
        #expect(grad({ (x: Tensor) in claimed(x) })(x).floatValue == 14)
        #expect(grad(grad({ (x: Tensor) in claimed(x) }))(x).floatValue == 7)
        let mixed = grad({ (x: Tensor) in claimed(x) + grad({ (x: Tensor) in claimed(x) })(x) })(x)
        #expect(mixed.floatValue == 21)
    }

    @Test func stopGradientInsideInnerGrad() {
        // The inner gradient is stop(x * y) at y = 1, a constant for the outer grad, so
        // the outer derivative is 0, as in JAX.
        let derivative = grad({ (x: Tensor) in
            grad({ (y: Tensor) in y * stopGradient(x * y) })(Tensor(Float(1)))
        })(Tensor(Float(3)))
        #expect(derivative.floatValue == 0)
    }

    @Test func gradOfGradWithTrees() {
        // The inner gradient of sum(w^3) is 3 w^2; the outer gradient of its sum is 6 w.
        let params: [String: Tensor] = ["w": Tensor([1, -2] as [Float])]
        let gradients = grad({ (params: [String: Tensor]) in
            grad({ (params: [String: Tensor]) in (params["w"]! * params["w"]! * params["w"]!).sum() })(params)["w"]!.sum()
        })(params)
        #expect(gradients["w"]!.floats == [6, -12])
    }
}
