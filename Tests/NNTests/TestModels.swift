import Testing

@testable import NN

// Models and helpers shared by the NN tests.

/// The Flax MNIST MLP of Tests/References/nn_optim_reference.py, compact
/// style: flatten, divide by 255, Dense1 -> relu -> Dense2 -> relu -> Output.
struct CompactMNISTMLP: Module {
    func call(_ images: Tensor) -> Tensor {
        var x = images.reshaped([images.shape[0], -1]) / 255.0
        x = relu(Dense(128, name: "Dense1")(x))
        x = relu(Dense(128, name: "Dense2")(x))
        return Dense(10, name: "Output")(x)
    }
}

/// The same MLP in setup style. The first two layers are unnamed properties
/// named after their labels, and the last has an explicit name.
struct SetupMNISTMLP: Module {
    let Dense1 = Dense(128)
    let Dense2 = Dense(128)
    let output = Dense(10, name: "Output")

    func call(_ images: Tensor) -> Tensor {
        var x = images.reshaped([images.shape[0], -1]) / 255.0
        x = relu(Dense1(x))
        x = relu(Dense2(x))
        return output(x)
    }
}

/// Builds the same MLP as a `Sequential` with explicit layer names.
func sequentialMNISTMLP() -> Sequential {
    Sequential {
        { images in images.reshaped([images.shape[0], -1]) / 255.0 }
        Dense(128, name: "Dense1")
        relu
        Dense(128, name: "Dense2")
        relu
        Dense(10, name: "Output")
    }
}

/// The root key of the MLP reference: `key, m_key = split(PRNGKey(42))`.
let mnistModelKey = split(PRNGKey(42))[1]

/// The MLP's reference input: zeros of shape (1, 28, 28), uint8.
let mnistInput = Tensor.zeros([1, 28, 28], dtype: .uint8)

/// Returns whether `actual` and `expected` agree within `tolerance`, relative to the
/// larger magnitude (absolute near zero). NaNs agree with NaNs and infinities
/// with equal infinities.
func isClose(_ actual: Float, _ expected: Float, tolerance: Float = 1e-6) -> Bool {
    if actual.isNaN || expected.isNaN {
        return actual.isNaN && expected.isNaN
    }
    if actual.isInfinite || expected.isInfinite {
        return actual == expected
    }
    return abs(actual - expected) <= tolerance * max(1, abs(actual), abs(expected))
}

/// Returns whether two float arrays have the same count and agree elementwise.
func allClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-6) -> Bool {
    actual.count == expected.count && zip(actual, expected).allSatisfy { isClose($0, $1, tolerance: tolerance) }
}

/// Computes the central finite-difference gradient of `function` at `point`,
/// one element at a time with step `step`.
func finiteDifferenceGradient(_ function: (Tensor) -> Tensor, at point: Tensor, step: Float = 1e-2) -> [Float] {
    let values = point.floats
    return values.indices.map { index in
        var plus = values
        var minus = values
        plus[index] += step
        minus[index] -= step
        let high = function(Tensor(plus, shape: point.shape)).floatValue
        let low = function(Tensor(minus, shape: point.shape)).floatValue
        return (high - low) / (2 * step)
    }
}
