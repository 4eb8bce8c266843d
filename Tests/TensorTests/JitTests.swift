#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import Testing
@testable import Tensor

/// A training-state-shaped tree: a step counter, parameters, optimizer moments, and a
/// field that is code rather than a leaf.
private struct ModelState: Tree {
    var step: Tensor
    var params: [String: Tensor]
    var moments: [String: Tensor]
    var label: String

    var treeChildren: [(key: String, value: any Tree)] {
        [("step", step), ("params", params), ("moments", moments)]
    }

    func withTreeChildren(_ children: [any Tree]) -> ModelState {
        ModelState(
            step: children[0] as! Tensor, params: children[1] as! [String: Tensor],
            moments: children[2] as! [String: Tensor], label: label)
    }
}

private enum Activation: Hashable {
    case relu, tanh, identity
}

/// Counts calls from inside traced closures, which run at trace time only.
private final class Counter: Sendable {
    private let value = Mutex(0)
    func increment() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}

@Suite struct JitTests {
    @Test func sameSignatureTracesOnce() {
        let cache = JitCache()
        let scaled = jit({ (x: Tensor) in x * 2 + 1 }, cache: cache)
        expectClose(scaled(Tensor([1, 2, 3] as [Float])), [3, 5, 7])
        expectClose(scaled(Tensor([4, 5, 6] as [Float])), [9, 11, 13])
        expectClose(scaled(Tensor([0, 0, 0] as [Float])), [1, 1, 1])
        #expect(cache.traceCount == 1)
        #expect(cache.entryCount == 1)
    }

    @Test func newShapeOrDtypeRetraces() {
        let cache = JitCache()
        let doubled = jit({ (x: Tensor) in x + x }, cache: cache)
        _ = doubled(Tensor.ones([3]))
        _ = doubled(Tensor.ones([4]))
        _ = doubled(Tensor.ones([3], dtype: .int32))
        _ = doubled(Tensor.ones([4]))
        #expect(cache.traceCount == 3)
        #expect(cache.entryCount == 3)
    }

    @Test func alternatingSignaturesRunTheirOwnTraces() {
        // The cache remembers the last signature it served; switching back and forth
        // between two must still pick each call's own trace.
        let cache = JitCache()
        let summed = jit({ (x: Tensor) in x.sum() * 2 }, cache: cache)
        for round in 0..<3 {
            let offset = Float(round)
            #expect(summed(Tensor([1, 2, 3] as [Float]) + offset).floats == [12 + 6 * offset])
            #expect(summed(Tensor([1, 2] as [Float]) + offset).floats == [6 + 4 * offset])
        }
        #expect(cache.traceCount == 2)
    }

    @Test func alternatingTreeStructuresRunTheirOwnTraces() {
        // Each call first checks its arguments against the last structure. Trees with the
        // same leaf types but other keys, another nesting or a list in place of a
        // dictionary must not pass that check, and each must get its own trace.
        let cache = JitCache()
        let weighted = jit({ (tree: TensorTree) in
            treePaths(tree).enumerated().map { index, path in
                treeLeaves(tree)[index] * Float(path.count * 10 + index)
            }.reduce(Tensor(Float(0)), +)
        }, cache: cache)
        let unitLeaf = Tensor(Float(1))
        let trees: [TensorTree] = [
            ["a": unitLeaf, "b": unitLeaf],
            ["a": unitLeaf, "c": unitLeaf],
            ["a": unitLeaf, "b": ["x": unitLeaf]],
            .list([.leaf(unitLeaf), .leaf(unitLeaf)]),
            ["0": unitLeaf, "1": unitLeaf],
        ]
        for _ in 0..<2 {
            for tree in trees {
                let expected = treePaths(tree).enumerated().map { Float($1.count * 10 + $0) }.reduce(0, +)
                #expect(weighted(tree).floats == [expected], "\(tree)")
            }
        }
        #expect(cache.traceCount == trees.count)
    }

    @Test func sideEffectsRunAtTraceTime() {
        let counter = Counter()
        let traced = jit { (x: Tensor) -> Tensor in
            counter.increment()
            return exp(x)
        }
        for _ in 0..<5 { _ = traced(Tensor.zeros([2])) }
        #expect(counter.count == 1)
        _ = traced(Tensor.zeros([3]))
        #expect(counter.count == 2)
    }

    /// The JAX example: a function branching on the rank is traced once per shape.
    @Test func branchOnShapeTracesPerShape() {
        let cache = JitCache()
        let pick = jit(
            { (x: Tensor) -> Tensor in
                if x.ndim == 2 { return Tensor(Float(1)) }
                if x.ndim == 1 { return Tensor(Float(2)) }
                return x
            }, cache: cache)
        #expect(pick(Tensor.ones([1, 1])).floatValue == 1)
        #expect(pick(Tensor.ones([1])).floatValue == 2)
        #expect(pick(Tensor(Float(7))).floatValue == 7)
        #expect(pick(Tensor(Float(8))).floatValue == 8)
        #expect(cache.traceCount == 3)
    }

