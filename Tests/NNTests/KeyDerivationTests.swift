import Testing

@testable import NN

// Expected hashes and keys come from Tests/References/nn_optim_reference.txt
// (section a), printed by nn_optim_reference.py with JAX 0.10.2 and
// Flax 0.12.8. SHA-1 digests are the FIPS 180-4 test vectors.

private func hexadecimal(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        let text = String(byte, radix: 16)
        return byte < 16 ? "0" + text : text
    }.joined()
}

@Test(arguments: [
    ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
    ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
    (
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
        "a49b2446a02c645bf419f995b67091253a04a259"
    ),
])
func sha1TestVectors(message: String, digest: String) {
    #expect(hexadecimal(sha1Digest(Array(message.utf8))) == digest)
}

@Test func sha1AcrossBlockBoundary() {
    // 55, 56 and 64 bytes put the length field in the first or the second
    // padding block. Digests from Python's hashlib.sha1(b"a" * n).
    #expect(hexadecimal(sha1Digest([UInt8](repeating: 0x61, count: 55))) == "c1c8bbdc22796e28c0e15163d20899b65621d65a")
    #expect(hexadecimal(sha1Digest([UInt8](repeating: 0x61, count: 56))) == "c2db330f6083854c99d4b5bfb6e8f29f201be699")
    #expect(hexadecimal(sha1Digest([UInt8](repeating: 0x61, count: 64))) == "0098ba824b5c16427bd7a1122a5a442a25ec644d")
}

@Test func suffixCounterBytes() {
    #expect(KeySuffix.counter(0).hashedBytes == [])
    #expect(KeySuffix.counter(1).hashedBytes == [0x01])
    #expect(KeySuffix.counter(255).hashedBytes == [0xFF])
    #expect(KeySuffix.counter(256).hashedBytes == [0x01, 0x00])
    #expect(KeySuffix.name("Dense1").hashedBytes == Array("Dense1".utf8))
}

private let suffixHashCases: [([KeySuffix], UInt32)] = [
    ([.counter(1)], 3_213_575_472),
    ([.name("Dense1"), .counter(1)], 0xbb68_3ef1),
    ([.name("Dense1"), .counter(2)], 0x79ca_9b88),
    ([.name("Dense2"), .counter(1)], 0x9fc0_ee64),
    ([.name("Dense2"), .counter(2)], 0x9637_fe1c),
    ([.name("Output"), .counter(1)], 0xa41b_a789),
    ([.name("Output"), .counter(2)], 0x21f1_9d96),
    ([.name("Dense_0"), .counter(1)], 0xb2b7_1315),
    ([.name("Dense_1"), .counter(2)], 0xc71a_b7f8),
]

@Test(arguments: suffixHashCases)
func suffixHashMatchesFlax(suffixes: [KeySuffix], expected: UInt32) {
    #expect(foldedSuffixHash(suffixes) == expected)
}

@Test func mnistRootKeys() {
    let keys = split(PRNGKey(42))
    #expect(keys[0].data == [1_832_780_943, 270_669_613])
    #expect(keys[1].data == [64_467_757, 2_916_123_636])
}

private let mnistKeyCases: [(String, Int, [UInt32])] = [
    ("Dense1", 1, [1_739_717_307, 1_133_005_850]),
    ("Dense1", 2, [1_079_256_710, 209_686_156]),
    ("Dense2", 1, [103_847_270, 3_801_004_568]),
    ("Dense2", 2, [3_492_142_261, 3_847_651_344]),
    ("Output", 1, [3_895_435_330, 3_859_643_997]),
    ("Output", 2, [796_150_638, 4_216_165_145]),
]

@Test(arguments: mnistKeyCases)
func mnistParameterKeys(module: String, counter: Int, expected: [UInt32]) {
    #expect(parameterKey(root: mnistModelKey, modulePath: [module], counter: counter).data == expected)
}

@Test func rootModuleParameterKey() {
    // A module initialized on its own has an empty path: only the counter is hashed.
    #expect(parameterKey(root: PRNGKey(0), modulePath: [], counter: 1).data == [1_428_664_606, 3_351_135_085])
}

@Test func automaticNameParameterKeys() {
    #expect(parameterKey(root: PRNGKey(0), modulePath: ["Dense_0"], counter: 1).data == [3_043_437_727, 3_662_875_008])
    #expect(parameterKey(root: PRNGKey(0), modulePath: ["Dense_0"], counter: 2).data == [2_912_151_818, 3_648_475_384])
    #expect(parameterKey(root: PRNGKey(0), modulePath: ["Dense_1"], counter: 1).data == [3_520_776_978, 4_166_105_696])
    #expect(parameterKey(root: PRNGKey(0), modulePath: ["Dense_1"], counter: 2).data == [3_144_589_840, 2_136_301_992])
}

@Test func nestedPathConcatenatesNames() {
    // Suffixes accumulate across levels with no separator, so the path
    // ["Block_0", "inner"] hashes the same bytes as the single name "Block_0inner".
    let nested = parameterKey(root: PRNGKey(7), modulePath: ["Block_0", "inner"], counter: 1)
    let joined = parameterKey(root: PRNGKey(7), modulePath: ["Block_0inner"], counter: 1)
    #expect(nested == joined)
    #expect(nested != parameterKey(root: PRNGKey(7), modulePath: ["Block_0"], counter: 1))
}
