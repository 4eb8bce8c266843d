import Testing
@testable import Tensor

/// The vjp rule of every differentiable primitive, reached through the public ops and
/// checked against central differences (see `GradientCheck` for the tolerances).
/// Inputs avoid kinks and ties, which have their own exact tests below.
enum GradientTable {
    static func uniform(_ shape: [Int], _ low: Float, _ high: Float, _ seed: UInt64) -> Tensor {
        GradientCheck.uniform(shape, low, high, seed: seed)
    }

    /// The same binary function on three shape pairs: a trailing broadcast, a broadcast
    /// of both operands, and a scalar operand, so `sumToShape` runs on both inputs.
    static func binary(
        _ name: String, _ a: ClosedRange<Float>, _ b: ClosedRange<Float>,
        _ function: @escaping @Sendable (Tensor, Tensor) -> Tensor
    ) -> [GradientCase] {
        let shapes: [([Int], [Int])] = [([2, 3], [3]), ([3, 1], [1, 4]), ([], [2, 2])]
        return shapes.enumerated().map { index, pair in
            let seed = UInt64(10 * index)
            return GradientCase(
                "\(name) \(formatShape(pair.0)) with \(formatShape(pair.1))",
                [uniform(pair.0, a.lowerBound, a.upperBound, seed + 1), uniform(pair.1, b.lowerBound, b.upperBound, seed + 2)],
                { function($0[0], $0[1]) })
        }
    }

    static func unary(
        _ name: String, _ input: Tensor, _ function: @escaping @Sendable (Tensor) -> Tensor
    ) -> GradientCase {
        GradientCase(name, [input], { function($0[0]) })
    }

    static let elementwise: [GradientCase] = {
        var cases = [GradientCase]()
        cases += binary("add", -2...2, -2...2) { $0 + $1 }
        cases += binary("subtract", -2...2, -2...2) { $0 - $1 }
        cases += binary("multiply", -2...2, -2...2) { $0 * $1 }
        cases += binary("divide", -2...2, 0.5...2) { $0 / $1 }
        cases += binary("pow", 0.5...2, -1.5...1.5) { pow($0, $1) }
        cases += binary("maximum", -2...2, -2...2) { maximum($0, $1) }
        cases += binary("minimum", -2...2, -2...2) { minimum($0, $1) }
        cases.append(GradientCase(
            "remainder (2, 3) with (3,)",
            [Tensor([-2.7, -1.2, 0.4, 1.3, 2.45, 3.1] as [Float], shape: [2, 3]), Tensor([0.8, 1.1, 1.7] as [Float])],
            { $0[0] % $0[1] }))
        cases.append(GradientCase("add with a Swift number", [uniform([3], -2, 2, 3)], { $0[0] * 2.5 + 1 }))
        cases.append(GradientCase("pow with a Swift exponent", [uniform([4], 0.5, 2, 4)], { pow($0[0], 3) }))
        cases.append(GradientCase("maximum with a Swift number", [uniform([6], -2, 2, 5)], { maximum($0[0], 0.1) }))

        let wide = uniform([2, 3], -2, 2, 40)
        cases.append(unary("negate", wide) { -$0 })
        cases.append(unary("exp", wide) { exp($0) })
        cases.append(unary("log", uniform([2, 3], 0.3, 3, 41)) { log($0) })
        cases.append(unary("log1p", uniform([2, 3], -0.5, 2, 42)) { log1p($0) })
        cases.append(unary("expm1", wide) { expm1($0) })
        cases.append(unary("sqrt", uniform([2, 3], 0.3, 3, 43)) { sqrt($0) })
        cases.append(unary("rsqrt", uniform([2, 3], 0.3, 3, 44)) { rsqrt($0) })
        cases.append(unary("abs", GradientCheck.awayFromZero([2, 3], seed: 45)) { abs($0) })
        cases.append(unary("sin", uniform([2, 3], -3, 3, 46)) { sin($0) })
        cases.append(unary("cos", uniform([2, 3], -3, 3, 47)) { cos($0) })
        cases.append(unary("tanh", uniform([2, 3], -3, 3, 48)) { tanh($0) })
        cases.append(unary("sigmoid", uniform([2, 3], -4, 4, 49)) { sigmoid($0) })
        cases.append(unary("relu", GradientCheck.awayFromZero([2, 3], seed: 50)) { relu($0) })
        cases.append(unary("gelu tanh form", uniform([2, 3], -3, 3, 51)) { gelu($0) })
        cases.append(unary("gelu erf form", uniform([2, 3], -3, 3, 52)) { gelu($0, approximate: false) })
        cases.append(unary("erf", wide) { erf($0) })
        cases.append(unary("convert_element_type float32 to float32", wide) {
            bind1(ConvertElementType(newDType: .float32), [$0])
        })

        let condition = Tensor([true, false, true, true, false, false], shape: [2, 3])
        cases.append(GradientCase(
            "select with broadcast branches", [uniform([3], -2, 2, 53), uniform([2, 1], -2, 2, 54)],
            { select(condition, $0[0], $0[1]) }))
        cases.append(GradientCase(
            "where with a Swift number", [wide],
            { select(condition, $0[0] * 3, 0.5) }))
        cases.append(GradientCase(
            "where with computed condition", [uniform([2, 3], -2, 2, 55), uniform([2, 3], -2, 2, 56)],
            { `where`($0[0] .> $0[1], $0[0] * $0[1], exp($0[1])) }))
        return cases
    }()

