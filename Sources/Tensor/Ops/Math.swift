// Elementwise math. Integer and bool inputs are converted to float32 first, as the
// `jax.numpy` functions do, except where the function is defined on integers.

public func exp(_ x: Tensor) -> Tensor { unary(.exp, floating(x)) }
public func log(_ x: Tensor) -> Tensor { unary(.log, floating(x)) }

/// `log(1 + x)`, accurate for small `x`.
public func log1p(_ x: Tensor) -> Tensor { unary(.log1p, floating(x)) }

/// `exp(x) - 1`, accurate for small `x`.
public func expm1(_ x: Tensor) -> Tensor { unary(.expm1, floating(x)) }
public func sqrt(_ x: Tensor) -> Tensor { unary(.sqrt, floating(x)) }

/// `1 / sqrt(x)`.
public func rsqrt(_ x: Tensor) -> Tensor { unary(.rsqrt, floating(x)) }

/// The absolute value. The gradient at 0 is 1, as JAX defines it.
public func abs(_ x: Tensor) -> Tensor { unary(.abs, x) }

/// -1, 0 or 1 by the sign of each element (NaN stays NaN).
public func sign(_ x: Tensor) -> Tensor { unary(.sign, x) }
public func sin(_ x: Tensor) -> Tensor { unary(.sin, floating(x)) }
public func cos(_ x: Tensor) -> Tensor { unary(.cos, floating(x)) }
public func tanh(_ x: Tensor) -> Tensor { unary(.tanh, floating(x)) }
public func floor(_ x: Tensor) -> Tensor { x.dtype.isFloatingPoint ? unary(.floor, x) : x }
public func ceil(_ x: Tensor) -> Tensor { x.dtype.isFloatingPoint ? unary(.ceil, x) : x }

/// Rounds half to even, as `jnp.round` does.
public func round(_ x: Tensor) -> Tensor { x.dtype.isFloatingPoint ? unary(.round, x) : x }

/// The error function.
public func erf(_ x: Tensor) -> Tensor { unary(.erf, floating(x)) }

/// The logistic sigmoid `1 / (1 + exp(-x))`.
public func sigmoid(_ x: Tensor) -> Tensor { unary(.logistic, floating(x)) }

/// `max(x, 0)`. The gradient at 0 is 0, as in JAX.
public func relu(_ x: Tensor) -> Tensor { unary(.relu, x) }

/// The Gaussian error linear unit. With `approximate` (the default, as in
/// `jax.nn.gelu`) it uses the tanh form
/// `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`; otherwise `0.5 x (1 + erf(x/sqrt(2)))`.
public func gelu(_ x: Tensor, approximate: Bool = true) -> Tensor {
    let x = floating(x)
    if approximate {
        let inner = (x + x * x * x * 0.044715) * (2.0 / Double.pi).squareRoot()
        return x * 0.5 * (tanh(inner) + 1)
    }
    return x * 0.5 * (erf(x * (0.5).squareRoot()) + 1)
}

/// Selects `x` where `condition` is true and `y` elsewhere, with broadcasting
/// (`jnp.where`). Call it as `` `where`(c, x, y) `` or through its alias `select`.
public func `where`(_ condition: Tensor, _ x: Tensor, _ y: Tensor) -> Tensor {
    select(condition, x, y)
}

/// Selects `x` where `condition` is true and `y` elsewhere, with broadcasting.
public func select(_ condition: Tensor, _ x: Tensor, _ y: Tensor) -> Tensor {
    let (a, b) = promote(x, y)
    return bind1(Select(), [truth(condition), a, b])
}

/// Selects `x` where `condition` is true and the number `y` elsewhere.
public func select<S: ScalarOperand>(_ condition: Tensor, _ x: Tensor, _ y: S) -> Tensor {
    let (a, b) = promote(x, y)
    return bind1(Select(), [truth(condition), a, b])
}
