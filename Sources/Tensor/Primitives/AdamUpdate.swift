/// One fused pass of Adam's moment update and bias-corrected direction.
///
/// Inputs: the gradient `g` and the moments `mu` and `nu` (float32, one shape), and the
/// bias corrections `c1 = 1 - b1^t` and `c2 = 1 - b2^t` as float32 scalars for the step
/// count `t` after this update. Outputs, elementwise:
///
///     mu' = (1 - b1) g + b1 mu
///     nu' = (1 - b2) g^2 + b2 nu
///     direction = (mu' / c1) / (sqrt(nu' / c2 + epsRoot) + eps)
///
/// which is Optax's `scale_by_adam` (its eps placement and bias correction). The
/// constants `1 - b1` and `1 - b2` are computed in double precision and rounded once,
/// and every float32 operation happens in the order Optax writes it, so the results
/// equal the composite formula bit for bit. The kernel reads each input once and
/// writes each output once; the composite form is the backward rule, so the primitive
/// stays differentiable.
struct AdamUpdate: DestinationPassingPrimitive {
    let b1: Double
    let b2: Double
    let eps: Double
    let epsRoot: Double

    var name: String { "adam_update" }
    var parameterDescription: String { "b1=\(b1) b2=\(b2) eps=\(eps) eps_root=\(epsRoot)" }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let (g, mu, nu) = (inputs[0], inputs[1], inputs[2])
        precondition(
            g.shape == mu.shape && g.shape == nu.shape,
            "adam_update: gradient \(formatShape(g.shape)), mu \(formatShape(mu.shape)) and nu \(formatShape(nu.shape)) must have one shape")
        precondition(
            g.dtype == .float32 && mu.dtype == .float32 && nu.dtype == .float32,
            "adam_update: gradient and moments must be float32, got \(g.dtype), \(mu.dtype), \(nu.dtype)")
        for correction in inputs[3...] {
            precondition(
                correction.shape.isEmpty && correction.dtype == .float32,
                "adam_update: bias corrections must be float32 scalars, got \(correction)")
        }
        return [g, g, g]
    }

    var isPointwise: Bool { true }

    func evaluate(_ inputs: [Tensor], into outputs: [Tensor]) {
        func pointer(_ tensor: Tensor) -> UnsafeMutablePointer<Float> { tensor.storage!.pointer(as: Float.self) }
        let leaf = AdamKernel.Leaf(
            gradient: pointer(inputs[0]), mu: pointer(inputs[1]), nu: pointer(inputs[2]), param: nil,
            out: pointer(outputs[0]), newMu: pointer(outputs[1]), newNu: pointer(outputs[2]), count: inputs[0].size)
        withExtendedLifetime((inputs, outputs)) {
            AdamKernel.run([leaf], constants(correction1: inputs[3], correction2: inputs[4]))
        }
    }

    /// Returns the kernel's constants for the bias corrections `c1` and `c2`, float32 scalars.
    func constants(correction1: Tensor, correction2: Tensor) -> AdamConstants {
        AdamConstants(
            keep1: Float(1 - b1), decay1: Float(b1), keep2: Float(1 - b2), decay2: Float(b2),
            correction1: correction1.scalars(as: Float.self)[0], correction2: correction2.scalars(as: Float.self)[0],
            eps: Float(eps), epsRoot: Float(epsRoot), addsRoot: epsRoot != 0)
    }

    /// The same update written with tensor operations.
    func composite(_ inputs: [Tensor]) -> [Tensor] {
        let (g, mu, nu, correction1, correction2) = (inputs[0], inputs[1], inputs[2], inputs[3], inputs[4])
        let newMu = g * (1 - b1) + mu * b1
        let newNu = g * g * (1 - b2) + nu * b2
        let scaled = newNu / correction2
        let root = epsRoot == 0 ? sqrt(scaled) : sqrt(scaled + epsRoot)
        let direction = (newMu / correction1) / (root + eps)
        return [direction, newMu, newNu]
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        let corrections = Array(inputs[3...])
        let (_, pullback) = vjpFlat({ composite($0 + corrections) }, Array(inputs[0..<3]), context: "adam_update vjp")
        return pullback(cotangents) + [nil, nil]
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        guard axes[3] == nil && axes[4] == nil else {
            return (Batching.loop(self, inputs, axes: axes), [0, 0, 0])
        }
        let size = Batching.batchSize(inputs, axes: axes)
        let moved = (0..<3).map { Batching.materialize(inputs[$0], axis: axes[$0], size: size) }
        return (bind(self, moved + Array(inputs[3...])), [0, 0, 0])
    }
}

/// Adam's moment update and bias-corrected direction in one pass over memory (see
/// `AdamUpdate`). `correction1` and `correction2` are the float32 scalars `1 - b1^t`
/// and `1 - b2^t` for the step count `t` after this update.
///
/// Returns `(direction, mu, nu)`; the caller scales the direction by `-learningRate`.
/// Stops when the shapes of the gradient and moments differ or they are not float32.
public func adamUpdate(
    gradient: Tensor, mu: Tensor, nu: Tensor, correction1: Tensor, correction2: Tensor,
    b1: Double, b2: Double, eps: Double, epsRoot: Double
) -> (direction: Tensor, mu: Tensor, nu: Tensor) {
    let primitive = AdamUpdate(b1: b1, b2: b2, eps: eps, epsRoot: epsRoot)
    let outputs = bind(primitive, [gradient, mu, nu, correction1, correction2])
    return (outputs[0], outputs[1], outputs[2])
}
