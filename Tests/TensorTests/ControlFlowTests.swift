import Testing
@testable import Tensor

/// Values of cond, switchCase, whileLoop, forLoop and scan against plain Swift loops.
@Suite struct ControlFlowValueTests {
    @Test func condSelectsBranch() {
        let x = Tensor([1, -2, 3] as [Float])
        let positive = cond(Tensor(true), { (x: Tensor) in x * 2 }, { x in -x }, x)
        let negative = cond(Tensor(false), { (x: Tensor) in x * 2 }, { x in -x }, x)
        expectClose(positive, [2, -4, 6], shape: [3])
        expectClose(negative, [-1, 2, -3], shape: [3])
    }

    @Test func condOnTracedPredicateValue() {
        let x = Tensor([1, -2, 3] as [Float])
        let result = cond(x.sum() .> 0, { (x: Tensor) in x + 10 }, { x in x - 10 }, x)
        expectClose(result, [11, 8, 13])
    }

    @Test func condNumericPredicateIsNonzero() {
        let result = condFlat(Tensor(Int32(3)), { [$0[0] + 1] }, { [$0[0] - 1] }, operands: [Tensor(Float(5))])
        expectClose(result[0], [6])
    }

    @Test func condOverTrees() {
        let operands: [String: Tensor] = ["a": Tensor([1, 2] as [Float]), "b": Tensor(Float(3))]
        let result = cond(
            Tensor(true),
            { (tree: [String: Tensor]) in ["sum": tree["a"]! + tree["b"]!, "product": tree["a"]! * tree["b"]!] },
            { tree in ["sum": tree["a"]!, "product": tree["a"]!] },
            operands)
        expectClose(result["sum"]!, [4, 5])
        expectClose(result["product"]!, [3, 6])
    }

    @Test func condRunsOnlySelectedBranchOnValues() {
        // Both branches are traced on placeholders, but only the selected one receives values.
        final class Counter: @unchecked Sendable { var concreteCalls = 0 }
        let counter = Counter()
        let result = cond(
            Tensor(true), { (x: Tensor) in x + 1 },
            { (x: Tensor) in
                if x.isConcrete { counter.concreteCalls += 1 }
                return x - 1
            },
            Tensor(Float(2)))
        expectClose(result, [3])
        #expect(counter.concreteCalls == 0)
    }

    @Test func switchCaseClampsIndex() {
        let branches: [(Tensor) -> Tensor] = [{ $0 + 1 }, { $0 * 10 }, { $0 - 100 }]
        let x = Tensor(Float(2))
        let expected: [(Int32, Float)] = [(-5, 3), (0, 3), (1, 20), (2, -98), (7, -98)]
        for (index, value) in expected {
            expectClose(switchCase(Tensor(index), branches, x), [value])
        }
    }

    @Test func whileLoopMatchesSwiftLoop() {
        let result = whileLoop(
            condition: { (c: [String: Tensor]) in c["value"]! .< 1000 },
            body: { c in ["value": c["value"]! * 3 + 1, "steps": c["steps"]! + 1] },
            initial: ["value": Tensor(Int32(1)), "steps": Tensor(Int32(0))])
        var value: Int32 = 1
        var steps: Int32 = 0
        while value < 1000 {
            value = value * 3 + 1
            steps += 1
        }
        #expect(result["value"]!.ints == [value])
        #expect(result["steps"]!.ints == [steps])
    }

    @Test func whileLoopWithFalseConditionReturnsInitial() {
        let result = whileLoopFlat(condition: { $0[0] .> 5 }, body: { [$0[0] - 1] }, initial: [Tensor(Float(2))])
        expectClose(result[0], [2])
    }

    @Test func forLoopMatchesSwiftLoop() {
        let x = Tensor([0.5, -1, 2] as [Float])
        let result = forLoop(2, 7, body: { i, c in c * 0.9 + i.astype(.float32) * 0.1 }, initial: x)
        var expected: [Float] = [0.5, -1, 2]
        for i in 2..<7 {
            expected = expected.map { $0 * 0.9 + Float(i) * 0.1 }
        }
        expectClose(result, expected, tolerance: 1e-5)
    }

    @Test func forLoopWithEmptyRangeReturnsInitial() {
        let result = forLoop(5, 3, body: { _, c in c + 1 }, initial: Tensor(Float(4)))
        expectClose(result, [4])
    }

