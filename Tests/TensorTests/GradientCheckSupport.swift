import Testing
@testable import Tensor

/// A finite-difference check of reverse-mode gradients.
///
/// The function's output is reduced to the scalar `L = sum(w * f(x))` with fixed
/// weights `w` in [0.5, 1.5], so every output element counts with its own weight. The
/// analytic gradient is the pullback of `w`. The numeric gradient perturbs one float32
/// input element at a time by `±h`, with `h = relativeStep * max(1, |x|)`, and takes the
/// central difference `(L(x + h) - L(x - h)) / (x⁺ - x⁻)` in Float64. `x⁺` and `x⁻` are
/// the perturbed values after rounding to float32, so the rounding of the step itself
/// does not bias the quotient.
///
/// An element passes when `|analytic - numeric| <= absoluteTolerance + relativeTolerance
/// * |numeric|`. The tolerances allow for float32 rounding in the function (about 1e-7
/// relative, divided by the step) and for the O(h²) truncation error.
enum GradientCheck {
    static let relativeStep = 1e-3
    static let absoluteTolerance = 3e-3
    static let relativeTolerance = 3e-3

    /// Float32 values uniform in `[low, high)` from a 64-bit linear congruential
    /// generator, so the inputs are the same on every run without the Random module.
    static func uniform(_ shape: [Int], _ low: Float, _ high: Float, seed: UInt64) -> Tensor {
        var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        var values = [Float]()
        for _ in 0..<shape.reduce(1, *) {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let unit = Float(state >> 40) / Float(1 << 24)
            values.append(low + (high - low) * unit)
        }
        return Tensor(values, shape: shape)
    }

    /// Values with magnitudes in [0.2, 2] and alternating signs, for functions with a
    /// kink or a pole at zero (abs, relu, prod).
    static func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
        let magnitudes = uniform(shape, 0.2, 2, seed: seed).floats
        let values = magnitudes.enumerated().map { $0.offset % 2 == 0 ? $0.element : -$0.element }
        return Tensor(values, shape: shape)
    }

    /// Returns the weights `w` for an output of `shape`, or 1 for a scalar output.
    static func weights(_ shape: [Int]) -> Tensor {
        if shape.isEmpty { return Tensor(Float(1)) }
        return uniform(shape, 0.5, 1.5, seed: 977)
    }

    /// `sum(w * output)` in Float64.
    static func weightedSum(_ output: Tensor, _ weights: [Float]) -> Double {
        zip(output.floats, weights).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Computes the gradients of `sum(w * function(inputs))` with the pullback, one per input.
    static func analyticGradients(_ function: ([Tensor]) -> Tensor, _ inputs: [Tensor]) -> [Tensor] {
        let (outputs, pullback) = vjpFlat({ [function($0)] }, inputs)
        return pullback([weights(outputs[0].shape)])
    }

    /// Estimates the gradients of `sum(w * function(inputs))` by central differences,
    /// one array of Float64 partial derivatives per input.
    static func numericGradients(_ function: ([Tensor]) -> Tensor, _ inputs: [Tensor]) -> [[Double]] {
        let weightValues = weights(function(inputs).shape).floats
        return inputs.indices.map { inputIndex in
            let original = inputs[inputIndex].floats
            let shape = inputs[inputIndex].shape
            return original.indices.map { element in
                let x = Double(original[element])
                let step = relativeStep * max(1, Swift.abs(x))
                var plus = original
                var minus = original
                plus[element] = Float(x + step)
                minus[element] = Float(x - step)
                var plusInputs = inputs
                var minusInputs = inputs
                plusInputs[inputIndex] = Tensor(plus, shape: shape)
                minusInputs[inputIndex] = Tensor(minus, shape: shape)
                let difference = weightedSum(function(plusInputs), weightValues)
                    - weightedSum(function(minusInputs), weightValues)
                return difference / (Double(plus[element]) - Double(minus[element]))
            }
        }
    }

    /// Compares the analytic and numeric gradients and describes each element outside
    /// the tolerances as `input i, element j: analytic a, numeric n`, and each gradient
    /// whose shape differs from its input's.
    static func mismatches(_ function: ([Tensor]) -> Tensor, _ inputs: [Tensor]) -> [String] {
        let analytic = analyticGradients(function, inputs)
        let numeric = numericGradients(function, inputs)
        var problems = [String]()
        for (index, input) in inputs.enumerated() {
            guard analytic[index].shape == input.shape else {
                problems.append("input \(index): gradient shape \(formatShape(analytic[index].shape)) differs from input shape \(formatShape(input.shape))")
                continue
            }
            for (element, (computed, expected)) in zip(analytic[index].floats, numeric[index]).enumerated() {
                let error = Swift.abs(Double(computed) - expected)
                if !(error <= absoluteTolerance + relativeTolerance * Swift.abs(expected)) {
                    problems.append("input \(index), element \(element): analytic \(computed), numeric \(expected)")
                }
            }
        }
        return problems
    }

    /// Builds the scalar function `sum(v * grad_x sum(w * function(x)))` with fixed
    /// directions `v`, whose gradient checks the derivatives of `function`'s vjp rules.
    static func gradientProjection(_ function: @escaping ([Tensor]) -> Tensor) -> ([Tensor]) -> Tensor {
        { inputs in
            let gradients = analyticGradients(function, inputs)
            var total = Tensor(Float(0))
            for (index, gradient) in gradients.enumerated() {
                let direction = uniform(gradient.shape, -1, 1, seed: 31 + UInt64(index))
                total = total + (gradient * direction).sum()
            }
            return total
        }
    }
}

/// One row of the gradient table: a function of float32 inputs built from public ops.
struct GradientCase: Sendable, CustomTestStringConvertible {
    let name: String
    let inputs: [Tensor]
    let function: @Sendable ([Tensor]) -> Tensor

    init(_ name: String, _ inputs: [Tensor], _ function: @escaping @Sendable ([Tensor]) -> Tensor) {
        self.name = name
        self.inputs = inputs
        self.function = function
    }

    var testDescription: String { name }
}
