import Testing
@testable import Tensor

/// The fused Adam kernel against its composite formula, bit for bit.
struct AdamUpdateTests {
    @Test(arguments: [1, 3, 4, 7, 8, 9, 17, 1000])
    func fusedKernelEqualsCompositeBits(count: Int) {
        let keys = split(PRNGKey(7), count: 3)
        let gradient = normal(keys[0], shape: [count])
        let mu = normal(keys[1], shape: [count]) * 0.1
        let nu = abs(normal(keys[2], shape: [count])) * 0.01
        let correction1 = Tensor(Float(1 - 0.9 * 0.9 * 0.9))
        let correction2 = Tensor(Float(1 - 0.999 * 0.999 * 0.999))

        for epsRoot in [0.0, 1e-8] {
            let primitive = AdamUpdate(b1: 0.9, b2: 0.999, eps: 1e-8, epsRoot: epsRoot)
            let inputs = [gradient, mu, nu, correction1, correction2]
            let fused = bind(primitive, inputs)
            let composite = primitive.composite(inputs)

            for output in 0..<3 {
                let fusedBits = fused[output].scalars(as: Float.self).map(\.bitPattern)
                let compositeBits = composite[output].scalars(as: Float.self).map(\.bitPattern)
                #expect(fusedBits == compositeBits, "output \(output), epsRoot \(epsRoot)")
            }
        }
    }

    @Test(arguments: [1, 2, 10, 1000, 100_000])
    func kernelBitsAtExtremeMagnitudes(stepCount: Int) {
        // Values over the whole float range: signed zeros, subnormals, magnitudes near
        // overflow, infinities and NaN, mixed within a vector, so the kernel's vector
        // loop and its scalar tail meet every class of value.
        let special: [Float] = [
            0, -0, .leastNonzeroMagnitude, -0x1.16c2p-133, 1e-38, 0x1p-96, -0x1p-97, 0x1p96, 0x1p97, 3e38, .infinity, -.infinity, .nan, 1, -0.5,
        ]
        let keys = split(PRNGKey(11), count: 3)
        // Magnitudes spread from 2^-120 to 2^120, with random signs.
        func spread(_ key: PRNGKey) -> [Float] {
            let exponents = uniform(key, shape: [4096], minval: -120, maxval: 120).floats
            return exponents.enumerated().map { index, exponent in
                let whole = exponent.rounded(.down)
                return Float(sign: index % 3 == 0 ? .minus : .plus, exponent: Int(whole), significand: 1 + exponent - whole)
            }
        }
        let gradient = Tensor(special + spread(keys[0]))
        let mu = Tensor(special.reversed() + spread(keys[1]))
        let nu = Tensor(special.map(abs) + spread(keys[2]).map(abs))
        var powers = (b1: 1.0, b2: 1.0)
        for _ in 0..<stepCount { powers = (powers.b1 * 0.9, powers.b2 * 0.999) }
        let correction1 = Tensor(Float(1 - powers.b1))
        let correction2 = Tensor(Float(1 - powers.b2))

        let primitive = AdamUpdate(b1: 0.9, b2: 0.999, eps: 1e-8, epsRoot: 0)
        let inputs = [gradient, mu, nu, correction1, correction2]
        let fused = bind(primitive, inputs)
        let composite = primitive.composite(inputs)
        for output in 0..<3 {
            let got = fused[output].floats
            let expected = composite[output].floats
            let mismatches = zip(got, expected).filter { !($0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN)) }
            #expect(mismatches.count == 0, "output \(output): \(mismatches.prefix(3))")
        }
    }

    @Test func mismatchedMomentShapeStops() async {
        await #expect(processExitsWith: .failure) {
            _ = adamUpdate(
                gradient: Tensor.zeros([3]), mu: Tensor.zeros([4]), nu: Tensor.zeros([3]),
                correction1: Tensor(Float(0.1)), correction2: Tensor(Float(0.001)),
                b1: 0.9, b2: 0.999, eps: 1e-8, epsRoot: 0)
        }
    }
}

