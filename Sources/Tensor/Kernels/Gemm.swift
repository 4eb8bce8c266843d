import CBLAS
import CKernels
import Synchronization

/// Matrix products: float32 matrices on Weft's packed kernel (`weft_sgemm_f32`), vector
/// products on OpenBLAS.
enum Gemm {
    /// `out = op(a) * op(b)` for row-major float32 matrices, where `op` transposes when
    /// the flag is set. `a` is stored as `m x k` (or `k x m` when transposed) and `b` as
    /// `k x n` (or `n x k`). The transposes become strides of the kernel, not copies.
    /// Each output element is one chain of fused multiply-adds in order of the
    /// contracted index, or, for products that `splitsDepth` selects, the sum of two
    /// chains over its halves. The bits do not depend on the number of threads.
    /// `helperA` and `helperB`, when given, hold the same values as `a` and `b`, and
    /// parts of the product that run on the helper thread of `Parallel` read them.
    static func sgemm(
        _ a: UnsafePointer<Float>, transposeA: Bool, _ b: UnsafePointer<Float>, transposeB: Bool,
        _ out: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int,
        helperA: UnsafePointer<Float>? = nil, helperB: UnsafePointer<Float>? = nil
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            out.update(repeating: 0, count: m * n)
            return
        }
        if m == 1 || n == 1 {
            BLASThreads.prepare(work: m * n * k)
        }
        if m == 1 && n == 1 {
            // A dot product: `a` and `b` are both contiguous vectors whatever the flags.
            out[0] = cblas_sdot(Int32(k), a, 1, b, 1)
            return
        }
        if n == 1 && !transposeA {
            // Matrix times vector: `b` is contiguous with k elements whatever its flag.
            cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(k), 1, a, Int32(k), b, 1, 0, out, 1)
            return
        }
        if m == 1 && !transposeB {
            // Vector times matrix: out = b^T a, with `b` stored as k x n.
            cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), 1, b, Int32(n), a, 1, 0, out, 1)
            return
        }
        let work = m * n * k
        let lda = transposeA ? m : k
        let ldb = transposeB ? k : n
        let splitsRows = m >= n
        let length = splitsRows ? m : n
        if splitsDepth(m: m, n: n, k: k) {
            depthHalves(
                a, lda: lda, transposeA: transposeA, b, ldb: ldb, transposeB: transposeB, out, m: m, n: n, k: k,
                helperA: helperA, helperB: helperB)
            return
        }
        guard splitsAcrossThreads(m: m, n: n, k: k) else {
            call(a, lda, transposeA, b, ldb, transposeB, out, m: m, n: n, k: k, ldc: n)
            return
        }
        let hasHelperCopies = helperA != nil || helperB != nil

        // Parts of about `partWork` multiply-adds, each a band of the output's rows or
        // columns (the longer side), shared by the two threads. Bands start at multiples
        // of 8, the kernel's tile height, so a weight gradient of 784 rows in 4 parts
        // is cut at row 392, where Adam cuts the weights (`AdamKernel.run`).
        let parts = min(max(work / partWork, 2), 8, length / 16)
        Parallel.ranges(length, grain: length / parts, alignment: 8, maximumParts: parts) { range in
            let count = range.count
            let onHelper = hasHelperCopies && Parallel.isHelperThread
            let a = onHelper ? helperA ?? a : a
            let b = onHelper ? helperB ?? b : b
            if splitsRows {
                let rowsOfA = a + (transposeA ? range.lowerBound : range.lowerBound * k)
                call(rowsOfA, lda, transposeA, b, ldb, transposeB, out + range.lowerBound * n, m: count, n: n, k: k, ldc: n)
            } else {
                let columnsOfB = b + (transposeB ? range.lowerBound * k : range.lowerBound)
                call(a, lda, transposeA, columnsOfB, ldb, transposeB, out + range.lowerBound, m: m, n: count, k: k, ldc: n)
            }
        }
    }

    /// Returns whether a product is cut along the contracted index into two halves: a few
    /// rows (a batch) times a deep and wide `b` (a layer's weights).
    ///
    /// Each thread then reads half of the rows of `b`, where a cut into bands of columns
    /// would have each read every row. A core reading lines that the other core has just
    /// modified is slow, and the optimizer update before a step's first product writes the
    /// weights in halves, one per thread. On an Intel Xeon (family 6, model 207) a
    /// 32 x 784 x 128 product in column bands took as long on two threads as on one.
    static func splitsDepth(m: Int, n: Int, k: Int) -> Bool {
        m <= 64 && k >= 256 && n >= 64 && m * n * k >= splitWorkMinimum
    }

    /// Computes the product as two chains over the halves of the contracted index, one
    /// per part of `Parallel.forEach`, and adds the second to the first. The cut does
    /// not depend on the threads, so the bits do not either.
    private static func depthHalves(
        _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool, _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        _ out: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int,
        helperA: UnsafePointer<Float>?, helperB: UnsafePointer<Float>?
    ) {
        let half = k / 2
        let hasHelperCopies = helperA != nil || helperB != nil
        ScratchBuffers.withBuffer(capacity: m * n) { second in
            Parallel.forEach(parts: 2) { part in
                let onHelper = hasHelperCopies && Parallel.isHelperThread
                let a = onHelper ? helperA ?? a : a
                let b = onHelper ? helperB ?? b : b
                let start = part == 0 ? 0 : half
                let depth = part == 0 ? half : k - half
                // Columns `start...` of op(a) and rows `start...` of op(b).
                let columnsOfA = a + (transposeA ? start * lda : start)
                let rowsOfB = b + (transposeB ? start : start * ldb)
                call(
                    columnsOfA, lda, transposeA, rowsOfB, ldb, transposeB, part == 0 ? out : second,
                    m: m, n: n, k: depth, ldc: n)
            }
            _ = weft_binary_f32(WEFT_ADD, out, 0, second, 0, out, m * n)
        }
    }

    /// Returns whether a product of these extents is cut into parts for the threads of
    /// `Parallel` (the other products run on the calling thread).
    static func splitsAcrossThreads(m: Int, n: Int, k: Int) -> Bool {
        let work = m * n * k
        return work >= splitWorkMinimum && max(m, n) >= 32
    }

    /// Products with at least this many multiply-adds (a few microseconds on one core)
    /// are split between the threads of `Parallel`.
    static let splitWorkMinimum = 1 << 18

    /// The approximate number of multiply-adds per part of a split product.
    static let partWork = 800_000

    private static func call(
        _ a: UnsafePointer<Float>, _ lda: Int, _ transposeA: Bool, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ transposeB: Bool, _ out: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, ldc: Int
    ) {
        weft_sgemm_f32(
            m, n, k,
            a, transposeA ? 1 : lda, transposeA ? lda : 1,
            b, transposeB ? 1 : ldb, transposeB ? ldb : 1,
            out, ldc)
    }

    /// The same product for integer matrices, with wrapping arithmetic.
    static func integer<T: NumericElement>(
        _ a: UnsafePointer<T>, transposeA: Bool, _ b: UnsafePointer<T>, transposeB: Bool,
        _ out: UnsafeMutablePointer<T>, m: Int, n: Int, k: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var total = T.zero
                for p in 0..<k {
                    let left = transposeA ? a[p * m + i] : a[i * k + p]
                    let right = transposeB ? b[j * k + p] : b[p * n + j]
                    total = T.add(total, T.multiply(left, right))
                }
                out[i * n + j] = total
            }
        }
    }
}

/// Chooses how many threads OpenBLAS uses for the next vector product.
///
/// Products with fewer than 2^24 multiply-adds run on one thread: OpenBLAS's thread
/// start-up and synchronization cost more than they save there, and on a loaded machine
/// the waiting threads spin. Larger products use all threads OpenBLAS started with. The setting is process-wide and
/// changed only when the regime changes.
enum BLASThreads {
    static let smallWorkLimit = 1 << 24

    private static let configured = Atomic<Int>(0)
    private static let available = Int(openblas_get_num_threads())

    static func prepare(work: Int) {
        let threads = work < smallWorkLimit ? 1 : available
        if configured.load(ordering: .relaxed) != threads {
            configured.store(threads, ordering: .relaxed)
            openblas_set_num_threads(Int32(threads))
        }
    }
}
