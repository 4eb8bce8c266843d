import CKernels
import Testing
@testable import Tensor

/// One operand in row-major storage: `rows x columns` as the product reads it, stored
/// transposed when `transposed` is set.
private struct ProductOperand {
    let values: [Float]
    let rows: Int
    let columns: Int
    let transposed: Bool

    init(rows: Int, columns: Int, transposed: Bool, seed: UInt64) {
        self.values = mixedValues(rows * columns, seed: seed)
        self.rows = rows
        self.columns = columns
        self.transposed = transposed
    }

    /// Copies the columns `range` of `source` into untransposed storage.
    init(taking range: Range<Int>, columnsOf source: ProductOperand) {
        self.values = (0..<source.rows).flatMap { row in range.map { source[row, $0] } }
        self.rows = source.rows
        self.columns = range.count
        self.transposed = false
    }

    /// Copies the rows `range` of `source` into untransposed storage.
    init(taking range: Range<Int>, rowsOf source: ProductOperand) {
        self.values = range.flatMap { row in (0..<source.columns).map { source[row, $0] } }
        self.rows = range.count
        self.columns = source.columns
        self.transposed = false
    }

    subscript(row: Int, column: Int) -> Float {
        transposed ? values[column * rows + row] : values[row * columns + column]
    }

    var rowStride: Int { transposed ? 1 : columns }
    var columnStride: Int { transposed ? rows : 1 }
}

/// Computes the product as the kernel defines it: element (i, j) is the chain of fused
/// multiply-adds over the contracted index in order, starting from zero.
private func referenceProduct(_ a: ProductOperand, _ b: ProductOperand) -> [Float] {
    var out = [Float](repeating: 0, count: a.rows * b.columns)
    for i in 0..<a.rows {
        for j in 0..<b.columns {
            var total: Float = 0
            for p in 0..<a.columns {
                total.addProduct(a[i, p], b[p, j])
            }
            out[i * b.columns + j] = total
        }
    }
    return out
}

/// Extents (m, n, k) that cover whole and partial tiles of every path. They also reach
/// several depth blocks (k above 512), more rows than one row block (192) and more
/// columns than one packed block (1024). The last one has rows of `b` far enough apart
/// to be packed.
private let productExtents: [(Int, Int, Int)] = [
    (1, 1, 1), (2, 3, 5), (6, 16, 8), (8, 32, 9), (9, 33, 17), (7, 10, 128), (32, 128, 784),
    (13, 47, 513), (5, 9, 1100), (400, 20, 30), (3, 1030, 12), (70, 600, 20),
]

