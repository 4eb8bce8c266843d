import CKernels
import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
@testable import Tensor

/// Computes the pairwise summation in plain Swift, one leaf at a time. This is the
/// definition that the C kernel, which sums several leaves at once, must match bit
/// for bit.
private func referencePairwise(_ values: [Float], _ start: Int, _ count: Int) -> Float {
    if count <= 256 {
        var lanes = [Float](repeating: 0, count: 8)
        var i = 0
        while i + 8 <= count {
            for lane in 0..<8 { lanes[lane] += values[start + i + lane] }
            i += 8
        }
        var total: Float = -0.0
        for lane in 0..<8 { total += lanes[lane] }
        while i < count {
            total += values[start + i]
            i += 1
        }
        return total
    }
    let half = (count / 2) & ~7
    return referencePairwise(values, start, half) + referencePairwise(values, start + half, count - half)
}

/// Generates values of mixed magnitude and sign, so that any change of summation order
/// shows in the result.
func mixedValues(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let unit = Float(state >> 40) / Float(1 << 24)
        let magnitude: Float = (state >> 20) & 1 == 0 ? 1e4 : 1e-3
        return (unit - 0.5) * magnitude
    }
}

/// The kernel paths that this processor runs (`weft_path`).
let supportedPaths = [WEFT_PATH_SCALAR, WEFT_PATH_AVX2, WEFT_PATH_AVX512].filter { weft_path_supported($0) == 1 }

/// glibc's x86-64 values of `FE_TONEAREST` and of `FE_TOWARDZERO`, `FE_DOWNWARD` and
/// `FE_UPWARD`, whose names Swift finds ambiguous because `fenv.h` declares each twice.
/// Other architectures use other values, so the directed modes are tested on x86-64 only.
let roundingToNearest: Int32 = 0
#if arch(x86_64)
let directedRoundingModes: [Int32] = [0xc00, 0x400, 0x800]
#else
let directedRoundingModes: [Int32] = []
#endif

@Suite struct SummationKernelTests {
    @Test(arguments: [0, 1, 7, 8, 255, 256, 257, 1000, 1024, 4095, 4096, 4097, 10_007, 100_000])
    func pairwiseMatchesReferenceBits(count: Int) {
        let values = mixedValues(count, seed: UInt64(count) + 11)
        let kernel = values.withUnsafeBufferPointer { Summation.pairwise($0.baseAddress!, count) }
        let reference = referencePairwise(values, 0, count)
        #expect(kernel.bitPattern == reference.bitPattern, "count \(count): \(kernel) vs \(reference)")
    }

    @Test func pairwiseKeepsBitsWhenLengthsAlternate() {
        // Each thread keeps the tree of the last length it summed. Lengths that change
        // from call to call, on two threads at once, must each get their own tree.
        let values = mixedValues(5000, seed: 31)
        let counts = [976, 984, 976, 4096, 1, 0, 257, 976, 3000, 984]
        let expected = counts.map { referencePairwise(values, 0, $0).bitPattern }
        let mismatches = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            var found = 0
            for round in 0..<50 {
                for offset in counts.indices {
                    let index = (offset + round * (thread + 1)) % counts.count
                    let sum = values.withUnsafeBufferPointer { Summation.pairwise($0.baseAddress!, counts[index]) }
                    if sum.bitPattern != expected[index] { found += 1 }
                }
            }
            mismatches.withLock { $0 += found }
        }
        #expect(mismatches.withLock { $0 } == 0)
    }

    @Test func pairwiseKeepsSmallTermInOwnLane() {
        // Summed in one lane, 1e8 + 1 - 1e8 loses the 1. Here 1e8 and -1e8 cancel in
        // lane 0 and the 1 stays in lane 1.
        var values = [Float](repeating: 0, count: 16)
        values[0] = 1e8
        values[1] = 1
        values[8] = -1e8
        #expect(values.withUnsafeBufferPointer { Summation.pairwise($0.baseAddress!, 16) } == 1)
    }
}

