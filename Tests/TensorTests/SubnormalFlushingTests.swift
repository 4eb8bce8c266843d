import Synchronization
import Testing
@testable import Tensor

/// A subnormal float32 value, about 1e-40. Hexadecimal literals are exact, whereas
/// the compiler warns that a decimal one this small loses precision.
private let smallSubnormal: Float = 0x1.16c2p-133

/// Subnormal float32 values: about 1e-40 and -3e-39, and the smallest positive one, 2^-149.
private let subnormals: [Float] = [smallSubnormal, -0x1.05p-128, .leastNonzeroMagnitude]

/// Returns the product computed by Swift on the test's own thread, outside Weft.
@inline(never)
private func hostProduct(_ a: Float, _ b: Float) -> Float { a * b }

@Suite struct SubnormalFlushingTests {
    @Test func eagerArithmeticFlushesResults() {
        let product = Tensor(subnormals) * 1.5
        #expect(product.floats.allSatisfy { $0 == 0 }, "\(product.floats)")
    }

    @Test func eagerComparisonReadsInputsAsZero() {
        // JAX on CPU: jnp.float32(1e-40) > 0 is False.
        let positive = Tensor(subnormals) .> Tensor(Float(0))
        #expect(positive.scalars(as: Bool.self) == [false, false, false])
    }

    @Test func normalResultFromSubnormalInputIsZero() {
        // 1e-40 * 2^30 is about 1.07e-31, a normal number, but the input reads as zero.
        let scaled = Tensor([smallSubnormal]) * Float(1 << 30)
        #expect(scaled.floats == [0])
    }

    @Test func storedValuesKeepTheirBits() {
        #expect(Tensor(subnormals).floats.map(\.bitPattern) == subnormals.map(\.bitPattern))
    }

    @Test func jittedArithmeticFlushesResults() {
        let scaled = jit({ (x: Tensor) in x * 1.5 + 0 }, cache: JitCache())
        #expect(scaled(Tensor(subnormals)).floats == [0, 0, 0])
    }

    @Test func callerModeIsRestored() {
        _ = Tensor(subnormals) * 1.5
        _ = jit({ (x: Tensor) in x * 2 }, cache: JitCache())(Tensor(subnormals))
        // The test's thread computes with IEEE subnormals again.
        #expect(hostProduct(smallSubnormal, 1.5) != 0)
        #expect(hostProduct(smallSubnormal, 1.5).isSubnormal)
    }

    @Test func helperThreadFlushesItsPart() {
        // A product of a million elements in a compiled plan is cut between the calling
        // thread and the helper, and both halves must flush.
        let count = 1 << 20
        let values = Tensor([Float](repeating: smallSubnormal, count: count))
        let scaled = jit({ (x: Tensor) in (x * 1.5).sum() }, cache: JitCache())
        #expect(scaled(values).floatValue == 0)

        let nonzero = jit({ (x: Tensor) in (x * 1.5 .!= 0).astype(.float32).sum() }, cache: JitCache())
        #expect(nonzero(values).floatValue == 0)
    }
}

@Suite struct SubnormalFlushingScopeTests {
    @Test func jitFoldsConstantsWithFlushing() {
        // The comparison of two constants is folded when the plan is built, and must read
        // the subnormal as zero as the eager comparison does.
        let tiny = Tensor(smallSubnormal)
        let x = Tensor([1, 2, 3] as [Float])
        let pick = { (x: Tensor) in select(tiny .> Tensor(Float(0)), x, -x) }
        #expect(pick(x).floats == [-1, -2, -3])
        #expect(jit(pick, cache: JitCache())(x).floats == [-1, -2, -3])
    }

    @Test func jitFoldsProductOfConstants() {
        let outputs = jitFlat({ xs in [xs[0] + 1, Tensor(smallSubnormal) * 1.5] }, cache: JitCache())([Tensor(Float(0))])
        #expect(outputs[1].floats == [0])
    }

    @Test func loopBodyHostCodeKeepsCallerMode() {
        // Swift arithmetic in an eager loop body is the caller's, not Weft's evaluation.
        // The body also runs once on abstract values to find the carry's types.
        let products = Mutex([Float]())
        _ = whileLoop(
            condition: { count in count .< 3 },
            body: { count in
                products.withLock { $0.append(hostProduct(smallSubnormal, 1.5)) }
                return count + 1
            },
            initial: Tensor(Int32(0)))
        #expect(products.withLock { $0 }.count >= 3)
        #expect(products.withLock { $0 }.allSatisfy { $0.isSubnormal })
    }

    @Test func loopBodyOperationsFlush() {
        let result = whileLoop(
            condition: { carry in carry[0] .< 2 },
            body: { carry in [carry[0] + 1, carry[1] * 1.5] },
            initial: [Tensor(Int32(0)), Tensor(smallSubnormal)])
        #expect(result[1].floats == [0])
    }

    @Test func uniformFlushesSubnormalSpan() {
        // JAX computes the span maxval - minval with XLA, where 1e-38 reads as zero.
        let values = uniform(PRNGKey(0), shape: [8], minval: 0, maxval: 1e-38)
        #expect(values.floats == [Float](repeating: 0, count: 8))
    }
}
