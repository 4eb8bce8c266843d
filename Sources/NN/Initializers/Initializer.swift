/// A function from a key, a shape and a dtype to a tensor of that shape and
/// dtype, used to create parameters (`jax.nn.initializers`).
///
/// The static members reproduce JAX 0.10.2's initializers value for value for
/// the same key: `normal(stddev:)`, `uniform(scale:)`,
/// `truncatedNormal(stddev:lower:upper:)`, `varianceScaling(...)` and its
/// named cases `lecunNormal`, `heUniform`, `glorotNormal` and the others. The
/// random ones support only float32 and stop for other dtypes.
///
/// ```swift
/// let dense = Dense(64, kernelInit: .heNormal, biasInit: .constant(0.1))
/// let kernel = Initializer.glorotUniform(PRNGKey(0), [3, 4])
/// ```
public struct Initializer: Sendable {
    private let generate: @Sendable (PRNGKey, [Int], DType) -> Tensor

    /// An initializer from a function of the key, the shape and the dtype.
    /// The function must return a tensor of exactly that shape and dtype.
    public init(_ generate: @escaping @Sendable (_ key: PRNGKey, _ shape: [Int], _ dtype: DType) -> Tensor) {
        self.generate = generate
    }

    /// Creates a tensor of `shape` and `dtype` from `key`.
    public func callAsFunction(_ key: PRNGKey, _ shape: [Int], dtype: DType = .float32) -> Tensor {
        generate(key, shape, dtype)
    }

    // MARK: Constants

    /// Zeros of any dtype; the key is ignored.
    public static let zeros = Initializer { _, shape, dtype in Tensor.zeros(shape, dtype: dtype) }

    /// Ones of any dtype; the key is ignored.
    public static let ones = Initializer { _, shape, dtype in Tensor.ones(shape, dtype: dtype) }

    /// `value` converted to the requested dtype in every element; the key is
    /// ignored.
    public static func constant(_ value: Double) -> Initializer {
        Initializer { _, shape, dtype in Tensor.full(shape, value, dtype: dtype) }
    }

    // MARK: Random

    /// Normal values with mean 0 and standard deviation `stddev`:
    /// `normal(key, shape) * stddev`, with `stddev` rounded to float32 first.
    public static func normal(stddev: Double = 1e-2) -> Initializer {
        Initializer { key, shape, dtype in
            requireFloat32(dtype, "normal")
            return sampleNormal(key, shape) * Tensor(Float(stddev))
        }
    }

    /// Uniform values in [0, scale): `uniform(key, shape) * scale`.
    public static func uniform(scale: Double = 1e-2) -> Initializer {
        Initializer { key, shape, dtype in
            requireFloat32(dtype, "uniform")
            return sampleUniform(key, shape) * Tensor(Float(scale))
        }
    }

    /// Standard normal values cut to (lower, upper), then multiplied by
    /// `stddev`. The result's standard deviation is below `stddev`, because no
    /// correction for the cut is applied, as in JAX.
    public static func truncatedNormal(stddev: Double = 1e-2, lower: Double = -2, upper: Double = 2) -> Initializer {
        Initializer { key, shape, dtype in
            requireFloat32(dtype, "truncatedNormal")
            let values = sampleTruncatedNormal(key, shape, lower: Float(lower), upper: Float(upper))
            return values * Tensor(Float(stddev))
        }
    }
}

/// Stops unless `dtype` is float32, the only floating-point dtype of Tensor.
func requireFloat32(_ dtype: DType, _ initializer: String) {
    precondition(
        dtype == .float32,
        "Initializer.\(initializer): cannot create random values of dtype \(dtype); request float32")
}

// The samplers of the Random module under other names: inside `Initializer`,
// the static members `normal`, `uniform` and `truncatedNormal` would shadow
// the global functions.

func sampleNormal(_ key: PRNGKey, _ shape: [Int]) -> Tensor {
    normal(key, shape: shape)
}

func sampleUniform(_ key: PRNGKey, _ shape: [Int], minval: Float = 0, maxval: Float = 1) -> Tensor {
    uniform(key, shape: shape, minval: minval, maxval: maxval)
}

func sampleTruncatedNormal(_ key: PRNGKey, _ shape: [Int], lower: Float, upper: Float) -> Tensor {
    truncatedNormal(key, lower: lower, upper: upper, shape: shape)
}