@Suite struct SumsOfProductsKernelTests {
    @Test(arguments: [5, 300, 1024, 4096, 5000])
    func sharedSumsEqualSeparateSums(count: Int) {
        let a = mixedValues(count, seed: 21)
        let b = mixedValues(count, seed: 22)
        let products = zip(a, b).map { $0 * $1 }
        let plain = referencePairwise(a, 0, count)
        let ofProducts = referencePairwise(products, 0, count)

        // A sum and a sum of products over the same array, in both orders, share one pass.
        var sums = [Float](repeating: 0, count: 2)
        a.withUnsafeBufferPointer { first in
            b.withUnsafeBufferPointer { second in
                let base = first.baseAddress!
                var summands: [UnsafePointer<Float>?] = [base, base]
                var factors: [UnsafePointer<Float>?] = [nil, second.baseAddress!]
                weft_sums_pairwise_f32(2, &summands, &factors, count, &sums)
                #expect(sums[0].bitPattern == plain.bitPattern)
                #expect(sums[1].bitPattern == ofProducts.bitPattern)

                factors = [second.baseAddress!, nil]
                weft_sums_pairwise_f32(2, &summands, &factors, count, &sums)
                #expect(sums[0].bitPattern == ofProducts.bitPattern)
                #expect(sums[1].bitPattern == plain.bitPattern)
            }
        }
    }
}

@Suite struct DividedBytesKernelTests {
    @Test(arguments: [roundingToNearest] + directedRoundingModes)
    func everyByteMatchesDivision(roundingMode: Int32) {
        // The reciprocal's correction holds only when rounding to nearest, so the
        // kernel divides in the other modes.
        let bytes = (0...255).map { UInt8($0) }
        let random = (0..<200).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0 &* 2_654_435_761) & 0x7fff_ffff) }
        let boundaries: [Float] = [0x1p-60, 0x1p60, 0x1.fffffep-61, 0x1p61, -0x1p-60, -0x1p60]
        let special: [Float] = [0, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        let divisors: [Float] = [255, 3, 7, 0.1, -255, -3] + boundaries + special + random
        fesetround(roundingMode)
        defer { fesetround(roundingToNearest) }
        for divisor in divisors {
            var out = [Float](repeating: 1, count: bytes.count)
            weft_convert_u8_divide_f32(bytes, divisor, &out, bytes.count)
            let mismatches = bytes.indices.filter { index in
                let expected = Float(bytes[index]) / divisor
                return expected.isNaN ? !out[index].isNaN : out[index].bitPattern != expected.bitPattern
            }
            #expect(mismatches.isEmpty, "divisor \(divisor): bytes \(mismatches.prefix(5)) differ")
        }
    }
}

@Suite struct VectorKernelTests {
    @Test func binaryOperationsMatchScalarArithmetic() {
        let a = mixedValues(1003, seed: 3)
        let b = mixedValues(1003, seed: 4).map { $0 == 0 ? 1 : $0 }
        let cases: [(BinaryOperation, (Float, Float) -> Float)] = [
            (.add, { $0 + $1 }), (.subtract, { $0 - $1 }), (.multiply, { $0 * $1 }), (.divide, { $0 / $1 }),
            (.maximum, { ($0 != $0 || $0 > $1) ? $0 : $1 }), (.minimum, { ($0 != $0 || $0 < $1) ? $0 : $1 }),
        ]
        for (operation, expected) in cases {
            var out = [Float](repeating: 0, count: a.count)
            var scalarLeft = [Float](repeating: 0, count: a.count)
            let ran = VectorKernels.binary(operation, a, aIsScalar: false, b, bIsScalar: false, &out, a.count)
            _ = VectorKernels.binary(operation, b, aIsScalar: true, a, bIsScalar: false, &scalarLeft, a.count)
            #expect(ran)
            #expect(out.map(\.bitPattern) == zip(a, b).map { expected($0, $1).bitPattern }, "\(operation)")
            #expect(scalarLeft.map(\.bitPattern) == a.map { expected(b[0], $0).bitPattern }, "\(operation) scalar")
        }
    }

    @Test func inPlaceOperandsGiveTheSameBits() {
        let a = mixedValues(517, seed: 8)
        let b = mixedValues(517, seed: 9).map { $0 == 0 ? 1 : $0 }
        let expected = zip(a, b).map { ($0 / $1).bitPattern }

        var intoLeft = a
        intoLeft.withUnsafeMutableBufferPointer { left in
            _ = VectorKernels.binary(.divide, left.baseAddress!, aIsScalar: false, b, bIsScalar: false, left.baseAddress!, 517)
        }
        var intoRight = b
        intoRight.withUnsafeMutableBufferPointer { right in
            _ = VectorKernels.binary(.divide, a, aIsScalar: false, right.baseAddress!, bIsScalar: false, right.baseAddress!, 517)
        }
        var squared = a
        squared.withUnsafeMutableBufferPointer { values in
            let pointer = values.baseAddress!
            _ = VectorKernels.binary(.multiply, pointer, aIsScalar: false, pointer, bIsScalar: false, pointer, 517)
        }
        var negated = a
        negated.withUnsafeMutableBufferPointer { values in
            _ = VectorKernels.unary(.negate, values.baseAddress!, values.baseAddress!, 517)
        }

        #expect(intoLeft.map(\.bitPattern) == expected)
        #expect(intoRight.map(\.bitPattern) == expected)
        #expect(squared.map(\.bitPattern) == a.map { ($0 * $0).bitPattern })
        #expect(negated.map(\.bitPattern) == a.map { (-$0).bitPattern })
    }

