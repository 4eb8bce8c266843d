import Testing
@testable import Tensor

/// Control flow inside `jit`, where loop bodies and branches run as compiled sub-plans.
@Suite struct JitControlFlowTests {
    private func recurrence(_ c: Tensor, _ w: Tensor) -> Tensor { sin(c) * w + c * 0.5 }

    /// Checks that the plan built from the first trace in `cache` has a compiled loop or branch step.
    private func planHasCompiledStep(_ cache: JitCache) -> Bool {
        let plan = ExecutionPlan(cache.jaxprs[0])
        return plan.steps.contains {
            $0.primitive is CompiledScan || $0.primitive is CompiledWhileLoop || $0.primitive is CompiledSwitch
        }
    }

    @Test func forLoopEqualsEagerBitForBit() {
        let x = GradientCheck.uniform([64], -1, 1, seed: 1)
        let w = GradientCheck.uniform([64], -1, 1, seed: 2)
        let function = { (inputs: [Tensor]) -> Tensor in
            forLoop(0, 50, body: { i, c in self.recurrence(c, inputs[1]) + i.astype(.float32) * 0.01 }, initial: inputs[0])
        }
        let cache = JitCache()
        let jitted = jit(function, cache: cache)
        #expect(jitted([x, w]).floats == function([x, w]).floats)
        #expect(planHasCompiledStep(cache))
    }

    @Test func scanEqualsEagerBitForBit() {
        let xs = GradientCheck.uniform([7, 3], -1, 1, seed: 3)
        let w = GradientCheck.uniform([3], -1, 1, seed: 4)
        for reverse in [false, true] {
            let function = { (inputs: [Tensor]) -> [Tensor] in
                let (carry, ys) = scan(
                    { (c: Tensor, x: Tensor) in (tanh(c * inputs[1] + x), (c * x).sum()) },
                    initial: Tensor.zeros([3]), xs: inputs[0], reverse: reverse)
                return [carry, ys]
            }
            let jitted = jit(function)([xs, w])
            let eager = function([xs, w])
            #expect(jitted[0].floats == eager[0].floats)
            #expect(jitted[1].floats == eager[1].floats)
            #expect(jitted[1].shape == [7])
        }
    }

    @Test func whileLoopEqualsEager() {
        let function = { (x: Tensor) -> Tensor in
            whileLoop(condition: { c in c.sum() .< 100 }, body: { c in c * 1.5 + 0.25 }, initial: x)
        }
        let x = Tensor([0.5, 1, 2] as [Float])
        let cache = JitCache()
        #expect(jit(function, cache: cache)(x).floats == function(x).floats)
        #expect(planHasCompiledStep(cache))
    }

    @Test func nestedLoopsEqualEager() {
        let function = { (x: Tensor) -> Tensor in
            forLoop(0, 3, body: { _, c in
                forLoop(0, 2, body: { _, inner in sin(inner) + c }, initial: c)
            }, initial: x)
        }
        let x = Tensor([0.1, -0.3] as [Float])
        #expect(jit(function)(x).floats == function(x).floats)
    }

    @Test func condInsideLoopEqualsEager() {
        let function = { (x: Tensor) -> Tensor in
            forLoop(0, 8, body: { i, c in
                cond((i % 2) .== 0, { (c: Tensor) in c * 0.5 }, { c in exp(c) }, c)
            }, initial: x)
        }
        let x = Tensor([0.25, -0.5] as [Float])
        #expect(jit(function)(x).floats == function(x).floats)
    }

    @Test func scanOfLengthZeroUnderJit() {
        let function = { (xs: Tensor) -> [Tensor] in
            let (carry, ys) = scan({ (c: Tensor, x: Tensor) in (c + x, c * x) }, initial: Tensor.ones([2]), xs: xs)
            return [carry, ys]
        }
        let result = jit(function)(Tensor.zeros([0, 2]))
        #expect(result[0].floats == [1, 1])
        #expect(result[1].shape == [0, 2])
    }

    @Test func condCompilesBothBranches() {
        let w = Tensor([2, -1, 0.5] as [Float])
        let function = { (inputs: [Tensor]) -> Tensor in
            cond(inputs[0].sum() .> 0, { (x: Tensor) in x * w + 1 }, { x in exp(x) - inputs[1] }, inputs[0])
        }
        let cache = JitCache()
        let jitted = jit(function, cache: cache)
        let offset = Tensor([1, 2, 3] as [Float])
        let positive = Tensor([1, 2, 3] as [Float])
        let negative = Tensor([-1, -2, -3] as [Float])
        #expect(jitted([positive, offset]).floats == function([positive, offset]).floats)
        #expect(jitted([negative, offset]).floats == function([negative, offset]).floats)
        #expect(cache.traceCount == 1)

        let plan = ExecutionPlan(cache.jaxprs[0])
        let compiled = plan.steps.compactMap { $0.primitive as? CompiledSwitch }
        #expect(compiled.count == 1)
        #expect(compiled.first?.branches.count == 2)
    }

