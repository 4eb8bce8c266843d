/// Stops unless `value` is a float32 tensor, naming `role` ("input", "output").
private func checkFloatTensor(_ value: Tensor, role: String, operation: String) {
    precondition(
        value.dtype.isFloatingPoint,
        "\(operation): the \(role) has dtype \(value.dtype), but Jacobians need float32 inputs and outputs (cast with astype(.float32))")
}

/// Returns a function that computes the Jacobian of `function` column by column in
/// forward mode (`jax.jacfwd`).
///
/// For an input `x` and output `y = function(x)`, the result has shape
/// `y.shape + x.shape`, and the element at `[i..., j...]` is `∂y[i...] / ∂x[j...]`.
/// The function is linearized once at `x`, then the pushforward is applied to all
/// `x.size` basis vectors at once under `vmap`, so the cost is one forward pass and
/// one batched reverse pass over the pullback's tape (see `linearize`). Prefer
/// `jacfwd` when the input has fewer elements than the output, and `jacrev` otherwise.
///
/// Stops when the input or the output is not float32.
public func jacfwd(_ function: @escaping (Tensor) -> Tensor) -> (Tensor) -> Tensor {
    { x in
        checkFloatTensor(x, role: "input", operation: "jacfwd")
        let linearized = linearizeFlat({ [function($0[0])] }, [x], operation: "jacfwd")
        let y = linearized.outputs[0]
        checkFloatTensor(y, role: "output", operation: "jacfwd")
        guard x.size > 0 && y.size > 0 else {
            return Tensor.zeros(y.shape + x.shape, dtype: y.dtype)
        }

        // Row k of the basis is the tangent that perturbs element k of x.
        let basis = Tensor.eye(x.size, dtype: x.dtype).reshaped([x.size] + x.shape)
        let columns = vmapFlat({ linearized.pushforward($0) }, inAxes: [0])([basis])[0]
        return columns.reshaped([x.size, y.size]).transposed().reshaped(y.shape + x.shape)
    }
}

/// Returns a function that computes the Jacobian of `function` row by row in reverse
/// mode (`jax.jacrev`).
///
/// The result has shape `y.shape + x.shape` for `y = function(x)`, with
/// `∂y[i...] / ∂x[j...]` at `[i..., j...]`, as for `jacfwd`. The function runs forward
/// once, then its pullback is applied to all `y.size` basis cotangents at once under
/// `vmap`, so the cost is one forward pass and one batched reverse pass. Prefer
/// `jacrev` when the output has fewer elements than the input.
///
/// Stops when the input or the output is not float32.
public func jacrev(_ function: @escaping (Tensor) -> Tensor) -> (Tensor) -> Tensor {
    { x in
        checkFloatTensor(x, role: "input", operation: "jacrev")
        let (outputs, pullback) = vjpFlat({ [function($0[0])] }, [x], context: "jacrev")
        let y = outputs[0]
        checkFloatTensor(y, role: "output", operation: "jacrev")
        guard x.size > 0 && y.size > 0 else {
            return Tensor.zeros(y.shape + x.shape, dtype: y.dtype)
        }

        // Row k of the basis is the cotangent that selects element k of y.
        let basis = Tensor.eye(y.size, dtype: y.dtype).reshaped([y.size] + y.shape)
        let rows = vmapFlat({ pullback($0) }, inAxes: [0])([basis])[0]
        return rows.reshaped(y.shape + x.shape)
    }
}

/// Returns a function that computes the Hessian of `function` as
/// `jacfwd(jacrev(function))` (`jax.hessian`).
///
/// For a scalar-valued function the result has shape `x.shape + x.shape`, and the
/// element at `[i..., j...]` is `∂²f / ∂x[i...] ∂x[j...]`. For an output of another
/// shape it has shape `y.shape + x.shape + x.shape`. The cost is `x.size`
/// Hessian-vector products, batched under `vmap`, each a small multiple of the cost
/// of one gradient (forward mode over reverse mode, with forward mode itself built
/// from two reverse passes).
///
/// Stops when the input or the output is not float32.
public func hessian(_ function: @escaping (Tensor) -> Tensor) -> (Tensor) -> Tensor {
    jacfwd(jacrev(function))
}
