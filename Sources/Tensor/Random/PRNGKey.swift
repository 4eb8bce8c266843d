/// A threefry PRNG key: the two uint32 words of a raw JAX key, as returned by
/// `jax.random.PRNGKey(seed)`.
///
/// Keys are values. Functions that need randomness take a key and return the
/// same values for the same key, so derive fresh keys with `split` or
/// `foldIn` instead of reusing one key for independent draws.
public struct PRNGKey: Hashable, Sendable, CustomStringConvertible {
    /// The first key word, JAX's `key[0]`.
    public let word0: UInt32

    /// The second key word, JAX's `key[1]`.
    public let word1: UInt32

    /// Creates a key from its two words.
    init(word0: UInt32, word1: UInt32) {
        self.word0 = word0
        self.word1 = word1
    }

    /// Creates the key that `jax.random.PRNGKey(seed)` returns in JAX's default
    /// 32-bit mode (`jax_enable_x64=False`). The result is the same in both
    /// threefry modes.
    ///
    /// In that mode JAX converts the seed to int32 before it builds the key, so
    /// only the low 32 bits of `seed` matter and the key is `[0, seed mod 2^32]`.
    /// Negative seeds and seeds of 2^32 or more wrap, as they do in JAX.
    /// NOTE: with `jax_enable_x64=True` JAX puts the high 32 bits of the seed
    /// in the first word instead. That variant is not provided.
    public init(_ seed: Int) {
        self.init(word0: 0, word1: UInt32(truncatingIfNeeded: seed))
    }

    /// Creates a key from raw key data `[word0, word1]`, like
    /// `jax.random.wrap_key_data`. Stops unless `data` has exactly two words.
    public init(data: [UInt32]) {
        precondition(data.count == 2, "PRNGKey(data:): key data must have 2 words, got \(data.count)")
        self.init(word0: data[0], word1: data[1])
    }

    /// The two key words in JAX's order, as `jax.random.key_data` returns them.
    public var data: [UInt32] {
        [word0, word1]
    }

    /// The key data as a uint32 tensor of shape [2].
    public var tensor: Tensor {
        Tensor(data, shape: [2])
    }

    /// The key in JAX's notation, for example `PRNGKey([0, 42])`.
    public var description: String {
        "PRNGKey([\(word0), \(word1)])"
    }
}