    @Test func staticBoolSelectsTrace() {
        let cache = JitCache()
        let normalize = jit(
            { (x: Tensor, normal: Bool) -> Tensor in normal ? (x - x.mean()) / x.std() : x }, cache: cache)
        let x = Tensor([1, 2, 3] as [Float])
        expectClose(normalize(x, true), [-1.2247449, 0, 1.2247449], tolerance: 1e-5)
        expectClose(normalize(x, false), [1, 2, 3])
        expectClose(normalize(x * 2, true), [-1.2247449, 0, 1.2247449], tolerance: 1e-5)
        _ = normalize(x, false)
        #expect(cache.traceCount == 2)
        #expect(cache.entryCount == 2)
    }

    @Test func treeKeysAndContainersSelectTraces() {
        // Same leaf types, different keys or containers: each needs its own trace.
        let cache = JitCache()
        let total = jit({ (tree: TensorTree) in treeLeaves(tree).reduce(Tensor(Float(0))) { $0 + $1 * 2 } }, cache: cache)
        let first = Tensor(Float(1))
        let second = Tensor(Float(2))
        #expect(total(["a": first, "b": second]).floatValue == 6)
        #expect(total(["a": second, "b": first]).floatValue == 6)
        #expect(cache.traceCount == 1)
        #expect(total(["a": first, "c": second]).floatValue == 6)
        #expect(cache.traceCount == 2)
        #expect(total(["a": ["b": first], "c": second]).floatValue == 6)
        #expect(cache.traceCount == 3)
        #expect(total(.list([.leaf(first), .leaf(second)])).floatValue == 6)
        #expect(cache.traceCount == 4)
        // A dictionary keyed "0" and "1" is not the list of the same leaves.
        let keyedLikeList = TensorTree.dictionary(["0": .leaf(first), "1": .leaf(second)])
        #expect(total(keyedLikeList).floatValue == 6)
        #expect(cache.traceCount == 5)
    }

    @Test func staticEnumAndIntSelectTraces() {
        let cache = JitCache()
        let activate = jit(
            { (x: Tensor, activation: Activation) -> Tensor in
                switch activation {
                case .relu: return relu(x)
                case .tanh: return tanh(x)
                case .identity: return x
                }
            }, cache: cache)
        let x = Tensor([-1, 0.5] as [Float])
        expectClose(activate(x, .relu), [0, 0.5])
        expectClose(activate(x, .tanh), [tanhf(-1), tanhf(0.5)])
        expectClose(activate(x, .identity), [-1, 0.5])
        _ = activate(x, .relu)
        #expect(cache.traceCount == 3)

        let powerCache = JitCache()
        let power = jit(
            { (x: Tensor, exponent: Int) -> Tensor in (0..<exponent).reduce(Tensor.ones(like: x)) { product, _ in product * x } },
            cache: powerCache)
        expectClose(power(Tensor([2] as [Float]), 3), [8])
        expectClose(power(Tensor([2] as [Float]), 5), [32])
        expectClose(power(Tensor([3] as [Float]), 3), [27])
        #expect(powerCache.traceCount == 2)
    }

    @Test func capturedTensorIsTraceTimeConstant() {
        var offset = Tensor([10] as [Float])
        let cache = JitCache()
        let shifted = jit({ (x: Tensor) in x + offset }, cache: cache)
        expectClose(shifted(Tensor([1] as [Float])), [11])
        offset = Tensor([20] as [Float])
        // The cached trace keeps the value captured when it was traced, as in JAX.
        expectClose(shifted(Tensor([1] as [Float])), [11])
        #expect(cache.traceCount == 1)
    }

    @Test func treeStatePassesThrough() {
        let cache = JitCache()
        let step = jit(
            { (state: ModelState, x: Tensor) -> ModelState in
                let gradient = grad { (params: [String: Tensor]) in (matmul(x, params["w"]!) + params["b"]!).sum() }(state.params)
                let moments = treeMap(state.moments, gradient) { $0 * 0.9 + $1 * 0.1 }
                let params = treeMap(state.params, moments) { $0 - $1 * 0.5 }
                return ModelState(step: state.step + 1, params: params, moments: moments, label: state.label)
            }, cache: cache)

        var state = ModelState(
            step: Tensor(Int32(0)), params: ["w": Tensor.ones([2, 1]), "b": Tensor.zeros([1])],
            moments: ["w": Tensor.zeros([2, 1]), "b": Tensor.zeros([1])], label: "model")
        let x = Tensor([[1, 2], [3, 4]] as [[Float]])
        for _ in 0..<3 { state = step(state, x) }

        #expect(cache.traceCount == 1)
        #expect(state.step.dtype == .int32)
        #expect(state.step.intValue == 3)
        #expect(state.label == "model")
        // The gradient is constant (column sums of x for w, 2 for b), so the moments
        // after n steps are (1 - 0.9^n) times it.
        let factors: [Float] = [0.1, 0.19, 0.271]
        let applied = factors.reduce(0, +) * 0.5
        expectClose(state.moments["w"]!, [4 * 0.271, 6 * 0.271], shape: [2, 1], tolerance: 1e-5)
        expectClose(state.params["w"]!, [1 - 4 * applied, 1 - 6 * applied], tolerance: 1e-5)
        expectClose(state.params["b"]!, [-2 * applied], tolerance: 1e-5)
    }

