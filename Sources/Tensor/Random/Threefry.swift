// Threefry-2x32, the counter-based block cipher behind JAX's default PRNG,
// with the 20 rounds, rotation constants and key schedule of
// `jax._src.random.threefry2x32` in JAX 0.10.2. Every function here works on
// plain UInt32 values, so key derivation and sampling stay independent of
// Tensor. The functions over counter ranges run in C (`weft_threefry_hash_range`,
// `weft_threefry_counter_bits`), eight blocks at a time where AVX2 exists.

import CKernels

/// Rotation amounts of the two alternating groups of four Threefry-2x32 rounds.
private let threefryRotationsEven: (UInt32, UInt32, UInt32, UInt32) = (13, 15, 26, 6)
private let threefryRotationsOdd: (UInt32, UInt32, UInt32, UInt32) = (17, 29, 16, 24)

/// Constant that the Threefry key schedule XORs into the third key word.
private let threefryKeyScheduleParity: UInt32 = 0x1BD1_1BDA

@inline(__always)
private func rotateLeft(_ value: UInt32, by amount: UInt32) -> UInt32 {
    (value << amount) | (value >> (32 - amount))
}

@inline(__always)
private func mixRounds(
    _ x0: inout UInt32,
    _ x1: inout UInt32,
    _ rotations: (UInt32, UInt32, UInt32, UInt32)
) {
    x0 &+= x1
    x1 = rotateLeft(x1, by: rotations.0) ^ x0
    x0 &+= x1
    x1 = rotateLeft(x1, by: rotations.1) ^ x0
    x0 &+= x1
    x1 = rotateLeft(x1, by: rotations.2) ^ x0
    x0 &+= x1
    x1 = rotateLeft(x1, by: rotations.3) ^ x0
}

/// Encrypts one 64-bit counter block `(counter0, counter1)` under the key
/// `(key0, key1)` with 20 rounds of Threefry-2x32 and returns both output words.
///
/// This is the scalar form of JAX's `threefry2x32_p` primitive: the result is
/// bit-identical to `jax._src.random.threefry2x32` for the same inputs.
@inline(__always)
func threefry2x32Block(
    key0: UInt32,
    key1: UInt32,
    counter0: UInt32,
    counter1: UInt32
) -> (UInt32, UInt32) {
    let key2 = key0 ^ key1 ^ threefryKeyScheduleParity
    var x0 = counter0 &+ key0
    var x1 = counter1 &+ key1

    // Five groups of four rounds. After each group the key schedule injects
    // the next rotation of (key0, key1, key2) plus the group number.
    mixRounds(&x0, &x1, threefryRotationsEven)
    x0 &+= key1
    x1 &+= key2 &+ 1

    mixRounds(&x0, &x1, threefryRotationsOdd)
    x0 &+= key2
    x1 &+= key0 &+ 2

    mixRounds(&x0, &x1, threefryRotationsEven)
    x0 &+= key0
    x1 &+= key1 &+ 3

    mixRounds(&x0, &x1, threefryRotationsOdd)
    x0 &+= key1
    x1 &+= key2 &+ 4

    mixRounds(&x0, &x1, threefryRotationsEven)
    x0 &+= key2
    x1 &+= key0 &+ 5

    return (x0, x1)
}

/// Hashes the counters `0..<count` the way JAX's `threefry_2x32(keypair, count)`
/// hashes `lax.iota(uint32, count)`, and returns `count` words.
///
/// JAX pads an odd-length counter array with one zero and pairs the first half
/// of the counters with the second half as the two words of each block. The
/// output lists all first words, then all second words, without the padding.
/// The legacy (non-partitionable) split and random bits use this layout.
func threefry2x32HashOfRange(key0: UInt32, key1: UInt32, count: Int) -> [UInt32] {
    precondition(count <= Int(UInt32.max) + 1, "threefry counter range \(count) exceeds 2^32")
    if count == 0 {
        return []
    }
    return [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
        weft_threefry_hash_range(key0, key1, count, buffer.baseAddress!)
        initialized = count
    }
}

/// Returns `count` words of JAX's partitionable mode: word `i` hashes the 64-bit
/// counter `first + i` (high word first) and is the exclusive or of the two output words.
func threefry2x32CounterBits(key0: UInt32, key1: UInt32, first: UInt64 = 0, count: Int) -> [UInt32] {
    [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
        if count > 0 { weft_threefry_counter_bits(key0, key1, first, count, buffer.baseAddress!) }
        initialized = count
    }
}