    @Test func forLoopOverTreeCarry() {
        let initial: [String: Tensor] = ["x": Tensor(Float(1)), "count": Tensor(Int32(0))]
        let result = forLoop(0, 4, body: { i, c in ["x": c["x"]! * 2, "count": c["count"]! + i] }, initial: initial)
        expectClose(result["x"]!, [16])
        #expect(result["count"]!.ints == [6])
    }

    @Test func forLoopWithTensorBounds() {
        let result = forLoop(
            Tensor(Int32(2)), Tensor(Int32(6)), body: { i, c in c * 2 + i.astype(.float32) }, initial: Tensor(Float(1)))
        var expected: Float = 1
        for i in 2..<6 {
            expected = expected * 2 + Float(i)
        }
        expectClose(result, [expected])
    }

    @Test func forLoopOfThousandSteps() {
        let result = forLoop(0, 1000, body: { _, c in c + 1 }, initial: Tensor(Float(0)))
        expectClose(result, [1000])
    }

    @Test func scanCumulativeSum() {
        let values: [Float] = [1, 2, 3, 4, 5]
        let (total, partial) = scan(
            { (c: Tensor, x: Tensor) in (c + x, c + x) }, initial: Tensor(Float(0)), xs: Tensor(values))
        var running: Float = 0
        let expected = values.map { value -> Float in
            running += value
            return running
        }
        expectClose(total, [15])
        expectClose(partial, expected, shape: [5])
    }

    @Test func scanReverse() {
        let values: [Float] = [1, 2, 3]
        let (total, partial) = scan(
            { (c: Tensor, x: Tensor) in (c * 10 + x, c) }, initial: Tensor(Float(0)), xs: Tensor(values), reverse: true)
        // Steps run at t = 2, 1, 0, and y_t is the carry before step t.
        expectClose(total, [321])
        expectClose(partial, [32, 3, 0])
    }

    @Test func scanOverRowsWithTreeOutputs() {
        let xs = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [3, 2])
        let (carry, ys) = scan(
            { (c: Tensor, row: Tensor) in (c + row, ["sum": row.sum(), "scaled": row * c.sum()]) },
            initial: Tensor.zeros([2]), xs: xs)
        expectClose(carry, [9, 12])
        expectClose(ys["sum"]!, [3, 7, 11], shape: [3])
        // The carry before each row sums to 0, 3 and 10.
        expectClose(ys["scaled"]!, [0, 0, 9, 12, 50, 60], shape: [3, 2])
    }

    @Test func scanWithLengthOnly() {
        let (carry, ys) = scan(
            { (c: Tensor, _: [Tensor]) in (c * 2, c) }, initial: Tensor(Float(1)), xs: [Tensor](), length: 4)
        expectClose(carry, [16])
        expectClose(ys, [1, 2, 4, 8], shape: [4])
    }

    @Test func scanOfLengthZero() {
        let (carry, ys) = scanFlat(
            { c, x in ([c[0] + x[0].sum()], [x[0] * 2]) }, initial: [Tensor(Float(1))], xs: [Tensor.zeros([0, 3])])
        expectClose(carry[0], [1])
        #expect(ys[0].shape == [0, 3])
    }

    @Test func loopInsideLoop() {
        let result = forLoop(0, 3, body: { _, c in
            forLoop(0, 2, body: { _, inner in inner + c }, initial: c)
        }, initial: Tensor(Float(1)))
        // Each outer step triples the carry.
        expectClose(result, [27])
    }

    @Test func capturedTensorInBody() {
        let w = Tensor([2, 3] as [Float])
        let result = forLoop(0, 3, body: { _, c in c * exp(w * 0) * w }, initial: Tensor.ones([2]))
        expectClose(result, [8, 27])
    }
}

/// `grad` through cond, forLoop and scan against finite differences and the unrolled loops.
@Suite struct ControlFlowGradTests {
    private func recurrence(_ c: Tensor, _ w: Tensor) -> Tensor { sin(c) * w + c * 0.5 }

    @Test func condGradientMatchesFiniteDifferences() {
        for predicate in [true, false] {
            let function: ([Tensor]) -> Tensor = { inputs in
                let w = inputs[1]
                return cond(Tensor(predicate), { (x: Tensor) in sin(x) * w }, { x in x * x * w }, inputs[0])
            }
            let inputs = [GradientCheck.uniform([3], -1, 1, seed: 1), GradientCheck.uniform([3], -1, 1, seed: 2)]
            #expect(GradientCheck.mismatches(function, inputs) == [])
        }
    }

