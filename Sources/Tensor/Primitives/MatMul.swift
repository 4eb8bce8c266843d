/// Batched matrix product `op(a) @ op(b)` over the last two axes, with the leading
/// (batch) axes broadcast as in NumPy. `op` transposes the last two axes when the
/// flag is set, so `x @ w.T` runs as one product kernel call with swapped strides and
/// no copy.
struct MatMul: DestinationPassingPrimitive {
    let transposeA: Bool
    let transposeB: Bool

    var name: String { "dot_general" }
    var parameterDescription: String {
        let contractA = transposeA ? "-2" : "-1"
        let contractB = transposeB ? "-1" : "-2"
        return "dimension_numbers=(([\(contractA)], [\(contractB)]), batch)"
    }

    /// The logical `(m, k)` and `(k, n)` of the operands.
    private func matrixExtents(_ a: [Int], _ b: [Int]) -> (m: Int, k: Int, kB: Int, n: Int) {
        let (ar, br) = (a.count, b.count)
        let m = transposeA ? a[ar - 1] : a[ar - 2]
        let k = transposeA ? a[ar - 2] : a[ar - 1]
        let kB = transposeB ? b[br - 1] : b[br - 2]
        let n = transposeB ? b[br - 2] : b[br - 1]
        return (m, k, kB, n)
    }

    /// The extents `(m, k, n)` of `op(a) @ op(b)` for operands of shapes `a` and `b`,
    /// which must be aligned.
    func extents(_ a: [Int], _ b: [Int]) -> (m: Int, k: Int, n: Int) {
        let (m, k, _, n) = matrixExtents(a, b)
        return (m, k, n)
    }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let (a, b) = (inputs[0], inputs[1])
        precondition(
            a.shape.count >= 2 && b.shape.count >= 2,
            "matmul: operands of shapes \(formatShape(a.shape)) and \(formatShape(b.shape)) need at least two axes")
        precondition(
            a.dtype == b.dtype && a.dtype != .bool,
            "matmul: operands have dtypes \(a.dtype) and \(b.dtype); they must match and not be bool")
        let (m, k, kB, n) = matrixExtents(a.shape, b.shape)
        precondition(
            k == kB,
            "matmul: shapes \(formatShape(a.shape)) and \(formatShape(b.shape)) are not aligned: \(k) (last axis of the first) != \(kB) (first matrix axis of the second)")
        let batch = ShapeRules.broadcast(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)), operation: "matmul")
        return [TensorType(shape: batch + [m, n], dtype: a.dtype)]
    }

    var isPointwise: Bool { false }

    func evaluate(_ inputs: [Tensor], into outputs: [Tensor]) {
        let (a, b) = (inputs[0], inputs[1])
        var out = outputs[0]
        switch a.dtype {
        case .float32:
            run(Float.self, a, b, &out) { pa, pb, po, m, n, k in
                Gemm.sgemm(pa, transposeA: transposeA, pb, transposeB: transposeB, po, m: m, n: n, k: k)
            }
        case .int32: runInteger(Int32.self, a, b, &out)
        case .uint32: runInteger(UInt32.self, a, b, &out)
        case .uint8: runInteger(UInt8.self, a, b, &out)
        case .bool: preconditionFailure("matmul: bool operands")
        }
    }

    private func runInteger<T: NumericElement>(_ type: T.Type, _ a: Tensor, _ b: Tensor, _ out: inout Tensor) {
        run(T.self, a, b, &out) { pa, pb, po, m, n, k in
            Gemm.integer(pa, transposeA: transposeA, pb, transposeB: transposeB, po, m: m, n: n, k: k)
        }
    }

    /// Runs `kernel` once per broadcast batch index, or once for all when `b` has no
    /// batch axes and `a` is not transposed (then the batch folds into `m`).
    private func run<T>(
        _ type: T.Type, _ a: Tensor, _ b: Tensor, _ out: inout Tensor,
        _ kernel: (UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>, Int, Int, Int) -> Void
    ) {
        let (m, k, _, n) = matrixExtents(a.shape, b.shape)
        let batchShape = Array(out.shape.dropLast(2))
        let batchCount = batchShape.reduce(1, *)
        let aBatch = Array(a.shape.dropLast(2))
        let bBatch = Array(b.shape.dropLast(2))

        a.withElements(T.self) { pa in
            b.withElements(T.self) { pb in
                out.withElements(T.self) { po in
                    if bBatch.reduce(1, *) == 1 && !transposeA && aBatch == batchShape {
                        kernel(pa, pb, po, batchCount * m, n, k)
                        return
                    }
                    let aStrides = ElementwiseLoops.broadcastStrides(aBatch, to: batchShape)
                    let bStrides = ElementwiseLoops.broadcastStrides(bBatch, to: batchShape)
                    let outStrides = ShapeRules.strides(batchShape)
                    for index in 0..<batchCount {
                        var rest = index
                        var aIndex = 0
                        var bIndex = 0
                        for axis in 0..<batchShape.count {
                            let coordinate = rest / outStrides[axis]
                            rest -= coordinate * outStrides[axis]
                            aIndex += coordinate * aStrides[axis]
                            bIndex += coordinate * bStrides[axis]
                        }
                        kernel(pa + aIndex * m * k, pb + bIndex * k * n, po + index * m * n, m, n, k)
                    }
                }
            }
        }
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        let (a, b, g) = (inputs[0], inputs[1], cotangents[0])
        guard a.dtype.isFloatingPoint else { return [nil, nil] }
        let da = transposeA
            ? bind1(MatMul(transposeA: transposeB, transposeB: true), [b, g])
            : bind1(MatMul(transposeA: false, transposeB: !transposeB), [g, b])
        let db = transposeB
            ? bind1(MatMul(transposeA: true, transposeB: transposeA), [g, a])
            : bind1(MatMul(transposeA: !transposeA, transposeB: false), [a, g])
        return [sumToShape(da, a.shape), sumToShape(db, b.shape)]
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        let batchSize = Batching.batchSize(inputs, axes: axes)
        var operands = zip(inputs, axes).map { input, axis -> Tensor in
            if let axis { return Batching.moveAxisToFront(input, from: axis) }
            return input.reshaped([1] + input.shape)
        }
        let rank = max(operands[0].rank, operands[1].rank)
        operands = operands.map { x in
            x.reshaped([x.shape[0]] + [Int](repeating: 1, count: rank - x.rank) + Array(x.shape.dropFirst()))
        }
        let out = bind1(self, operands)
        precondition(out.shape[0] == batchSize, "vmap of matmul: batch size mismatch")
        return ([out], [0])
    }
}