/// The plan's fusion of the Adam update with the learning-rate scaling and the
/// parameter step that follow it.
struct AdamStepFusionTests {
    private func inputs(_ count: Int) -> [Tensor] {
        let keys = split(PRNGKey(3), count: 4)
        return [
            normal(keys[0], shape: [count]), normal(keys[1], shape: [count]) * 0.1,
            abs(normal(keys[2], shape: [count])) * 0.01, normal(keys[3], shape: [count]),
        ]
    }

    private func step(_ values: [Tensor]) -> [Tensor] {
        let (gradient, mu, nu, param) = (values[0], values[1], values[2], values[3])
        let (direction, newMu, newNu) = adamUpdate(
            gradient: gradient, mu: mu, nu: nu, correction1: Tensor(Float(0.271)), correction2: Tensor(Float(0.002997)),
            b1: 0.9, b2: 0.999, eps: 1e-8, epsRoot: 0)
        return [param + direction * -0.01, newMu, newNu]
    }

    @Test(arguments: [5, 40_000])
    func fusedStepEqualsUnfusedBits(count: Int) {
        let cache = JitCache()
        let values = inputs(count)
        _ = jit({ (values: [Tensor]) in step(values) }, cache: cache)(values)
        let fused = ExecutionPlan(cache.jaxprs[0])
        let unfused = ExecutionPlan(cache.jaxprs[0], fusesElementwise: false)
        #expect(fused.steps.contains { $0.primitive is AdamApply })
        #expect(fused.steps.count == 1)
        let expected = step(values)
        for (index, (got, unfusedValue)) in zip(fused.run(values), unfused.run(values)).enumerated() {
            #expect(got.scalars(as: Float.self).map(\.bitPattern) == unfusedValue.scalars(as: Float.self).map(\.bitPattern))
            #expect(got.scalars(as: Float.self).map(\.bitPattern) == expected[index].scalars(as: Float.self).map(\.bitPattern))
        }
    }

    @Test func donatedInputsMayHoldAnyOutput() {
        // With every input donated, the fused step's outputs go into the inputs'
        // buffers; repeated calls on fresh inputs must give the eager values.
        let withComputedGradient = { (values: [Tensor]) in step([values[0] * 2] + values[1...]) }
        let expected = withComputedGradient(inputs(4000)).map { $0.scalars(as: Float.self).map(\.bitPattern) }
        let compiled = jit(withComputedGradient, donateArgnums: [0])
        for _ in 0..<2 {
            let fresh = inputs(4000).map { Tensor($0.scalars(as: Float.self), shape: $0.shape) }
            let got = compiled(fresh).map { $0.scalars(as: Float.self).map(\.bitPattern) }
            #expect(got == expected)
        }
    }