@Suite struct MatrixProductKernelTests {
    @Test(arguments: productExtents)
    func everyPathMatchesChainOfFusedMultiplyAdds(m: Int, n: Int, k: Int) {
        for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = ProductOperand(rows: m, columns: k, transposed: transposeA, seed: UInt64(m * 31 + k))
            let b = ProductOperand(rows: k, columns: n, transposed: transposeB, seed: UInt64(n * 17 + k))
            let expected = referenceProduct(a, b)
            for path in supportedPaths {
                var out = [Float](repeating: .nan, count: m * n)
                a.values.withUnsafeBufferPointer { av in
                    b.values.withUnsafeBufferPointer { bv in
                        out.withUnsafeMutableBufferPointer { ov in
                            weft_sgemm_f32_path(
                                path, m, n, k, av.baseAddress!, a.rowStride, a.columnStride,
                                bv.baseAddress!, b.rowStride, b.columnStride, ov.baseAddress!, n)
                        }
                    }
                }
                let mismatches = zip(out, expected).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(
                    mismatches == 0,
                    "path \(path.rawValue), \(m)x\(n)x\(k), transposes \(transposeA) \(transposeB): \(mismatches) elements differ")
            }
        }
    }

    @Test func storesOnlyInsideOutputColumns() {
        // The output has rows 40 floats apart but only 21 columns, so the columns past 21
        // belong to someone else and must keep their sentinel values.
        let (m, n, k, ldc) = (11, 21, 19, 40)
        let a = ProductOperand(rows: m, columns: k, transposed: false, seed: 3)
        let b = ProductOperand(rows: k, columns: n, transposed: false, seed: 4)
        let expected = referenceProduct(a, b)
        for path in supportedPaths {
            var out = [Float](repeating: 12345, count: m * ldc)
            a.values.withUnsafeBufferPointer { av in
                b.values.withUnsafeBufferPointer { bv in
                    out.withUnsafeMutableBufferPointer { ov in
                        weft_sgemm_f32_path(path, m, n, k, av.baseAddress!, k, 1, bv.baseAddress!, n, 1, ov.baseAddress!, ldc)
                    }
                }
            }
            for i in 0..<m {
                for j in 0..<ldc {
                    if j < n {
                        #expect(out[i * ldc + j].bitPattern == expected[i * n + j].bitPattern, "path \(path.rawValue) (\(i), \(j))")
                    } else {
                        #expect(out[i * ldc + j] == 12345, "path \(path.rawValue) wrote padding (\(i), \(j))")
                    }
                }
            }
        }
    }

    @Test func emptyDepthWritesZeros() {
        var out = [Float](repeating: .nan, count: 6)
        let operand: [Float] = [1]
        for path in supportedPaths {
            operand.withUnsafeBufferPointer { p in
                out.withUnsafeMutableBufferPointer { ov in
                    weft_sgemm_f32_path(path, 2, 3, 0, p.baseAddress!, 0, 1, p.baseAddress!, 3, 1, ov.baseAddress!, 3)
                }
            }
            #expect(out == [Float](repeating: 0, count: 6), "path \(path.rawValue)")
        }
    }

    @Test func bestPathIsSupported() {
        #expect(weft_path_supported(weft_best_path()) == 1)
    }

    @Test func splitProductMatchesOneCall() {
        // 784 x 128 x 32 (a weight gradient, `a` transposed) is cut into row bands and
        // 32 x 128 x 128 into column bands between the threads. The bits must not
        // depend on it.
        for (m, n, k, transposeA) in [(784, 128, 32, true), (32, 128, 128, false)] {
            #expect(Gemm.splitsAcrossThreads(m: m, n: n, k: k))
            #expect(!Gemm.splitsDepth(m: m, n: n, k: k))
            let a = ProductOperand(rows: m, columns: k, transposed: transposeA, seed: 5)
            let b = ProductOperand(rows: k, columns: n, transposed: false, seed: 6)
            let out = gemmProduct(a, b)
            let expected = referenceProduct(a, b)
            #expect(zip(out, expected).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(m)x\(n)x\(k)")
        }
    }

    @Test(arguments: [false, true])
    func depthHalvesAddTwoChains(transposeB: Bool) {
        // A batch of 32 times a 784 x 128 layer is cut along the contracted index, so each
        // element is the chain over its first 392 terms plus the chain over the rest.
        let (m, n, k) = (32, 128, 784)
        #expect(Gemm.splitsDepth(m: m, n: n, k: k))
        let a = ProductOperand(rows: m, columns: k, transposed: false, seed: 7)
        let b = ProductOperand(rows: k, columns: n, transposed: transposeB, seed: 8)
        let firstA = ProductOperand(taking: 0..<392, columnsOf: a)
        let secondA = ProductOperand(taking: 392..<784, columnsOf: a)
        let firstB = ProductOperand(taking: 0..<392, rowsOf: b)
        let secondB = ProductOperand(taking: 392..<784, rowsOf: b)
        let expected = zip(referenceProduct(firstA, firstB), referenceProduct(secondA, secondB)).map { $0 + $1 }

        let twoThreads = gemmProduct(a, b)
        let oneThread = Parallel.withoutHelper { gemmProduct(a, b) }
        #expect(zip(twoThreads, expected).allSatisfy { $0.bitPattern == $1.bitPattern })
        #expect(zip(oneThread, expected).allSatisfy { $0.bitPattern == $1.bitPattern })
    }
}

/// Computes the product with `Gemm.sgemm`, passing each operand with its stored transpose.
private func gemmProduct(_ a: ProductOperand, _ b: ProductOperand) -> [Float] {
    var out = [Float](repeating: .nan, count: a.rows * b.columns)
    a.values.withUnsafeBufferPointer { av in
        b.values.withUnsafeBufferPointer { bv in
            out.withUnsafeMutableBufferPointer { ov in
                Gemm.sgemm(
                    av.baseAddress!, transposeA: a.transposed, bv.baseAddress!, transposeB: b.transposed,
                    ov.baseAddress!, m: a.rows, n: b.columns, k: a.columns)
            }
        }
    }
    return out
}