    @Test func condGradientMatchesSwiftBranch() {
        let x = Tensor([0.3, -0.7] as [Float])
        for predicate in [true, false] {
            let throughCond = grad({ (x: Tensor) in
                cond(Tensor(predicate), { (x: Tensor) in exp(x).sum() }, { x in (x * x * x).sum() }, x)
            })(x)
            let direct = grad({ (x: Tensor) in predicate ? exp(x).sum() : (x * x * x).sum() })(x)
            expectClose(throughCond, direct.floats)
        }
    }

    @Test func forLoopGradientMatchesUnrolledLoop() {
        let x = Tensor([0.3, -0.4, 1.1] as [Float])
        let w = Tensor([0.9, 1.2, -0.5] as [Float])
        let throughLoop = grad({ (inputs: [Tensor]) in
            forLoop(0, 6, body: { _, c in self.recurrence(c, inputs[1]) }, initial: inputs[0]).sum()
        })([x, w])
        let unrolled = grad({ (inputs: [Tensor]) in
            var c = inputs[0]
            for _ in 0..<6 { c = self.recurrence(c, inputs[1]) }
            return c.sum()
        })([x, w])
        expectClose(throughLoop[0], unrolled[0].floats, tolerance: 1e-5)
        expectClose(throughLoop[1], unrolled[1].floats, tolerance: 1e-5)
    }

    @Test func forLoopGradientMatchesFiniteDifferences() {
        let function: ([Tensor]) -> Tensor = { inputs in
            forLoop(1, 5, body: { i, c in sin(c) * inputs[1] + i.astype(.float32) * 0.1 }, initial: inputs[0])
        }
        let inputs = [GradientCheck.uniform([4], -1, 1, seed: 3), GradientCheck.uniform([4], -1, 1, seed: 4)]
        #expect(GradientCheck.mismatches(function, inputs) == [])
    }

    @Test func scanGradientMatchesUnrolledLoop() {
        let xs = GradientCheck.uniform([5, 3], -1, 1, seed: 5)
        let w = GradientCheck.uniform([3], -1, 1, seed: 6)
        let h0 = GradientCheck.uniform([3], -1, 1, seed: 7)
        let loss = { (inputs: [Tensor]) -> Tensor in
            let (h, ys) = scan(
                { (h: Tensor, x: Tensor) in
                    let next = tanh(h * inputs[1] + x)
                    return (next, next * next)
                },
                initial: inputs[0], xs: inputs[2])
            return h.sum() + ys.sum()
        }
        let unrolledLoss = { (inputs: [Tensor]) -> Tensor in
            var h = inputs[0]
            var total = Tensor(Float(0))
            for t in 0..<5 {
                h = tanh(h * inputs[1] + inputs[2].index(axis: 0, t))
                total = total + (h * h).sum()
            }
            return h.sum() + total
        }
        let throughScan = grad(loss)([h0, w, xs])
        let unrolled = grad(unrolledLoss)([h0, w, xs])
        for (actual, expected) in zip(throughScan, unrolled) {
            expectClose(actual, expected.floats, shape: expected.shape, tolerance: 1e-5)
        }
    }

    @Test func scanGradientMatchesFiniteDifferences() {
        for reverse in [false, true] {
            let function: ([Tensor]) -> Tensor = { inputs in
                let (carry, ys) = scanFlat(
                    { c, x in ([c[0] * x[0] + sin(c[0])], [c[0] * inputs[2]]) },
                    initial: [inputs[0]], xs: [inputs[1]], reverse: reverse)
                return concatenate([carry[0], ys[0].flatten()])
            }
            let inputs = [
                GradientCheck.uniform([2], -1, 1, seed: 8), GradientCheck.uniform([4, 2], -1, 1, seed: 9),
                GradientCheck.uniform([2], -1, 1, seed: 10),
            ]
            #expect(GradientCheck.mismatches(function, inputs) == [], "reverse: \(reverse)")
        }
    }

    @Test func secondDerivativeThroughForLoop() {
        // The loop computes x * w^3, whose second derivative in w is 6 x w.
        let x = Tensor(Float(1.5))
        let secondDerivative = grad(grad({ (w: Tensor) in
            forLoop(0, 3, body: { _, c in c * w }, initial: x)
        }))(Tensor(Float(0.7)))
        expectClose(secondDerivative, [6 * 1.5 * 0.7], tolerance: 1e-5)
    }