    static let structural: [GradientCase] = {
        var cases = [GradientCase]()
        let cube = uniform([2, 3, 4], -2, 2, 60)
        cases.append(unary("reshape", cube) { $0.reshaped([4, 6]) * Tensor.arange(0.0, 6.0) })
        cases.append(unary("reshape with -1", cube) { $0.reshape(3, -1) })
        cases.append(unary("permuted", cube) { $0.permuted(2, 0, 1) })
        cases.append(unary("transposed matrix", uniform([3, 4], -2, 2, 61)) { $0.T })
        cases.append(unary("movingAxis", cube) { $0.movingAxis(0, to: -1) })
        cases.append(unary("broadcast trailing", uniform([3], -2, 2, 62)) { $0.broadcast(to: [2, 3]) })
        cases.append(unary("broadcast ones and new axes", uniform([2, 1], -2, 2, 63)) { $0.broadcast(to: [4, 2, 3]) })
        cases.append(unary("expandDims and squeeze", uniform([3, 1], -2, 2, 64)) { $0.squeeze().expandDims(0) })

        let grid = uniform([5, 7], -2, 2, 65)
        cases.append(unary("slice with step", grid) { $0.slice(axis: 1, 1..<6, step: 2) })
        cases.append(unary("slice with steps on two axes", grid) {
            bind1(Slice(starts: [1, 0], limits: [5, 7], strides: [2, 3]), [$0])
        })
        cases.append(unary("subscript with ranges", grid) { $0[1..<4, 2...] })
        cases.append(unary("subscript with a position", grid) { $0[2, 0..<3] })
        cases.append(unary("subscript with a negative range", grid) { $0[1, TensorIndex.range(start: nil, end: nil, step: -2)] })
        cases.append(unary("pad with interior", uniform([3, 2], -2, 2, 66)) {
            bind1(Pad(low: [1, 0], high: [0, 2], interior: [1, 2]), [$0])
        })

        cases.append(GradientCase(
            "concatenate axis 1", [uniform([2, 1], -2, 2, 67), uniform([2, 3], -2, 2, 68), uniform([2, 2], -2, 2, 69)],
            { concatenate($0, axis: 1) }))
        cases.append(GradientCase(
            "concatenate axis 0", [uniform([1, 3], -2, 2, 70), uniform([2, 3], -2, 2, 71)],
            { concatenate($0, axis: 0) }))
        cases.append(GradientCase(
            "stack axis 1", [uniform([2, 3], -2, 2, 72), uniform([2, 3], -2, 2, 73)],
            { stack($0, axis: 1) }))
        cases.append(unary("split into parts", uniform([2, 6], -2, 2, 74)) {
            let parts = split($0, sections: 3, axis: 1)
            return parts[0] * parts[1] - parts[2]
        })
        return cases
    }()