    @Test func flatFunctionWithSeveralOutputs() {
        let cache = JitCache()
        let split = jitFlat({ inputs in [inputs[0] + inputs[1], inputs[0] * inputs[1], inputs[1]] }, cache: cache)
        let outputs = split([Tensor([2] as [Float]), Tensor([5] as [Float])])
        #expect(outputs.count == 3)
        expectClose(outputs[0], [7])
        expectClose(outputs[1], [10])
        expectClose(outputs[2], [5])
        _ = split([Tensor([1] as [Float]), Tensor([1] as [Float])])
        #expect(cache.traceCount == 1)
    }

    @Test func nestedJitInlines() {
        let innerCache = JitCache()
        let inner = jit({ (x: Tensor) in sin(x) * 2 }, cache: innerCache)
        let outer = jit { (x: Tensor) in inner(x) + inner(x * 3) }
        let x = Tensor([0.25, 1.5] as [Float])
        expectClose(outer(x), [sinf(0.25) * 2 + sinf(0.75) * 2, sinf(1.5) * 2 + sinf(4.5) * 2], tolerance: 1e-5)
        // The inner function is traced once for f32[2] and its graph is inlined twice.
        #expect(innerCache.traceCount == 1)
        let graph = makeJaxpr(outer)(x)
        #expect(graph.equations.filter { $0.primitive.name == "sin" }.count == 2)
    }

    @Test func planRemovesDeadCodeAndFoldsConstants() {
        let table = Tensor([1, 2, 3] as [Float])
        let graph = makeJaxpr({ (x: Tensor) -> Tensor in
            _ = exp(x) * 4  // unused: dead code
            let scale = (table * 2).sum()  // constants only: folded
            return x * scale
        })(Tensor.ones([3]))
        #expect(graph.equations.count == 5)
        let plan = ExecutionPlan(graph)
        #expect(plan.removedEquationCount == 2)
        #expect(plan.foldedEquationCount == 2)
        #expect(plan.steps.count == 1)
        expectClose(plan.run([Tensor([1, 2, 3] as [Float])])[0], [12, 24, 36])
    }

    @Test func planReturnsInputsAndLiterals() {
        let graph = makeJaxprFlat({ inputs in [inputs[0], Tensor(Float(4)), inputs[0] * 2] })([Tensor.ones([2])])
        let outputs = ExecutionPlan(graph).run([Tensor([3, 5] as [Float])])
        expectClose(outputs[0], [3, 5])
        expectClose(outputs[1], [4], shape: [])
        expectClose(outputs[2], [6, 10])
    }

    @Test func customVJPKeepsRuleThroughJit() {
        let clipGradient = customVJP(
            forward: { (x: Tensor) in (x * 3, []) },
            backward: { _, cotangent in clip(cotangent, min: -1.0, max: 1.0) })
        let jitted = jit({ (x: Tensor) in clipGradient(x).sum() })
        let x = Tensor([1, 2] as [Float])
        #expect(jitted(x).floatValue == 9)
        // The custom rule clips the cotangent 1 to 1, not the derivative 3 of x * 3.
        let gradient: (Tensor) -> Tensor = grad(jitted)
        expectClose(gradient(x), [1, 1])
        let jittedGradient: (Tensor) -> Tensor = grad { (x: Tensor) in clipGradient(x).sum() }
        expectClose(jit(jittedGradient)(x), [1, 1])
    }

    @Test func capturedGradTracerIsInlinedNotCached() {
        let cache = JitCache()
        let outer: (Tensor) -> Tensor = grad { (w: Tensor) in
            let scaled = jit({ (x: Tensor) in (x * w).sum() }, cache: cache)
            return scaled(Tensor([1, 2, 3] as [Float]))
        }
        expectClose(outer(Tensor([0.5, 0.5, 0.5] as [Float])), [1, 2, 3])
        #expect(cache.traceCount == 1)
        #expect(cache.entryCount == 0)
    }
}