    @Test func secondDerivativeThroughScanAndCond() {
        // The loop applies c -> sin(c) * w three times, compared with the unrolled loop.
        let function = { (w: Tensor) -> Tensor in
            forLoop(0, 3, body: { _, c in cond(Tensor(true), { (c: Tensor) in sin(c) * w }, { c in c }, c) }, initial: w)
        }
        let unrolled = { (w: Tensor) -> Tensor in
            var c = w
            for _ in 0..<3 { c = sin(c) * w }
            return c
        }
        let w = Tensor(Float(0.8))
        expectClose(grad(grad(function))(w), grad(grad(unrolled))(w).floats, tolerance: 1e-5)
    }

    @Test func jvpThroughScanMatchesUnrolledLoop() {
        // Forward mode transposes the vjp rules, so it works through scan and cond too.
        let function = { (x: Tensor) -> Tensor in
            let step = { (c: Tensor, x: Tensor) in
                (cond(Tensor(true), { (c: Tensor) in sin(c) * x }, { c in c }, c), c)
            }
            return scan(step, initial: x.sum(), xs: x).carry
        }
        let unrolled = { (x: Tensor) -> Tensor in
            var c = x.sum()
            for t in 0..<3 { c = sin(c) * x.index(axis: 0, t) }
            return c
        }
        let x = Tensor([0.4, -0.3, 0.9] as [Float])
        let direction = Tensor([1, 0.5, -2] as [Float])
        let throughScan = jvp(function, x, direction)
        let expected = jvp(unrolled, x, direction)
        expectClose(throughScan.output, expected.output.floats, tolerance: 1e-5)
        expectClose(throughScan.tangent, expected.tangent.floats, tolerance: 1e-5)
    }

    @Test func gradOfVJPRuleMatchesFiniteDifferences() {
        // Differentiates the vjp rule itself: d/dx sum(v * grad_x sum(w * f(x))).
        let function: ([Tensor]) -> Tensor = { inputs in
            forLoop(0, 3, body: { _, c in sin(c) * inputs[1] }, initial: inputs[0])
        }
        let inputs = [GradientCheck.uniform([3], -1, 1, seed: 11), GradientCheck.uniform([3], -1, 1, seed: 12)]
        #expect(GradientCheck.mismatches(GradientCheck.gradientProjection(function), inputs) == [])
    }
}

/// `vmap` through the four constructs against per-example results stacked.
@Suite struct ControlFlowVMapTests {
    /// Applies `function` to each row of `batch` and stacks the results.
    private func perExample(_ batch: Tensor, _ function: (Tensor) -> Tensor) -> Tensor {
        stack((0..<batch.shape[0]).map { function(batch.index(axis: 0, $0)) })
    }

    @Test func condWithBatchedPredicate() {
        let xs = Tensor([1, 2, -3, -4, 5, -6] as [Float], shape: [3, 2])
        let function = { (x: Tensor) in cond(x.sum() .> 0, { (x: Tensor) in x * 2 }, { x in -x + 1 }, x) }
        let batched = vmap(function)(xs)
        expectClose(batched, perExample(xs, function).floats, shape: [3, 2])
    }

    @Test func condWithUnbatchedPredicate() {
        let xs = Tensor([1, 2, -3, -4] as [Float], shape: [2, 2])
        let function = { (x: Tensor) in cond(Tensor(false), { (x: Tensor) in x * 2 }, { x in x - 1 }, x) }
        expectClose(vmap(function)(xs), perExample(xs, function).floats, shape: [2, 2])
    }

    @Test func switchCaseWithBatchedIndex() {
        let indices = Tensor([0, 2, 1, 5] as [Int32])
        let x = Tensor(Float(3))
        let branches: [(Tensor) -> Tensor] = [{ $0 + 1 }, { $0 * 10 }, { $0 - 100 }]
        let batched = vmap({ (index: Tensor) in switchCase(index, branches, x) })(indices)
        expectClose(batched, [4, -97, 30, -97])
    }

    @Test func whileLoopWithBatchedPredicate() {
        let limits = Tensor([5, 100, 1, 40] as [Int32])
        let function = { (limit: Tensor) -> Tensor in
            let result = whileLoop(
                condition: { (c: [Tensor]) in c[0] .< limit },
                body: { c in [c[0] * 2, c[1] + 1] },
                initial: [Tensor(Int32(1)), Tensor(Int32(0))])
            return stack(result)
        }
        let batched = vmap(function)(limits)
        let expected = perExample(limits, function)
        #expect(batched.ints == expected.ints)
        // Doubling from 1: 5 needs 3 steps, 100 needs 7, 1 needs 0, 40 needs 6.
        #expect(batched.ints == [8, 3, 128, 7, 1, 0, 64, 6])
    }