    static let reductions: [GradientCase] = {
        var cases = [GradientCase]()
        let cube = uniform([2, 3, 4], -2, 2, 80)
        cases.append(unary("sum over all axes", cube) { $0.sum() })
        cases.append(unary("sum axis 1", cube) { $0.sum(axis: 1) })
        cases.append(unary("sum axes 0 and 2", cube) { $0.sum(axes: [0, 2]) })
        cases.append(unary("sum keepDims", cube) { $0.sum(axis: -1, keepDims: true) * $0 })
        cases.append(unary("mean axes 1 and 2", cube) { $0.mean(axes: [1, 2]) })
        cases.append(unary("max axis 1", cube) { $0.max(axis: 1) })
        cases.append(unary("max over all axes", cube) { $0.max() })
        cases.append(unary("min axes 0 and 2", cube) { $0.min(axes: [0, 2]) })
        cases.append(unary("prod axis 2", GradientCheck.awayFromZero([2, 3, 4], seed: 81)) { $0.prod(axes: [2]) })
        cases.append(unary("prod over all axes", GradientCheck.awayFromZero([2, 3], seed: 82)) { $0.prod() })
        cases.append(unary("variance axis 1", cube) { $0.variance(axes: [1]) })
        cases.append(unary("variance ddof 1", cube) { $0.variance(axes: [0, 2], ddof: 1) })
        cases.append(unary("std axis 2", cube) { $0.std(axes: [2]) })
        cases.append(unary("logsumexp axes 0 and 2", cube) { logsumexp($0, axes: [0, 2]) })
        cases.append(unary("logsumexp over all axes", cube) { logsumexp($0) })
        cases.append(unary("logSoftmax last axis", cube) { logSoftmax($0) })
        cases.append(unary("logSoftmax axis 0", cube) { logSoftmax($0, axis: 0) })
        cases.append(unary("softmax axis 1", cube) { softmax($0, axis: 1) })
        return cases
    }()

