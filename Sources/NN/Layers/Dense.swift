/// A fully connected layer: `y = x • kernel + bias` over the last axis of `x`
/// (Flax's `nn.Dense`).
///
/// The kernel has shape [inputFeatures, features], where inputFeatures is the
/// last extent of the input seen when the layer is initialized, and the bias
/// has shape [features]. Inputs may have any number of leading axes, so
/// [batch, in] gives [batch, features] and [batch, time, in] gives
/// [batch, time, features]. Integer inputs are converted to float32 first.
///
/// Parameters are declared in the order kernel, bias, so with the same key
/// the values equal Flax's: `Dense(3).initialize(key: PRNGKey(0), ones)` has
/// the same kernel as `nn.Dense(3).init(PRNGKey(0), ones)`.
public struct Dense: Module {
    /// The number of output features.
    public let features: Int

    /// Whether the layer adds a bias. Without one, only `kernel` is declared.
    public let useBias: Bool

    /// The initializer of the kernel, LeCun normal by default.
    public let kernelInit: Initializer

    /// The initializer of the bias, zeros by default.
    public let biasInit: Initializer

    public let name: String?

    /// Keeps separately created layers with equal settings apart when they
    /// are stored in properties of a setup-style module.
    let identity = ModuleIdentity()

    /// Creates a layer with `features` outputs. Stops unless `features` is
    /// positive.
    public init(
        _ features: Int,
        useBias: Bool = true,
        kernelInit: Initializer = .lecunNormal,
        biasInit: Initializer = .zeros,
        name: String? = nil
    ) {
        precondition(features > 0, "Dense: features must be positive, got \(features)")
        self.features = features
        self.useBias = useBias
        self.kernelInit = kernelInit
        self.biasInit = biasInit
        self.name = name
    }

    /// Stops when the input is a scalar.
    public func call(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 1, "Dense: the input must have at least one axis, got a scalar")
        let inputFeatures = input.shape[input.rank - 1]
        let kernel = param("kernel", shape: [inputFeatures, features], initializer: kernelInit)
        let bias = useBias ? param("bias", shape: [features], initializer: biasInit) : nil

        let x = input.dtype.isFloatingPoint ? input : input.astype(.float32)
        let leadingCount = input.shape.dropLast().reduce(1, *)
        let rows = x.reshaped([leadingCount, inputFeatures])
        var output = matmul(rows, kernel)
        if let bias {
            output = output + bias
        }
        return output.reshaped(Array(input.shape.dropLast()) + [features])
    }
}