    @Test func kernelReadsEveryInputBeforeWriting() {
        // A plan may put an output into any input's buffer, here the new first moment
        // into the parameter's, so the kernel must read all inputs first.
        let count = 1001
        let values = inputs(count).map { $0.scalars(as: Float.self) }
        let constants = AdamConstants(
            keep1: Float(1 - 0.9), decay1: 0.9, keep2: Float(1 - 0.999), decay2: 0.999, correction1: 0.271,
            correction2: 0.002997, eps: 1e-8, epsRoot: 0, addsRoot: false)
        // The kernel reads and writes through pointers, so every buffer is allocated
        // here and outlives the calls.
        func buffer(_ values: [Float]) -> UnsafeMutableBufferPointer<Float> {
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            _ = buffer.initialize(from: values)
            return buffer
        }
        let zeros = [Float](repeating: 0, count: count)
        let (g, mu, nu, param) = (buffer(values[0]), buffer(values[1]), buffer(values[2]), buffer(values[3]))
        let (expectedParam, expectedMu, expectedNu) = (buffer(zeros), buffer(zeros), buffer(zeros))
        let (newParam, newNu) = (buffer(zeros), buffer(zeros))
        let shared = buffer(values[3])  // the parameter, overwritten by the new first moment
        defer {
            for buffer in [g, mu, nu, param, expectedParam, expectedMu, expectedNu, newParam, newNu, shared] {
                buffer.deallocate()
            }
        }

        let separate = AdamKernel.Leaf(
            gradient: g.baseAddress!, mu: mu.baseAddress!, nu: nu.baseAddress!, param: param.baseAddress!,
            out: expectedParam.baseAddress!, newMu: expectedMu.baseAddress!, newNu: expectedNu.baseAddress!, count: count)
        AdamKernel.run([separate], constants, scale: -0.01)

        let aliased = AdamKernel.Leaf(
            gradient: g.baseAddress!, mu: mu.baseAddress!, nu: nu.baseAddress!, param: shared.baseAddress!,
            out: newParam.baseAddress!, newMu: shared.baseAddress!, newNu: newNu.baseAddress!, count: count)
        AdamKernel.run([aliased], constants, scale: -0.01)

        #expect(newParam.map(\.bitPattern) == expectedParam.map(\.bitPattern))
        #expect(shared.map(\.bitPattern) == expectedMu.map(\.bitPattern))
        #expect(newNu.map(\.bitPattern) == expectedNu.map(\.bitPattern))
    }

    @Test func parameterTensorsShareOneStep() {
        // Three parameter tensors of different sizes (two of one shape), so that the
        // parallel parts cut across tensors and a buffer could go to the wrong leaf.
        let sizes = [40_000, 7, 7]
        let leaves = sizes.map(inputs)
        // One step count for all tensors, so they share the bias corrections.
        let function = { (values: [Tensor]) in
            let count = values.last!.sum() * 0 + 3
            let correction1 = 1 - pow(Tensor(Float(0.9)), count)
            let correction2 = 1 - pow(Tensor(Float(0.999)), count)
            return (0..<sizes.count).flatMap { leaf -> [Tensor] in
                let (gradient, mu, nu, param) = (values[4 * leaf], values[4 * leaf + 1], values[4 * leaf + 2], values[4 * leaf + 3])
                let (direction, newMu, newNu) = adamUpdate(
                    gradient: gradient, mu: mu, nu: nu, correction1: correction1, correction2: correction2,
                    b1: 0.9, b2: 0.999, eps: 1e-8, epsRoot: 0)
                return [param + direction * -0.01, newMu, newNu]
            }
        }
        let cache = JitCache()
        let flat = leaves.flatMap { $0 }
        _ = jit(function, cache: cache)(flat)
        let plan = ExecutionPlan(cache.jaxprs[0])
        let applies = plan.steps.filter { $0.primitive is AdamApply }
        #expect(applies.count == 1)
        #expect(applies.first?.primitive.parameterDescription.hasSuffix("leaves=3") == true)

        let expected = function(flat).map { $0.scalars(as: Float.self).map(\.bitPattern) }
        let compiled = jit(function, donateArgnums: [0])
        for _ in 0..<2 {
            let fresh = flat.map { Tensor($0.scalars(as: Float.self), shape: $0.shape) }
            #expect(compiled(fresh).map { $0.scalars(as: Float.self).map(\.bitPattern) } == expected)
        }
    }

    @Test func directionReadElsewhereIsNotFused() {
        let cache = JitCache()
        let values = inputs(9)
        let function = { (values: [Tensor]) in
            let (direction, newMu, newNu) = adamUpdate(
                gradient: values[0], mu: values[1], nu: values[2], correction1: Tensor(Float(0.1)),
                correction2: Tensor(Float(0.001)), b1: 0.9, b2: 0.999, eps: 1e-8, epsRoot: 0)
            return [values[3] + direction * -0.01, newMu, newNu, direction]
        }
        _ = jit(function, cache: cache)(values)
        let plan = ExecutionPlan(cache.jaxprs[0])
        #expect(!plan.steps.contains { $0.primitive is AdamApply })
        #expect(plan.run(values)[0].floats == function(values)[0].floats)
    }
}