    static let products: [GradientCase] = {
        var cases = [GradientCase]()
        for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = uniform(transposeA ? [4, 3] : [3, 4], -2, 2, 90)
            let b = uniform(transposeB ? [5, 4] : [4, 5], -2, 2, 91)
            cases.append(GradientCase(
                "matmul transposeA \(transposeA) transposeB \(transposeB)", [a, b],
                { matmul($0[0], $0[1], transposeA: transposeA, transposeB: transposeB) }))
            let batchedA = uniform(transposeA ? [2, 4, 3] : [2, 3, 4], -2, 2, 92)
            cases.append(GradientCase(
                "batched matmul transposeA \(transposeA) transposeB \(transposeB)", [batchedA, b],
                { matmul($0[0], $0[1], transposeA: transposeA, transposeB: transposeB) }))
        }
        cases.append(GradientCase(
            "matmul unbatched with batched", [uniform([3, 4], -2, 2, 93), uniform([2, 4, 5], -2, 2, 94)],
            { matmul($0[0], $0[1]) }))
        cases.append(GradientCase(
            "matmul broadcast batch axes", [uniform([2, 1, 3, 4], -2, 2, 95), uniform([3, 4, 2], -2, 2, 96)],
            { matmul($0[0], $0[1]) }))
        cases.append(GradientCase(
            "matmul vector with matrix", [uniform([4], -2, 2, 97), uniform([4, 3], -2, 2, 98)],
            { matmul($0[0], $0[1]) }))
        cases.append(GradientCase(
            "matmul matrix with vector", [uniform([3, 4], -2, 2, 99), uniform([4], -2, 2, 100)],
            { $0[0] .* $0[1] }))
        cases.append(GradientCase(
            "dot of vectors", [uniform([4], -2, 2, 101), uniform([4], -2, 2, 102)],
            { dot($0[0], $0[1]) }))
        cases.append(GradientCase(
            "outer", [uniform([3], -2, 2, 103), uniform([2], -2, 2, 104)],
            { outer($0[0], $0[1]) }))
        return cases
    }()

    static let indexing: [GradientCase] = {
        var cases = [GradientCase]()
        let rows = uniform([4, 3], -2, 2, 110)
        let duplicates = Tensor([0, 2, 0, -1] as [Int32])
        cases.append(unary("take axis 0 with duplicates", rows) { $0.take(duplicates, axis: 0) })
        cases.append(unary("take axis 1 with matrix indices", rows) {
            $0.take(Tensor([2, 0, 2, 2] as [Int32], shape: [2, 2]), axis: 1)
        })
        cases.append(unary("take clamps out-of-bounds indices", rows) { $0.take(Tensor([7, -9] as [Int32]), axis: 0) })
        cases.append(unary("subscript gather", rows) { $0[Tensor([3, 3, 1] as [Int32])] })
        cases.append(unary("takeAlongAxis axis 1", rows) {
            $0.takeAlongAxis(Tensor([0, 2, 1, 1, 2, 0, 0, 0] as [Int32], shape: [4, 2]), axis: 1)
        })
        cases.append(unary("takeAlongAxis axis 0 broadcast", rows) {
            $0.takeAlongAxis(Tensor([3, 0, 3] as [Int32], shape: [1, 3]), axis: 0)
        })

        let operand = uniform([5, 2], -2, 2, 111)
        cases.append(GradientCase(
            "at set", [operand, uniform([2, 2], -2, 2, 112)],
            { $0[0].at[Tensor([1, 3] as [Int32])].set($0[1]) }))
        cases.append(GradientCase(
            "at set with duplicates", [operand, uniform([3, 2], -2, 2, 113)],
            { $0[0].at[Tensor([1, 1, 4] as [Int32])].set($0[1]) }))
        cases.append(unary("at set a number", operand) { $0.at[2].set(0.5) })
        cases.append(GradientCase(
            "at add with duplicates", [operand, uniform([3, 2], -2, 2, 114)],
            { $0[0].at[Tensor([0, 3, 0] as [Int32])].add($0[1]) }))
        cases.append(GradientCase(
            "at add to a range", [operand, uniform([2], -2, 2, 115)],
            { $0[0].at[1..<4].add($0[1]) }))
        cases.append(GradientCase(
            "at multiply with duplicates", [operand, GradientCheck.awayFromZero([3, 2], seed: 116)],
            { $0[0].at[Tensor([2, 4, 2] as [Int32])].multiply($0[1]) }))
        // Operand and updates are far apart, so no position ties.
        let spread = Tensor([0.1, -0.3, 0.5, 0.2, -0.4, 0.3, 0.6, -0.2, 0.0, 0.4] as [Float], shape: [5, 2])
        cases.append(GradientCase(
            "at max", [spread, Tensor([1.5, -1.5, -1.2, 1.1, 1.8, 1.3] as [Float], shape: [3, 2])],
            { $0[0].at[Tensor([1, 3, 1] as [Int32])].max($0[1]) }))
        cases.append(GradientCase(
            "at min", [spread, Tensor([1.5, -1.5, -1.2, 1.1, -1.8, 1.3] as [Float], shape: [3, 2])],
            { $0[0].at[Tensor([0, 4, 0] as [Int32])].min($0[1]) }))
        return cases
    }()

    static let fused: [GradientCase] = [
        GradientCase(
            "adam_update outputs", [uniform([2, 3], -2, 2, 120), uniform([2, 3], -1, 1, 121), uniform([2, 3], 0.5, 2, 122)],
            { inputs in
                let corrections = [Tensor(Float(0.19)), Tensor(Float(0.002))]
                let outputs = bind(AdamUpdate(b1: 0.9, b2: 0.999, eps: 1e-8, epsRoot: 0), inputs + corrections)
                return stack(outputs)
            }),
    ]

    static let all = elementwise + structural + reductions + products + indexing + fused
}

