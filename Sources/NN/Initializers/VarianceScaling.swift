extension Initializer {
    /// The fan that `varianceScaling` divides the scale by.
    public enum FanMode: Sendable, Hashable {
        /// The number of inputs per output unit (JAX's `"fan_in"`).
        case fanIn
        /// The number of outputs per input unit (JAX's `"fan_out"`).
        case fanOut
        /// The mean of the two (JAX's `"fan_avg"`).
        case fanAverage
    }

    /// The distribution `varianceScaling` draws from.
    public enum Distribution: Sendable, Hashable {
        /// A standard normal cut to (-2, 2), rescaled so that the cut
        /// distribution has the requested variance.
        case truncatedNormal
        /// A normal distribution.
        case normal
        /// A uniform distribution symmetric around 0.
        case uniform
    }

    /// Values with variance `scale / n`, where `n` is the fan-in, the fan-out
    /// or their mean (`jax.nn.initializers.variance_scaling`).
    ///
    /// The fans come from the shape. The input size is the product of the
    /// extents at `inAxes`, and the output size that at `outAxes`. Every axis
    /// in none of `inAxes`, `outAxes` and `batchAxes` belongs to the receptive
    /// field, which multiplies both fans, so a (2, 3, 4) kernel has fan-in
    /// 2 * 3 = 6 and fan-out 2 * 4 = 8. The arithmetic follows JAX: fans and
    /// variance in double precision, then float32 for the variance, its
    /// square root and the product with the samples.
    ///
    /// - `.truncatedNormal`: `truncatedNormal(-2, 2) * sqrt(variance) / 0.87962566103423978`,
    ///   the standard deviation of a standard normal cut at ±2;
    /// - `.normal`: `normal * sqrt(variance)`;
    /// - `.uniform`: `uniform(-1, 1) * sqrt(3 * variance)`.
    ///
    /// Axes may be negative, counting from the end. The initializer stops for
    /// shapes with fewer than 2 axes, which have no fans, and for dtypes other
    /// than float32.
    public static func varianceScaling(
        scale: Double,
        mode: FanMode,
        distribution: Distribution,
        inAxes: [Int] = [-2],
        outAxes: [Int] = [-1],
        batchAxes: [Int] = []
    ) -> Initializer {
        Initializer { key, shape, dtype in
            requireFloat32(dtype, "varianceScaling")
            let (fanIn, fanOut) = computeFans(shape, inAxes: inAxes, outAxes: outAxes, batchAxes: batchAxes)

            let denominator: Double
            switch mode {
            case .fanIn: denominator = fanIn
            case .fanOut: denominator = fanOut
            case .fanAverage: denominator = (fanIn + fanOut) / 2
            }
            let variance = Float(scale / denominator)

            switch distribution {
            case .truncatedNormal:
                let stddev = variance.squareRoot() / Float(0.87962566103423978)
                return sampleTruncatedNormal(key, shape, lower: -2, upper: 2) * Tensor(stddev)
            case .normal:
                return sampleNormal(key, shape) * Tensor(variance.squareRoot())
            case .uniform:
                return sampleUniform(key, shape, minval: -1, maxval: 1) * Tensor((3 * variance).squareRoot())
            }
        }
    }

    /// LeCun normal: variance 1 / fan-in, truncated normal.
    public static let lecunNormal = varianceScaling(scale: 1, mode: .fanIn, distribution: .truncatedNormal)

    /// LeCun uniform: variance 1 / fan-in, uniform.
    public static let lecunUniform = varianceScaling(scale: 1, mode: .fanIn, distribution: .uniform)

    /// He (Kaiming) normal: variance 2 / fan-in, truncated normal.
    public static let heNormal = varianceScaling(scale: 2, mode: .fanIn, distribution: .truncatedNormal)

    /// He (Kaiming) uniform: variance 2 / fan-in, uniform.
    public static let heUniform = varianceScaling(scale: 2, mode: .fanIn, distribution: .uniform)

    /// Glorot (Xavier) normal: variance 2 / (fan-in + fan-out), truncated normal.
    public static let glorotNormal = varianceScaling(scale: 1, mode: .fanAverage, distribution: .truncatedNormal)

    /// Glorot (Xavier) uniform: variance 2 / (fan-in + fan-out), uniform.
    public static let glorotUniform = varianceScaling(scale: 1, mode: .fanAverage, distribution: .uniform)
}

/// Computes the fan-in and fan-out of a weight shape as JAX's `_compute_fans`
/// does: in double precision, dividing the element count by the
/// input, output and batch sizes to get the receptive field.
func computeFans(_ shape: [Int], inAxes: [Int], outAxes: [Int], batchAxes: [Int]) -> (fanIn: Double, fanOut: Double) {
    precondition(
        shape.count >= 2,
        "Initializer.varianceScaling: cannot compute fan-in and fan-out of the \(shape.count)-dimensional shape "
            + "\(formatShape(shape)); the shape needs at least 2 axes")

    func size(of axes: [Int], _ role: String) -> Double {
        let extents = axes.map { axis -> Int in
            let normalized = axis < 0 ? axis + shape.count : axis
            precondition(
                shape.indices.contains(normalized),
                "Initializer.varianceScaling: \(role) axis \(axis) is out of range for shape \(formatShape(shape))")
            return shape[normalized]
        }
        return Double(extents.reduce(1, *))
    }

    let inSize = size(of: inAxes, "input")
    let outSize = size(of: outAxes, "output")
    let batchSize = size(of: batchAxes, "batch")
    let receptiveField = Double(shape.reduce(1, *)) / inSize / outSize / batchSize
    return (inSize * receptiveField, outSize * receptiveField)
}
