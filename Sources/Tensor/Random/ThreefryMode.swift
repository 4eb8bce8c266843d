import Synchronization

/// Layout of the counters that threefry hashes when JAX splits a key or draws
/// random bits, selected in JAX by the `jax_threefry_partitionable` flag.
///
/// The two modes give different keys from `split` and different bits from
/// `randomBits`, and so different samples from every sampler. `PRNGKey(seed)`
/// and `foldIn` are the same in both modes.
public enum ThreefryMode: Sendable, Hashable {
    /// The layout of `jax_threefry_partitionable=True`, the default in JAX 0.10.2.
    /// Element `i` of the output hashes the 64-bit counter `i`, so every element
    /// can be computed independently.
    case partitionable

    /// The layout of `jax_threefry_partitionable=False`, JAX's earlier default.
    /// It pairs the first half of a counter range with the second half. Use it
    /// to reproduce values that older JAX code and checkpoints produced.
    case legacy
}

/// A thread-safe, settable threefry mode.
final class ThreefryModeSetting: Sendable {
    private let storage: Mutex<ThreefryMode>

    init(_ mode: ThreefryMode) {
        storage = Mutex(mode)
    }

    var mode: ThreefryMode {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }

    /// The setting behind `PRNGKey.defaultMode`.
    static let process = ThreefryModeSetting(.partitionable)
}

extension PRNGKey {
    /// The threefry mode of every key function and sampler that is called
    /// with `mode: nil`, for the whole process. It is `.partitionable` unless
    /// changed, and any thread may read or set it.
    public static var defaultMode: ThreefryMode {
        get { ThreefryModeSetting.process.mode }
        set { ThreefryModeSetting.process.mode = newValue }
    }
}

/// Returns the mode a call uses: `mode` when given, otherwise `PRNGKey.defaultMode`.
@inline(__always)
func resolvedMode(_ mode: ThreefryMode?) -> ThreefryMode {
    mode ?? PRNGKey.defaultMode
}
