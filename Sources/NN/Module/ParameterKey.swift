// Parameter keys derived from module paths, bit-identical to Flax linen 0.12.8
// (`LazyRng` and `_fold_in_static` in flax/core/scope.py).
//
// Flax keeps the key passed to `init` at the root. Entering a submodule leaves
// the key alone and appends the submodule's name to a list of suffixes. Each
// parameter takes the next value of its module's counter (1, 2, ...) as a
// last suffix, so the parameter's own name never enters. The suffixes are
// hashed together with one SHA-1, and the first four digest bytes, read
// big-endian, are folded into the root key once.

/// One element of a Flax key suffix: a module name or a parameter counter.
enum KeySuffix: Hashable, Sendable {
    case name(String)
    case counter(Int)

    /// The bytes Flax hashes for this suffix: UTF-8 for a name, and the minimal
    /// big-endian bytes for a counter (none for 0, one byte up to 255).
    var hashedBytes: [UInt8] {
        switch self {
        case .name(let name):
            return Array(name.utf8)
        case .counter(let value):
            precondition(value >= 0, "key suffix counter must be non-negative, got \(value)")
            var bytes = [UInt8]()
            var remaining = UInt64(value)
            while remaining > 0 {
                bytes.insert(UInt8(truncatingIfNeeded: remaining), at: 0)
                remaining >>= 8
            }
            return bytes
        }
    }
}

/// Computes the uint32 that Flax folds into the root key for `suffixes`: the first four
/// bytes of the SHA-1 digest of the concatenated suffix bytes, big-endian.
///
/// No separator goes between suffixes, because Flax's `flax_fix_rng_separator`
/// flag is off by default, so ("ab", "c") and ("a", "bc") hash alike.
func foldedSuffixHash(_ suffixes: [KeySuffix]) -> UInt32 {
    let digest = sha1Digest(suffixes.flatMap(\.hashedBytes))
    return UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3])
}

/// Derives the key Flax uses for the parameter with counter value `counter` in the
/// module at `modulePath` (names from the root, empty for the root module).
///
/// For example the first parameter of the submodule `Dense1` gets
/// `foldIn(root, u32(sha1("Dense1" + [0x01])))`.
func parameterKey(root: PRNGKey, modulePath: [String], counter: Int) -> PRNGKey {
    let suffixes = modulePath.map(KeySuffix.name) + [.counter(counter)]
    return foldIn(root, Int(foldedSuffixHash(suffixes)))
}
