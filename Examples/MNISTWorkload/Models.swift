import NN

/// The reference MLP (784-128-128-10 with relu) written in the compact style:
/// submodules are created inline in the body and named explicitly.
///
/// The model takes uint8 images `[N, 28, 28]` and scales them to `[0, 1]` itself.
public struct CompactMLP: Module {
    /// Creates the model description. The variables come from `initialize(key:_:)`.
    public init() {}

    /// Returns the logits `[N, 10]` for the images `[N, 28, 28]`.
    public func call(_ images: Tensor) -> Tensor {
        var x = images.reshaped([images.shape[0], -1]) / 255.0
        x = Dense(128, name: "Dense1")(x)
        x = relu(x)
        x = Dense(128, name: "Dense2")(x)
        x = relu(x)
        return Dense(10, name: "Output")(x)
    }
}

/// The same MLP in the setup style: submodules are stored properties, used in the
/// body. The explicit names give the same variable tree as `CompactMLP`.
public struct SetupMLP: Module {
    let hidden1 = Dense(128, name: "Dense1")
    let hidden2 = Dense(128, name: "Dense2")
    let output = Dense(10, name: "Output")

    /// Creates the model description. The variables come from `initialize(key:_:)`.
    public init() {}

    /// Returns the logits `[N, 10]` for the images `[N, 28, 28]`.
    public func call(_ images: Tensor) -> Tensor {
        let x = images.reshaped([images.shape[0], -1]) / 255.0
        return output(relu(hidden2(relu(hidden1(x)))))
    }
}
