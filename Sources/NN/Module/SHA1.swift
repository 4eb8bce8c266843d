/// Computes the 20-byte SHA-1 digest (FIPS 180-4) of `bytes`.
///
/// Flax hashes module paths with SHA-1 to derive parameter keys, so NN needs
/// the digest only for short inputs and makes no claim of speed. SHA-1 is
/// broken for collision resistance. Use it only to reproduce Flax's keys.
func sha1Digest(_ bytes: [UInt8]) -> [UInt8] {
    var state: (UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0
    )

    // Padding: one 0x80 byte, zeros up to 56 mod 64, then the bit length as a
    // big-endian 64-bit integer.
    var message = bytes
    message.append(0x80)
    while message.count % 64 != 56 {
        message.append(0)
    }
    let bitLength = UInt64(bytes.count) &* 8
    for shift in stride(from: 56, through: 0, by: -8) {
        message.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
    }

    var words = [UInt32](repeating: 0, count: 80)
    for blockStart in stride(from: 0, to: message.count, by: 64) {
        for i in 0..<16 {
            let offset = blockStart + 4 * i
            words[i] = UInt32(message[offset]) << 24 | UInt32(message[offset + 1]) << 16
                | UInt32(message[offset + 2]) << 8 | UInt32(message[offset + 3])
        }
        for i in 16..<80 {
            words[i] = rotateLeft(words[i - 3] ^ words[i - 8] ^ words[i - 14] ^ words[i - 16], by: 1)
        }

        var (a, b, c, d, e) = state
        for i in 0..<80 {
            let mixed: UInt32
            let constant: UInt32
            switch i {
            case 0..<20:
                mixed = (b & c) | (~b & d)
                constant = 0x5A82_7999
            case 20..<40:
                mixed = b ^ c ^ d
                constant = 0x6ED9_EBA1
            case 40..<60:
                mixed = (b & c) | (b & d) | (c & d)
                constant = 0x8F1B_BCDC
            default:
                mixed = b ^ c ^ d
                constant = 0xCA62_C1D6
            }
            let next = rotateLeft(a, by: 5) &+ mixed &+ e &+ constant &+ words[i]
            e = d
            d = c
            c = rotateLeft(b, by: 30)
            b = a
            a = next
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e)
    }

    var digest = [UInt8]()
    digest.reserveCapacity(20)
    for word in [state.0, state.1, state.2, state.3, state.4] {
        for shift: UInt32 in [24, 16, 8, 0] {
            digest.append(UInt8(truncatingIfNeeded: word >> shift))
        }
    }
    return digest
}

@inline(__always)
private func rotateLeft(_ value: UInt32, by count: UInt32) -> UInt32 {
    (value << count) | (value >> (32 - count))
}
