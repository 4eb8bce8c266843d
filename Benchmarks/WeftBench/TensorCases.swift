import CBLAS
import Foundation
import Tensor

/// Micro-benchmarks of the Tensor core. Each function prints its case line.
enum TensorCases {
    /// Measures `matmul-1024`: a 1024 x 1024 float32 matrix product, through Weft and through
    /// `cblas_sgemm` on plain buffers, in GFLOP/s (median of 12 each).
    static func matmul1024() {
        let n = 1024
        let a = Tensor.full([n, n], 0.5)
        let b = Tensor.full([n, n], 0.25)
        let flops = 2.0 * Double(n * n * n)
        let left = [Float](repeating: 0.5, count: n * n)
        let right = [Float](repeating: 0.25, count: n * n)
        var out = [Float](repeating: 0, count: n * n)
        // Weft's products run before OpenBLAS's rather than between them, because after
        // each call OpenBLAS's worker thread keeps spinning on the second core and stalls
        // Weft's helper thread (139-160 GFLOP/s against 350-390 in measured runs).
        let weft = Timing.measure(repetitions: 12) { _ = matmul(a, b) }
        let direct = Timing.measure(repetitions: 12) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n),
                        1, left, Int32(n), right, Int32(n), 0, &out, Int32(n))
        }
        Report.caseLine("matmul-1024", [
            "gflops": flops / Timing.median(weft) / 1e9,
            "direct_gflops": flops / Timing.median(direct) / 1e9,
        ])
    }

    /// Measures `dot-1e8`: the dot product of two float32 vectors of 1e8 elements, in milliseconds.
    static func dot1e8() {
        let count = 100_000_000
        let a = Tensor.full([count], 0.5)
        let b = Tensor.full([count], 2)
        let times = Timing.measure(repetitions: 5) { _ = dot(a, b) }
        Report.caseLine("dot-1e8", ["ms": Timing.median(times) * 1e3])
    }

    /// Measures `chain-1e6`: the eager chain `exp(x) * y + z` on 1e6 float32 elements.
    static func elementwiseChain() {
        let count = 1_000_000
        let x = Tensor.full([count], 0.5)
        let y = Tensor.full([count], 1.5)
        let z = Tensor.full([count], -1)
        let times = Timing.measure(repetitions: 50) { _ = exp(x) * y + z }
        // Bytes that the chain must touch at least: three inputs read, one output written.
        let bytes = Double(4 * count * 4)
        Report.caseLine("chain-1e6", [
            "ms": Timing.median(times) * 1e3,
            "gbps": bytes / Timing.median(times) / 1e9,
        ])
    }

    /// Measures `sum-1e7`: the sum of 1e7 float32 elements.
    static func sum1e7() {
        let count = 10_000_000
        let x = Tensor.full([count], 0.1)
        let times = Timing.measure(repetitions: 20) { _ = x.sum() }
        Report.caseLine("sum-1e7", [
            "ms": Timing.median(times) * 1e3,
            "gbps": Double(4 * count) / Timing.median(times) / 1e9,
        ])
    }

    /// Measures `small-add`: the time of one eager addition of two 4-element tensors, in
    /// nanoseconds, which is almost all dispatch overhead.
    static func smallAdd() {
        let a = Tensor([1, 2, 3, 4] as [Float])
        let b = Tensor([5, 6, 7, 8] as [Float])
        let calls = 200_000
        let times = Timing.measure(repetitions: 5) {
            for _ in 0..<calls { _ = a + b }
        }
        Report.caseLine("small-add", ["ns": Timing.median(times) / Double(calls) * 1e9])
    }
}
