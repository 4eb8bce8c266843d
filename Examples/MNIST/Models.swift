import NN

/// The reference MLP written in the compact style: submodules are created inline in
/// the body and named explicitly.
struct CompactMLP: Module {
    func call(_ images: Tensor) -> Tensor {
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
struct SetupMLP: Module {
    let hidden1 = Dense(128, name: "Dense1")
    let hidden2 = Dense(128, name: "Dense2")
    let output = Dense(10, name: "Output")

    func call(_ images: Tensor) -> Tensor {
        let x = images.reshaped([images.shape[0], -1]) / 255.0
        return output(relu(hidden2(relu(hidden1(x)))))
    }
}