    @Test func bytesConvertToExactFloats() {
        let bytes = (0..<300).map { UInt8($0 % 256) }
        let converted = Tensor(bytes, shape: [300]).astype(.float32).scalars(as: Float.self)
        #expect(converted == bytes.map { Float($0) })
    }

    @Test func maximumPropagatesNaNFromEitherSide() {
        let a: [Float] = [.nan, 1, 2, -0.0]
        let b: [Float] = [1, .nan, 3, 0.0]
        var out = [Float](repeating: 0, count: 4)
        #expect(VectorKernels.binary(.maximum, a, aIsScalar: false, b, bIsScalar: false, &out, 4))
        #expect(out[0].isNaN)
        #expect(out[1].isNaN)
        #expect(out[2] == 3)
    }

    @Test func unaryOperationsMatchScalarArithmetic() {
        let a = mixedValues(777, seed: 5) + [-0.0, .infinity, -.infinity, .nan]
        let cases: [(UnaryOperation, (Float) -> Float)] = [
            (.negate, { -$0 }), (.abs, { Swift.abs($0) }), (.relu, { $0 < 0 ? 0 : $0 }),
            (.sqrt, { $0.squareRoot() }), (.rsqrt, { 1 / $0.squareRoot() }),
        ]
        for (operation, expected) in cases {
            var out = [Float](repeating: 0, count: a.count)
            #expect(VectorKernels.unary(operation, a, &out, a.count))
            #expect(out.map(\.bitPattern) == a.map { expected($0).bitPattern }, "\(operation)")
        }
        var unused = [Float](repeating: 0, count: 1)
        #expect(!VectorKernels.unary(.exp, a, &unused, 1), "exp has no C loop")
    }
}

@Suite struct ParallelTests {
    @Test func pauseGrowsWithStallWithinBounds() {
        // A virtual machine's 0.1-0.4 ms pause turns the helper off for a few
        // milliseconds, and a 4 ms time slice for 80 ms. Short stalls get 2 ms, and
        // long ones a second.
        #expect(Parallel.pause(afterStallOf: 0.0002) == 0.004)
        #expect(Parallel.pause(afterStallOf: 0.004) == 0.08)
        #expect(Parallel.pause(afterStallOf: 0.00005) == 0.002)
        #expect(Parallel.pause(afterStallOf: 0.2) == 1)
    }

    @Test func rangesCoverEveryIndexOnce() {
        let count = 100_003
        let hits = UnsafeMutablePointer<Int32>.allocate(capacity: count)
        defer { hits.deallocate() }
        hits.initialize(repeating: 0, count: count)
        Parallel.ranges(count, grain: 1000) { range in
            for i in range { hits[i] += 1 }
        }
        #expect((0..<count).allSatisfy { hits[$0] == 1 })
    }

    @Test func everyPartRunsOnceWhenBothEndsAreTaken() {
        // The caller takes parts from the front and the helper from the back. Where they
        // meet, no part may run twice or be skipped, for any count and any timing.
        for parts in [2, 3, 7, 8, 33] {
            let hits = UnsafeMutablePointer<Int32>.allocate(capacity: parts)
            defer { hits.deallocate() }
            for round in 0..<200 {
                hits.initialize(repeating: 0, count: parts)
                Parallel.forEach(parts: parts) { part in
                    // Uneven work moves the meeting point from one round to the next.
                    var spin = (part * 7 + round) % 5 * 200
                    while spin > 0 { spin -= 1 }
                    hits[part] += 1
                }
                #expect((0..<parts).allSatisfy { hits[$0] == 1 }, "\(parts) parts, round \(round)")
            }
        }
    }

    @Test func nestedAndConcurrentCallsComplete() async {
        // Nested calls, and calls made while another task owns the helper, run all
        // their parts on the calling thread.
        await withTaskGroup(of: (task: Int, sum: Int).self) { group in
            for task in 0..<4 {
                group.addTask {
                    let total = UnsafeMutablePointer<Int>.allocate(capacity: 8)
                    defer { total.deallocate() }
                    total.initialize(repeating: 0, count: 8)
                    Parallel.forEach(parts: 8) { part in
                        Parallel.forEach(parts: 3) { inner in total[part] += inner + task }
                    }
                    return (task, (0..<8).reduce(0) { $0 + total[$1] })
                }
            }
            for await result in group {
                // Each part adds 0 + 1 + 2 plus three times the task number.
                #expect(result.sum == 8 * (3 + 3 * result.task))
            }
        }
    }
}

