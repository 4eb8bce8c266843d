import Testing
@testable import Tensor

#if canImport(Glibc)
import Glibc
#endif

/// Image-like bytes of `shape`, every value from 0 to 255 in a scrambled order.
private func bytes(_ shape: [Int], seed: Int) -> Tensor {
    let count = shape.reduce(1, *)
    return Tensor((0..<count).map { UInt8(truncatingIfNeeded: ($0 &+ seed) &* 2_654_435_761 >> 11) }, shape: shape)
}

/// Deterministic float32 values of `shape` in [-1, 1).
private func values(_ shape: [Int], seed: Int) -> Tensor {
    let count = shape.reduce(1, *)
    return Tensor((0..<count).map { Float(($0 &* 7919 &+ seed) % 2001 - 1000) / 1000 }, shape: shape)
}

private struct UncheckedSendablePlan: @unchecked Sendable {
    let plan: ExecutionPlan
}

@Suite struct HelperCopiesTests {
    /// A first layer's forward product and weight gradient on a batch of bytes scaled
    /// to [0, 1], as in an MNIST training step: the gradient's product reads the batch
    /// transposed, through the product's flag.
    private let weights = values([784, 128], seed: 3)
    private let cotangent = values([64, 128], seed: 5)

    private func firstLayer(_ images: Tensor) -> [Tensor] {
        let x = images.astype(.float32) / 255
        let cotangent = self.cotangent
        let weightGradient = grad({ (w: Tensor) in (matmul(x, w) * cotangent).sum() })(weights)
        return [matmul(x, weights), weightGradient]
    }

    private func plans(_ images: Tensor) -> (fused: ExecutionPlan, unfused: ExecutionPlan) {
        let cache = JitCache()
        _ = jit({ (images: Tensor) in self.firstLayer(images) }, cache: cache)(images)
        return (ExecutionPlan(cache.jaxprs[0]), ExecutionPlan(cache.jaxprs[0], fusesElementwise: false))
    }

    @Test func batchProductsReadTheHelpersCopy() {
        let images = bytes([64, 784], seed: 1)
        let (fused, unfused) = plans(images)
        let passes = fused.steps.compactMap { $0.primitive as? FusedElementwise }
        #expect(passes.count == 1)
        #expect(passes.first?.hasCopies == true, "the batch's conversion writes a copy")
        #expect(passes.first?.parameterDescription == "operations=1 copies=1")
        let products = fused.steps.compactMap { $0.primitive as? ProductWithHelperCopy }
        #expect(Set(products.map(\.parameterDescription)) == [
            "dimension_numbers=(([-1], [-2]), batch) helper_copy=lhs",
            "dimension_numbers=(([-2], [-2]), batch) helper_copy=lhs",
        ])

        #expect(unfused.run([images]).map(\.floats) == firstLayer(images).map(\.floats))
        // A new batch on each call, so that a copy that a call failed to write would
        // hold the previous batch.
        for call in 0..<20 {
            let images = bytes([64, 784], seed: 100 + call)
            #expect(fused.run([images]).map(\.floats) == firstLayer(images).map(\.floats), "call \(call)")
        }
    }

    @Test func oneThreadModeWritesNoCopy() {
        let images = bytes([64, 784], seed: 2)
        let (fused, _) = plans(images)
        let expected = firstLayer(images).map(\.floats)
        #expect(!Parallel.withoutHelper { Parallel.mayUseHelper })
        #expect(Parallel.mayUseHelper == Parallel.isAvailable, "the one-thread scope ends with its call")
        // Alternate the modes, so that a copy left from a two-thread call is stale in
        // the next one-thread call, and the reverse.
        for call in 0..<10 {
            let images = bytes([64, 784], seed: call)
            let expected = firstLayer(images).map(\.floats)
            let result = call % 2 == 0 ? Parallel.withoutHelper { fused.run([images]) } : fused.run([images])
            #expect(result.map(\.floats) == expected, "call \(call)")
        }
        #expect(fused.run([images]).map(\.floats) == expected)
    }

    @Test func concurrentCallsKeepTheirOwnCopies() async {
        let images = (0..<6).map { bytes([64, 784], seed: 10 + $0) }
        let expected = images.map { firstLayer($0).map(\.floats) }
        let shared = UncheckedSendablePlan(plan: plans(images[0]).fused)
        let results = await withTaskGroup(of: (Int, [[Float]]).self) { group in
            for _ in 0..<3 {
                for (index, batch) in images.enumerated() {
                    group.addTask { (index, shared.plan.run([batch]).map(\.floats)) }
                }
            }
            var results = [(Int, [[Float]])]()
            for await result in group { results.append(result) }
            return results
        }
        for (index, result) in results {
            #expect(result == expected[index], "batch \(index) gave different values when run concurrently")
        }
    }

    @Test func rowValuedPassGetsACopy() {
        // A softmax of 128 x 128 feeding a product cut between the threads: the pass
        // rebuilt with its copy once lost its row-valued flags and stopped.
        let x = values([128, 128], seed: 21)
        let w = values([128, 128], seed: 22)
        let function = { (x: Tensor) in matmul(softmax(x), w) }
        let expected = function(x).floats
        let compiled = jit(function)
        #expect(compiled(x).floats == expected)
        #expect(Parallel.withoutHelper { compiled(x) }.floats == expected)
        #expect(compiled(x).floats == expected)
    }

    @Test func smallBatchesGetNoCopy() {
        // 16 x 784 values (49 KB) cost less to share than a copy.
        let images = bytes([16, 784], seed: 4)
        let cache = JitCache()
        let weights = self.weights
        _ = jit({ (images: Tensor) in matmul(images.astype(.float32) / 255, weights) }, cache: cache)(images)
        let plan = ExecutionPlan(cache.jaxprs[0])
        #expect(!plan.steps.contains { $0.primitive is ProductWithHelperCopy })
        #expect(plan.steps.compactMap { $0.primitive as? FusedElementwise }.allSatisfy { !$0.hasCopies })
    }

    @Test func passWithCopiesWritesOverNoInput() {
        let pass = FusedElementwise(
            instructions: [.unary(.exp, .input(0))], shape: [128, 128], results: [.store(0), .copy(0)],
            resultTypes: [TensorType(shape: [128, 128], dtype: .float32), TensorType(shape: [128, 128], dtype: .float32)])
        #expect(!pass.mayWrite(output: 0, over: 0))
        #expect(!pass.mayWrite(output: 1, over: 0))
        let x = values([128, 128], seed: 9)
        let outputs = pass.evaluate([x], types: pass.resultTypes)
        #expect(outputs[0].floats == exp(x).floats)
        if Parallel.mayUseHelper {
            #expect(outputs[1].floats == exp(x).floats, "the helper's copy holds the same values")
        }
    }

    @Test func onlyTheHelperThreadIsTheHelper() {
        #expect(!Parallel.isHelperThread)
        // Each part records whether it ran on the calling thread and what the check returned.
        let caller = pthread_self()
        var records = [(onCaller: Bool, onHelper: Bool)](repeating: (false, false), count: 64)
        records.withUnsafeMutableBufferPointer { records in
            Parallel.forEach(parts: 64) { part in
                records[part] = (pthread_equal(pthread_self(), caller) != 0, Parallel.isHelperThread)
            }
        }
        for (part, record) in records.enumerated() {
            #expect(record.onHelper == !record.onCaller, "part \(part)")
        }
    }
}
