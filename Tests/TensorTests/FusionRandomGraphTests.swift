import Testing
@testable import Tensor

/// Random elementwise graphs compiled with and without fusion: both plans must give the
/// same bits, and so must eager evaluation. The graphs have sums, row sums, maxima and
/// minima, broadcast scalars, rows and columns, selects on comparisons, functions of row
/// reductions read back in the same pass, values read several times and values returned
/// from the middle of a chain.
@Suite struct FusionRandomGraphTests {
    /// A small linear congruential generator, so each case is reproducible.
    private struct Generator {
        var state: UInt64

        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    /// Builds a random function of `x` (shape `[rows, columns]`) returning several
    /// values: full-shape values, full sums and one value read after a sum.
    private func randomFunction(seed: UInt64) -> ([Tensor]) -> [Tensor] {
        { inputs in
            var random = Generator(state: seed)
            let x = inputs[0]
            let row = inputs[1]
            let column = inputs[2]
            var values = [x, x * 0.5 + row]
            var outputs = [Tensor]()
            for _ in 0..<12 {
                let a = values[random.next(values.count)]
                let b = values[random.next(values.count)]
                let value: Tensor
                switch random.next(24) {
                case 0: value = a + b
                case 1: value = a - b
                case 2: value = a * b
                case 3: value = a / (abs(b) + 1)
                case 4: value = maximum(a, b)
                case 5: value = relu(a) + row
                case 6: value = exp(-abs(a))
                case 7: value = a * Tensor(Float(1.5)).broadcast(to: x.shape)
                case 8: value = a * 0.75 - 0.5
                case 9: value = 0.25 + 2 * a
                case 10: value = (a - b) * 0.5
                case 11:
                    let difference = (a + b) * 0.75
                    value = difference + difference
                case 12: value = a - column
                case 13: value = a * column.broadcast(to: x.shape)
                case 14: value = select(a .> b, a, b * 0.5)
                case 15: value = select(column .< 0, a + column, b)
                case 16: value = a - (a * 0.5).max(axis: 1, keepDims: true)
                case 17: value = b * exp(a - b).sum(axis: 1, keepDims: true)
                case 18: value = (a + b).min(axis: 1, keepDims: true) + a
                case 19:
                    // The shift of `logSoftmax`: a finite row maximum or 0.
                    let peak = stopGradient(a.max(axis: 1, keepDims: true))
                    value = a - select(isFinite(peak), peak, Tensor(Float(0)))
                case 20:
                    let total = exp(a - b).sum(axis: 1, keepDims: true)
                    value = a - log(total)
                    if random.next(2) == 0 { outputs.append(log(total) * 0.5) }
                case 21:
                    let rowValue = -(a * b).sum(axis: 1)
                    outputs.append(rowValue)
                    value = a * (rowValue.reshaped([x.shape[0], 1]) / (abs(column) + 1))
                case 22: value = (a.max(axis: 1, keepDims: true) * 2).broadcast(to: x.shape) + b
                default: value = tanh(a) - b * 0.25
                }
                values.append(value)
                if random.next(4) == 0 { outputs.append(value) }
                if random.next(3) == 0 { outputs.append(value.sum()) }
            }
            let total = values.last!.sum()
            outputs.append(values[values.count / 2] * total + values.last!)
            outputs.append(total)
            return outputs
        }
    }

    // Graph 290 once built a pass whose sum of products read an input after a store of
    // the same pass had overwritten it (the store shared the input's buffer).
    @Test(arguments: 0..<48)
    func fusedPlanMatchesUnfusedBits(seed: Int) {
        // Shapes that are single blocks, several blocks with a partial one, and rows that
        // cross block ends.
        let shapes = [[3, 5], [7, 300], [40, 97], [2, 2048]]
        let shape = shapes[seed % shapes.count]
        let count = shape[0] * shape[1]
        let x = (Tensor.linspace(-2, 3, count: count) * Tensor(Float(1 + Double(seed) * 0.01))).reshaped(shape)
        let row = Tensor.linspace(0.5, -1, count: shape[1])
        let column = Tensor.linspace(-0.75, 1.25, count: shape[0]).reshaped([shape[0], 1])
        let function = randomFunction(seed: UInt64(seed) + 1)

        let cache = JitCache()
        _ = jit(function, cache: cache)([x, row, column])
        let jaxpr = cache.jaxprs[0]
        let fused = ExecutionPlan(jaxpr).run([x, row, column])
        let unfused = ExecutionPlan(jaxpr, fusesElementwise: false).run([x, row, column])
        let eager = function([x, row, column])

        #expect(fused.count == eager.count)
        for (index, (got, expected)) in zip(fused, unfused).enumerated() {
            let gotBits = got.scalars(as: Float.self).map(\.bitPattern)
            #expect(gotBits == expected.scalars(as: Float.self).map(\.bitPattern), "output \(index), seed \(seed)")
            #expect(gotBits == eager[index].scalars(as: Float.self).map(\.bitPattern), "output \(index) vs eager")
        }
    }
}
