import Testing
@testable import Tensor

/// Subnormal float32 values: 1e-40 and the smallest positive one, 2^-149.
private let subnormals: [Float] = [1e-40, -3e-39, .leastNonzeroMagnitude]

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
        let scaled = Tensor([Float(1e-40)]) * Float(1 << 30)
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
        #expect(hostProduct(1e-40, 1.5) != 0)
        #expect(hostProduct(1e-40, 1.5).isSubnormal)
    }

    @Test func helperThreadFlushesItsPart() {
        // A product of a million elements in a compiled plan is cut between the calling
        // thread and the helper, and both halves must flush.
        let count = 1 << 20
        let values = Tensor([Float](repeating: 1e-40, count: count))
        let scaled = jit({ (x: Tensor) in (x * 1.5).sum() }, cache: JitCache())
        #expect(scaled(values).floatValue == 0)

        let nonzero = jit({ (x: Tensor) in (x * 1.5 .!= 0).astype(.float32).sum() }, cache: JitCache())
        #expect(nonzero(values).floatValue == 0)
    }
}