    @Test func forLoopWithBatchedTensorBound() {
        let uppers = Tensor([0, 3, 1, 5] as [Int32])
        let function = { (upper: Tensor) in
            forLoop(Tensor(Int32(0)), upper, body: { i, c in c + i.astype(.float32) }, initial: Tensor(Float(10)))
        }
        // Sums of 0..<n added to 10.
        expectClose(vmap(function)(uppers), [10, 13, 10, 20])
    }

    @Test func forLoopWithBatchedCarry() {
        let xs = GradientCheck.uniform([4, 3], -1, 1, seed: 13)
        let w = Tensor([0.5, -1, 2] as [Float])
        let function = { (x: Tensor) in forLoop(0, 5, body: { i, c in sin(c) * w + i.astype(.float32) }, initial: x) }
        expectClose(vmap(function)(xs), perExample(xs, function).floats, shape: [4, 3], tolerance: 1e-5)
    }

    @Test func forLoopWithBatchedCapturedTensor() {
        let ws = GradientCheck.uniform([3, 2], -1, 1, seed: 14)
        let x = Tensor([1, 2] as [Float])
        let function = { (w: Tensor) in forLoop(0, 4, body: { _, c in c * w + 1 }, initial: x) }
        expectClose(vmap(function)(ws), perExample(ws, function).floats, shape: [3, 2], tolerance: 1e-5)
    }

    @Test func scanWithBatchedXs() {
        let batch = GradientCheck.uniform([2, 5, 3], -1, 1, seed: 15)
        let function = { (xs: Tensor) -> Tensor in
            let (carry, ys) = scan({ (c: Tensor, x: Tensor) in (tanh(c + x), c.sum()) }, initial: Tensor.zeros([3]), xs: xs)
            return concatenate([carry, ys])
        }
        expectClose(vmap(function)(batch), perExample(batch, function).floats, shape: [2, 8], tolerance: 1e-5)
    }

    @Test func scanWithXsBatchedOnLaterAxis() {
        // The batch axis of xs is axis 1, after the scanned axis.
        let batch = GradientCheck.uniform([5, 2], -1, 1, seed: 16)
        let function = { (xs: Tensor) -> Tensor in scan({ (c: Tensor, x: Tensor) in (c + x, c * x) }, initial: Tensor(Float(0)), xs: xs).ys }
        let batched = vmap(function, inAxes: 1)(batch)
        let expected = perExample(batch.transposed(), function)
        expectClose(batched, expected.floats, shape: [2, 5], tolerance: 1e-5)
    }

    @Test func vmapOfGradThroughScan() {
        let batch = GradientCheck.uniform([3, 4], -1, 1, seed: 17)
        let gradient = grad({ (w: Tensor) in
            let (_, ys) = scan(
                { (c: Tensor, x: Tensor) in (sin(c * w + x), c) }, initial: Tensor.full([4], 0.1),
                xs: Tensor([1, 2, 3] as [Float]))
            return ys.sum()
        })
        let function = { (w: Tensor) in gradient(w) }
        expectClose(vmap(function)(batch), perExample(batch, function).floats, shape: [3, 4], tolerance: 1e-4)
    }
}

/// Under jit and makeJaxpr a loop is one equation whose body is not unrolled.
@Suite struct ControlFlowJitTests {
    @Test func forLoopIsOneScanEquation() {
        let function = { (x: Tensor) in forLoop(0, 1000, body: { _, c in c * 0.5 + 1 }, initial: x) }
        let jaxpr = makeJaxpr(function)(Tensor(Float(0)))
        #expect(jaxpr.equations.map(\.primitive.name) == ["scan"])
        #expect(jaxpr.description.contains("length=1000"))
    }

    @Test func constantsInBodyStayInBody() {
        let scale = Tensor([1, 2, 3] as [Float])
        let function = { (x: Tensor) in forLoop(0, 10, body: { _, c in c * exp(scale * 0) }, initial: x) }
        let jaxpr = makeJaxpr(function)(Tensor.ones([3]))
        #expect(jaxpr.equations.map(\.primitive.name) == ["scan"])
        expectClose(jit(function)(Tensor.ones([3])), [1, 1, 1])
    }