    @Test func bodyTracedOncePerSignature() {
        let bodyCalls = Counter()
        let function = { (x: Tensor) -> Tensor in
            forLoop(0, 1000, body: { _, c in
                bodyCalls.increment()
                return c * 0.999 + 0.001
            }, initial: x)
        }
        let cache = JitCache()
        let jitted = jit(function, cache: cache)

        _ = jitted(Tensor([1, 2] as [Float]))
        // One call closes the body over its captures, one traces it for the sub-plan.
        #expect(bodyCalls.value == 2)
        _ = jitted(Tensor([3, 4] as [Float]))
        #expect(bodyCalls.value == 2)
        #expect(cache.traceCount == 1)

        _ = jitted(Tensor([1, 2, 3] as [Float]))
        #expect(bodyCalls.value == 4)
        #expect(cache.traceCount == 2)
    }

    @Test func gradOfJitThroughForLoop() {
        let x = Tensor([0.3, -0.4, 1.1] as [Float])
        let w = Tensor([0.9, 1.2, -0.5] as [Float])
        let function = { (inputs: [Tensor]) -> Tensor in
            forLoop(0, 6, body: { _, c in self.recurrence(c, inputs[1]) }, initial: inputs[0]).sum()
        }
        let eager = grad(function)([x, w])
        let gradOfJit = grad(jit(function))([x, w])
        let jitOfGrad = jit(grad(function))([x, w])
        for index in 0..<2 {
            expectClose(gradOfJit[index], eager[index].floats, tolerance: 1e-6)
            expectClose(jitOfGrad[index], eager[index].floats, tolerance: 1e-6)
        }
    }

    @Test func gradOfJitThroughScan() {
        let xs = GradientCheck.uniform([5, 3], -1, 1, seed: 5)
        let w = GradientCheck.uniform([3], -1, 1, seed: 6)
        let function = { (inputs: [Tensor]) -> Tensor in
            let (carry, ys) = scan(
                { (c: Tensor, x: Tensor) in (tanh(c * inputs[1] + x), (c * x).sum()) },
                initial: Tensor.zeros([3]), xs: inputs[0])
            return carry.sum() + ys.sum()
        }
        let eager = grad(function)([xs, w])
        let gradOfJit = grad(jit(function))([xs, w])
        let jitOfGrad = jit(grad(function))([xs, w])
        for index in 0..<2 {
            expectClose(gradOfJit[index], eager[index].floats, tolerance: 1e-6)
            expectClose(jitOfGrad[index], eager[index].floats, tolerance: 1e-6)
        }
    }

    @Test func vmapOfJittedLoop() {
        let batch = GradientCheck.uniform([4, 3], -1, 1, seed: 7)
        let w = Tensor([0.5, -1, 2] as [Float])
        let function = { (x: Tensor) in forLoop(0, 5, body: { i, c in sin(c) * w + i.astype(.float32) }, initial: x) }
        let jitted = jit(function)
        let batched = vmap(jitted)(batch)
        let jitOfVmap = jit(vmap(function))(batch)
        let perExample = stack((0..<4).map { function(batch.index(axis: 0, $0)) }, axis: 0)
        expectClose(batched, perExample.floats, shape: [4, 3], tolerance: 1e-5)
        expectClose(jitOfVmap, perExample.floats, shape: [4, 3], tolerance: 1e-5)
    }
}

/// A call counter that a body closure can increment.
private final class Counter: @unchecked Sendable {
    private(set) var value = 0
    func increment() { value += 1 }
}

/// `makeJaxpr` prints the jaxprs of loop bodies and branches inside the parameters.
@Suite struct ControlFlowJaxprPrintingTests {
    @Test func forLoopPrintsBodyJaxpr() {
        let function = { (x: Tensor) in forLoop(0, 3, body: { _, c in c * 2 }, initial: x) }
        let expected = """
            { lambda ; a:f32[]. let
                b:i32[] c:f32[] = scan[
                  jaxpr={ lambda ; d:i32[] e:f32[]. let
                      f:i32[] = add d 1:i32[]
                      g:f32[] = mul e 2.0:f32[]
                    in (f, g) }
                  length=3
                  reverse=False
                ] 0:i32[] a
              in (c,) }
            """
        #expect(makeJaxpr(function)(Tensor(Float(1))).description == expected)
    }

    @Test func whileAndCondPrintBodies() {
        let function = { (x: Tensor) -> Tensor in
            let doubled = whileLoop(condition: { (c: Tensor) in c.sum() .< 100 }, body: { c in c * 2 }, initial: x)
            return cond(doubled.sum() .> 150, { (c: Tensor) in c - 1 }, { c in c + 1 }, doubled)
        }
        let text = makeJaxpr(function)(Tensor([1, 2] as [Float])).description
        #expect(text.contains("body_jaxpr={ lambda ; c:f32[2]. let d:f32[2] = mul c 2.0:f32[] in (d,) }"))
        #expect(text.contains("cond_jaxpr={ lambda ; e:f32[2]. let"))
        #expect(text.contains("branches=("))
        // The false branch comes first, as in JAX.
        #expect(text.contains("{ lambda ; l:f32[2]. let m:f32[2] = add l 1.0:f32[] in (m,) }"))
        #expect(text.contains("{ lambda ; n:f32[2]. let o:f32[2] = sub n 1.0:f32[] in (o,) }"))
    }
}