@Suite struct GradientCheckTests {
    @Test("vjp matches central differences", arguments: GradientTable.all)
    func firstOrder(_ gradientCase: GradientCase) {
        let problems = GradientCheck.mismatches(gradientCase.function, gradientCase.inputs)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// The vjp rules are written with `Tensor` ops, so the gradient of a gradient goes
    /// through the vjp rules of those ops (pad for slice, scatter for take, ...).
    @Test("vjp of the vjp matches central differences", arguments: GradientTable.all)
    func secondOrder(_ gradientCase: GradientCase) {
        let projection = GradientCheck.gradientProjection(gradientCase.function)
        let problems = GradientCheck.mismatches(projection, gradientCase.inputs)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}

/// Gradients at kinks, ties and zeros, where central differences do not apply. The
/// expected values follow JAX's conventions and were computed with JAX 0.10.2.
@Suite struct GradientEdgeCaseTests {
    @Test func absAtZeroIsOne() {
        let gradient = grad({ (x: Tensor) in abs(x).sum() })(Tensor([0, -2, 3] as [Float]))
        #expect(gradient.floats == [1, -1, 1])
    }

    @Test func reluAtZeroIsZero() {
        let gradient = grad({ (x: Tensor) in relu(x).sum() })(Tensor([0, -2, 3] as [Float]))
        #expect(gradient.floats == [0, 0, 1])
    }

    @Test func maximumTiesSplitEvenly() {
        let a = Tensor([1, 2] as [Float])
        let b = Tensor([1, 3] as [Float])
        let (da, db) = grad({ (a: Tensor, b: Tensor) in maximum(a, b).sum() }, argnums: 0, 1)(a, b)
        #expect(da?.floats == [0.5, 0])
        #expect(db?.floats == [0.5, 1])
    }

    @Test func minimumTiesSplitEvenly() {
        let a = Tensor([1, 2] as [Float])
        let b = Tensor([1, 3] as [Float])
        let (da, db) = grad({ (a: Tensor, b: Tensor) in minimum(a, b).sum() }, argnums: 0, 1)(a, b)
        #expect(da?.floats == [0.5, 1])
        #expect(db?.floats == [0.5, 0])
    }

    @Test func maximumTieWithBroadcastScalar() {
        // The scalar ties with two elements, so it collects half of each cotangent.
        let x = Tensor([1, 0, 1] as [Float])
        let (dx, dLimit) = grad({ (x: Tensor, limit: Tensor) in maximum(x, limit).sum() }, argnums: 0, 1)(x, Tensor(Float(1)))
        #expect(dx?.floats == [0.5, 0, 0.5])
        #expect(dLimit?.floatValue == 2)
    }

    @Test func reduceMaxTiesSplitEvenly() {
        let gradient = grad({ (x: Tensor) in x.max() })(Tensor([1, 3, 3] as [Float]))
        #expect(gradient.floats == [0, 0.5, 0.5])
    }

    @Test func reduceMinTiesSplitEvenlyPerRow() {
        let x = Tensor([2, 2, 2, 5, 1, 1] as [Float], shape: [2, 3])
        let gradient = grad({ (x: Tensor) in x.min(axis: 1).sum() })(x)
        let third = Float(1) / 3
        #expect(gradient.floats == [third, third, third, 0, 0.5, 0.5])
    }

    @Test func prodWithOneZero() {
        let gradient = grad({ (x: Tensor) in x.prod() })(Tensor([2, 0, 3] as [Float]))
        #expect(gradient.floats == [0, 6, 0])
    }

    @Test func prodWithTwoZeros() {
        let gradient = grad({ (x: Tensor) in x.prod() })(Tensor([0, 0, 3] as [Float]))
        #expect(gradient.floats == [0, 0, 0])
    }

    @Test func prodOverAxisWithZeros() {
        let x = Tensor([2, 0, 3, 4, 5, 0.5] as [Float], shape: [2, 3])
        let gradient = grad({ (x: Tensor) in x.prod(axes: [1]).sum() })(x)
        #expect(gradient.floats == [0, 6, 0, 2.5, 2, 20])
    }

    @Test func scatterSetDuplicatesGiveGradientToLastUpdate() {
        let weights = Tensor([1, 2, 3, 4] as [Float])
        let (dOperand, dValues) = grad({ (x: Tensor, v: Tensor) in
            (x.at[Tensor([1, 1, 2] as [Int32])].set(v) * weights).sum()
        }, argnums: 0, 1)(Tensor.ones([4]), Tensor([5, 6, 7] as [Float]))
        #expect(dOperand?.floats == [1, 0, 0, 4])
        #expect(dValues?.floats == [0, 2, 3])
    }

    @Test func scatterMaxTiesSplitEvenly() {
        let weights = Tensor([1, 2, 3] as [Float])
        let (dOperand, dValues) = grad({ (x: Tensor, v: Tensor) in
            (x.at[Tensor([0, 1, 1] as [Int32])].max(v) * weights).sum()
        }, argnums: 0, 1)(Tensor([2, 1, 0] as [Float]), Tensor([2, 3, 3] as [Float]))
        #expect(dOperand?.floats == [0.5, 0, 3])
        #expect(dValues?.floats == [0.5, 1, 1])
    }

    @Test func scatterMinTiesSplitEvenly() {
        let weights = Tensor([1, 2, 3] as [Float])
        let (dOperand, dValues) = grad({ (x: Tensor, v: Tensor) in
            (x.at[Tensor([0, 1, 1] as [Int32])].min(v) * weights).sum()
        }, argnums: 0, 1)(Tensor([2, 1, 0] as [Float]), Tensor([2, 0, 0] as [Float]))
        #expect(dOperand?.floats == [0.5, 0, 3])
        #expect(dValues?.floats == [0.5, 1, 1])
    }

    @Test func scatterMultiplyByZeroUpdate() {
        // out[0] = 1.5 * v0 * v1 and out[2] = 3 * v2, weighted by 1 and 3.
        let weights = Tensor([1, 2, 3] as [Float])
        let (dOperand, dValues) = grad({ (x: Tensor, v: Tensor) in
            (x.at[Tensor([0, 0, 2] as [Int32])].multiply(v) * weights).sum()
        }, argnums: 0, 1)(Tensor([1.5, 2, 3] as [Float]), Tensor([0, 2, 0] as [Float]))
        #expect(dOperand?.floats == [0, 2, 0])
        #expect(dValues?.floats == [3, 0, 9])
    }

    @Test func scatterDropsOutOfBoundsUpdates() {
        let (dOperand, dValues) = grad({ (x: Tensor, v: Tensor) in
            x.at[Tensor([1, 9] as [Int32])].add(v).sum()
        }, argnums: 0, 1)(Tensor.zeros([3]), Tensor([1, 1] as [Float]))
        #expect(dOperand?.floats == [1, 1, 1])
        #expect(dValues?.floats == [1, 0])
    }

    @Test func takeAccumulatesDuplicateIndices() {
        let gradient = grad({ (x: Tensor) in x.take(Tensor([0, 2, 0, 0] as [Int32])).sum() })(Tensor.zeros([3]))
        #expect(gradient.floats == [3, 0, 1])
    }

    @Test func astypeToIntegerCutsGradient() {
        let gradient = grad({ (x: Tensor) in (x.astype(.int32).astype(.float32) * x).sum() })(Tensor([1.5, 2.5] as [Float]))
        #expect(gradient.floats == [1, 2])
    }
}
