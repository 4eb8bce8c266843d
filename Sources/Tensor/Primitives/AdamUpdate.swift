#if canImport(Glibc)
import Glibc
#endif

/// One fused pass of Adam's moment update and bias-corrected direction.
///
/// Inputs: the gradient `g`, the moments `mu` and `nu` (all of one shape, float32) and
/// the updated step count `t` (a scalar, t >= 1). Outputs, elementwise:
///
///     mu' = b1 mu + (1 - b1) g
///     nu' = b2 nu + (1 - b2) g^2
///     direction = (mu' / (1 - b1^t)) / (sqrt(nu' / (1 - b2^t) + epsRoot) + eps)
///
/// which is Optax's `scale_by_adam` (its eps placement and bias correction). The
/// composite form of the same formula is the backward rule, so the primitive stays
/// differentiable; the kernel reads each input once and writes each output once.
struct AdamUpdate: Primitive {
    let b1: Float
    let b2: Float
    let eps: Float
    let epsRoot: Float

    var name: String { "adam_update" }
    var parameterDescription: String { "b1=\(b1) b2=\(b2) eps=\(eps) eps_root=\(epsRoot)" }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let (g, mu, nu, count) = (inputs[0], inputs[1], inputs[2], inputs[3])
        precondition(
            g.shape == mu.shape && g.shape == nu.shape,
            "adam_update: gradient \(formatShape(g.shape)), mu \(formatShape(mu.shape)) and nu \(formatShape(nu.shape)) must have one shape")
        precondition(
            g.dtype == .float32 && mu.dtype == .float32 && nu.dtype == .float32,
            "adam_update: gradient and moments must be float32, got \(g.dtype), \(mu.dtype), \(nu.dtype)")
        precondition(count.shape.isEmpty, "adam_update: the step count must be a scalar, got shape \(formatShape(count.shape))")
        return [g, g, g]
    }

    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor] {
        let (g, mu, nu) = (inputs[0], inputs[1], inputs[2])
        let step = Double(inputs[3].astype(.float32).scalars(as: Float.self)[0])
        let correction1 = Float(1 - Glibc.pow(Double(b1), step))
        let correction2 = Float(1 - Glibc.pow(Double(b2), step))
        var direction = Tensor(uninitializedShape: g.shape, dtype: .float32)
        var newMu = Tensor(uninitializedShape: g.shape, dtype: .float32)
        var newNu = Tensor(uninitializedShape: g.shape, dtype: .float32)
        let count = g.size
        let (b1, b2, eps, epsRoot) = (self.b1, self.b2, self.eps, self.epsRoot)
        g.withElements(Float.self) { pg in
            mu.withElements(Float.self) { pm in
                nu.withElements(Float.self) { pn in
                    direction.withElements(Float.self) { pd in
                        newMu.withElements(Float.self) { om in
                            newNu.withElements(Float.self) { on in
                                for i in 0..<count {
                                    let gradient = pg[i]
                                    let m = b1 * pm[i] + (1 - b1) * gradient
                                    let v = b2 * pn[i] + (1 - b2) * (gradient * gradient)
                                    om[i] = m
                                    on[i] = v
                                    pd[i] = (m / correction1) / ((v / correction2 + epsRoot).squareRoot() + eps)
                                }
                            }
                        }
                    }
                }
            }
        }
        return [direction, newMu, newNu]
    }

    /// The same update written with tensor operations.
    func composite(_ inputs: [Tensor]) -> [Tensor] {
        let (g, mu, nu) = (inputs[0], inputs[1], inputs[2])
        let step = inputs[3].astype(.float32)
        let newMu = mu * b1 + g * (1 - b1)
        let newNu = nu * b2 + g * g * (1 - b2)
        let correction1 = 1 - pow(Tensor(b1), step)
        let correction2 = 1 - pow(Tensor(b2), step)
        let direction = (newMu / correction1) / (sqrt(newNu / correction2 + epsRoot) + eps)
        return [direction, newMu, newNu]
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        let differentiable = Array(inputs[0..<3])
        let (_, pullback) = vjpFlat({ composite($0 + [inputs[3]]) }, differentiable, context: "adam_update vjp")
        return pullback(cotangents) + [nil]
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        guard axes[3] == nil else {
            return (Batching.loop(self, inputs, axes: axes), [0, 0, 0])
        }
        let size = Batching.batchSize(inputs, axes: axes)
        let moved = (0..<3).map { Batching.materialize(inputs[$0], axis: axes[$0], size: size) }
        return (bind(self, moved + [inputs[3]]), [0, 0, 0])
    }
}

/// Adam's moment update and bias-corrected direction in one pass over memory (see
/// `AdamUpdate`); `count` is the step count after this update (1 for the first step).
///
/// Returns `(direction, mu, nu)`; the caller scales the direction by `-learningRate`.
public func adamUpdate(
    gradient: Tensor, mu: Tensor, nu: Tensor, count: Tensor,
    b1: Float, b2: Float, eps: Float, epsRoot: Float
) -> (direction: Tensor, mu: Tensor, nu: Tensor) {
    let outputs = bind(AdamUpdate(b1: b1, b2: b2, eps: eps, epsRoot: epsRoot), [gradient, mu, nu, count])
    return (outputs[0], outputs[1], outputs[2])
}
