import Testing
@testable import Tensor

/// The C loops over counter ranges against the one-block function, which the
/// reference tests check against JAX's values.
@Suite struct ThreefryKernelTests {
    private let key = (word0: UInt32(0x1234_5678), word1: UInt32(0x9ABC_DEF0))

    @Test(arguments: [1, 2, 7, 8, 9, 15, 16, 17, 33, 1000, 1001])
    func hashOfRangeMatchesBlocks(count: Int) {
        // Counter i pairs with half + i; an odd count pads the last block with 0.
        let half = (count + 1) / 2
        var expected = [UInt32](repeating: 0, count: 2 * half)
        for index in 0..<half {
            let second = half + index < count ? UInt32(half + index) : 0
            let (word0, word1) = threefry2x32Block(key0: key.word0, key1: key.word1, counter0: UInt32(index), counter1: second)
            expected[index] = word0
            expected[half + index] = word1
        }
        #expect(threefry2x32HashOfRange(key0: key.word0, key1: key.word1, count: count) == Array(expected.prefix(count)))
    }

    @Test(arguments: [UInt64(0), UInt64(3), UInt64(1 << 32) - 5, UInt64(1 << 32) - 8, UInt64(5) << 32])
    func counterBitsMatchBlocks(first: UInt64) {
        // 21 words from `first`, across the change of the high word for the first two
        // starts near 2^32.
        let expected = (0..<21).map { offset -> UInt32 in
            let counter = first + UInt64(offset)
            let (word0, word1) = threefry2x32Block(
                key0: key.word0, key1: key.word1, counter0: UInt32(counter >> 32), counter1: UInt32(truncatingIfNeeded: counter))
            return word0 ^ word1
        }
        #expect(threefry2x32CounterBits(key0: key.word0, key1: key.word1, first: first, count: 21) == expected)
    }
}