    @Test func jitRunsForLoop() {
        let function = { (x: Tensor) in forLoop(0, 1000, body: { _, c in c * 0.5 + 1 }, initial: x) }
        let compiled = jit(function)
        expectClose(compiled(Tensor(Float(0))), [2], tolerance: 1e-5)
        expectClose(compiled(Tensor(Float(4))), [2], tolerance: 1e-5)
    }

    @Test func jitRunsCondAndWhileLoop() {
        let function = { (x: Tensor) -> Tensor in
            let doubled = whileLoop(condition: { (c: Tensor) in c.sum() .< 100 }, body: { c in c * 2 }, initial: x)
            return cond(doubled.sum() .> 150, { (c: Tensor) in c - 1 }, { c in c + 1 }, doubled)
        }
        let x = Tensor([1, 2] as [Float])
        expectClose(jit(function)(x), function(x).floats)
        #expect(makeJaxpr(function)(x).equations.map(\.primitive.name).contains("while"))
    }
}

/// Programmer errors in control flow stop the process with a message naming the
/// construct and the offending leaf.
@Suite struct ControlFlowErrorTests {
    private func expectMessage(
        _ result: ExitTest.Result?, contains parts: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        for part in parts {
            #expect(message.contains(part), "standard error lacks \"\(part)\": \(message.prefix(400))", sourceLocation: sourceLocation)
        }
    }

    @Test func forLoopCarryDtypeChange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = forLoop(0, 3, body: { _, c in c + 1.5 }, initial: Tensor(Int32(1)))
        }
        expectMessage(result, contains: ["forLoop", "changed the carry", "the carry", "f32[]", "i32[]"])
    }

    @Test func whileLoopCarryShapeChangeNamesPath() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = whileLoop(
                condition: { (c: [String: Tensor]) in c["step"]! .< 3 },
                body: { c in ["step": c["step"]! + 1, "state": concatenate([c["state"]!, c["state"]!])] },
                initial: ["step": Tensor(Int32(0)), "state": Tensor.zeros([2])])
        }
        expectMessage(result, contains: ["whileLoop", "'state'", "f32[4]", "f32[2]"])
    }

    @Test func scanCarryStructureChange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = scan(
                { (c: [String: Tensor], x: Tensor) in (["a": c["a"]! + x, "b": x], x) },
                initial: ["a": Tensor(Float(0))], xs: Tensor.zeros([3]))
        }
        expectMessage(result, contains: ["scan", "structure", "b"])
    }

    @Test func condBranchShapeMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = cond(Tensor(true), { (x: Tensor) in x }, { x in x.sum() }, Tensor.zeros([3]))
        }
        expectMessage(result, contains: ["cond", "branch 1", "f32[]", "f32[3]"])
    }

    @Test func condBranchStructureMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = cond(Tensor(true), { (x: Tensor) in ["a": x] }, { x in ["b": x] }, Tensor.zeros([3]))
        }
        expectMessage(result, contains: ["cond", "structure"])
    }

    @Test func condPredicateNotScalar() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = cond(Tensor([true, false]), { (x: Tensor) in x }, { x in x }, Tensor.zeros([3]))
        }
        expectMessage(result, contains: ["cond", "scalar", "(2,)"])
    }

    @Test func forLoopFloatTensorBound() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = forLoop(Tensor(Float(0)), Tensor(Int32(3)), body: { _, c in c + 1 }, initial: Tensor(Float(0)))
        }
        expectMessage(result, contains: ["forLoop", "integer scalars", "f32[]"])
    }

    @Test func gradOfWhileLoop() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = grad({ (x: Tensor) in
                whileLoop(condition: { (c: Tensor) in c .< 10 }, body: { c in c * 2 }, initial: x)
            })(Tensor(Float(1)))
        }
        expectMessage(result, contains: ["whileLoop", "forLoop", "scan"])
    }

    @Test func whileLoopConditionNotBool() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = whileLoop(condition: { (c: Tensor) in c }, body: { c in c - 1 }, initial: Tensor.zeros([2]))
        }
        expectMessage(result, contains: ["whileLoop", "bool scalar", "f32[2]"])
    }

    @Test func readingValueInsideBody() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = forLoop(0, 2, body: { _, c in c.floatValue > 0 ? c : -c }, initial: Tensor(Float(1)))
        }
        expectMessage(result, contains: ["the body of forLoop"])
    }
}
