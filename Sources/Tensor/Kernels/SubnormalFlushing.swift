import CKernels

/// Runs `body` with the calling thread's float arithmetic reading subnormal inputs as
/// zero and flushing subnormal results to zero, then restores the thread's previous
/// mode.
///
/// XLA's CPU backend, and so JAX, computes in this mode: in JAX,
/// `jnp.float32(1e-40) * 1.5` is 0 and `jnp.float32(1e-40) > 0` is false. Weft runs
/// in it every evaluated primitive, every compiled plan and the constants folded into
/// it, and the random samplers' arithmetic. Loops, branches and custom VJPs evaluated
/// eagerly are the exception, because they run the caller's closures: only the
/// operations those closures bind run in the mode. The helper thread runs in it always.
/// Values stored in tensors keep their bits until an operation reads them.
/// Without the mode, subnormal gradients and Adam moments slowed an MNIST epoch by
/// about half on an Intel Xeon (family 6, model 207), where arithmetic on subnormals
/// takes a slow microcode path.
@inline(__always)
func withSubnormalsFlushed<Result>(_ body: () -> Result) -> Result {
    let previous = weft_flush_subnormals()
    defer { weft_restore_float_mode(previous) }
    return body()
}