@Suite struct ThreadModePolicyTests {
    /// Runs `count` calls, each taking `twoThreads` or `oneThread` seconds by its mode,
    /// and returns the modes used.
    private func simulate(
        _ policy: inout ThreadModePolicy, count: Int, twoThreads: Double, oneThread: Double
    ) -> [Bool] {
        (0..<count).map { _ in
            let usesHelper = policy.nextRunUsesHelper
            policy.record(seconds: usesHelper ? twoThreads : oneThread, usedHelper: usesHelper)
            return usesHelper
        }
    }

    @Test func keepsTheHelperWhenTwoThreadsAreFaster() {
        var policy = ThreadModePolicy()
        let modes = simulate(&policy, count: 10_000, twoThreads: 200e-6, oneThread: 275e-6)
        #expect(policy.usesHelper)
        // Only the probes run on one thread: 8 runs after the first 256, then 8 after
        // every 4096 while two threads keep their speed.
        #expect(modes.filter { !$0 }.count == 3 * 8)
        #expect(modes.firstIndex(of: false) == 256)
        #expect(modes.lastIndex(of: false) == 256 + 8 + 4096 + 8 + 4096 + 7)
    }

    @Test func probesSoonWhenTheHelperSlowsDown() {
        var policy = ThreadModePolicy()
        _ = simulate(&policy, count: 3000, twoThreads: 200e-6, oneThread: 275e-6)

        // Well inside the steady interval, two threads slow to 430 us. Once half of the
        // 16 recent runs are slow, the median passes 1.3 times the best. The next check
        // (every 16 runs) then starts a probe, which switches to one thread.
        let modes = simulate(&policy, count: 64, twoThreads: 430e-6, oneThread: 275e-6)
        #expect(!policy.usesHelper)
        #expect(modes.firstIndex(of: false).map { $0 <= 8 + 16 } == true)
    }

    @Test func switchesToOneThreadAndBack() {
        var policy = ThreadModePolicy()
        _ = simulate(&policy, count: 300, twoThreads: 200e-6, oneThread: 275e-6)
        #expect(policy.usesHelper)

        // The second core slows down: two threads take 430 us, one thread 275 us.
        _ = simulate(&policy, count: 300, twoThreads: 430e-6, oneThread: 275e-6)
        #expect(!policy.usesHelper)

        _ = simulate(&policy, count: 600, twoThreads: 200e-6, oneThread: 275e-6)
        #expect(policy.usesHelper)
    }

    @Test func noiseWithinToleranceDoesNotProbe() {
        var policy = ThreadModePolicy()
        var oneThreadRuns = 0
        for run in 0..<4000 {
            let usesHelper = policy.nextRunUsesHelper
            // Two threads vary between 200 and 250 us in stretches of 100 runs.
            let twoThreads = (run / 100) % 2 == 0 ? 200e-6 : 250e-6
            policy.record(seconds: usesHelper ? twoThreads : 275e-6, usedHelper: usesHelper)
            if !usesHelper { oneThreadRuns += 1 }
        }
        #expect(policy.usesHelper)
        #expect(oneThreadRuns == 8, "only the first probe runs within the steady interval")
    }

    @Test func smallDifferencesDoNotSwitch() {
        var policy = ThreadModePolicy()
        _ = simulate(&policy, count: 2000, twoThreads: 200e-6, oneThread: 190e-6)
        #expect(policy.usesHelper, "one thread must be at least 10% faster")
    }
}

@Suite struct ScratchBuffersTests {
    @Test func bufferIsReusedAfterACall() {
        // Far larger than any fused pass requests, so no kernel running in a concurrent
        // test takes this buffer between the two calls.
        let capacity = 10_000_019
        let first = ScratchBuffers.withBuffer(capacity: capacity) { pointer in
            pointer[capacity - 1] = 1
            return pointer
        }
        let second = ScratchBuffers.withBuffer(capacity: capacity) { $0 }
        #expect(first == second)
    }

    @Test func nestedCallsGetSeparateBuffers() {
        ScratchBuffers.withBuffer(capacity: 4096) { outer in
            ScratchBuffers.withBuffer(capacity: 4096) { inner in
                #expect(outer != inner)
            }
        }
    }
}
