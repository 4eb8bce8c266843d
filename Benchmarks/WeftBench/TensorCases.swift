import CBLAS
import Foundation
import Tensor

/// Micro-benchmarks of the Tensor core.
enum TensorCases {
    static func matmul1024() {
        let n = 1024
        let a = Tensor.full([n, n], 0.5)
        let b = Tensor.full([n, n], 0.25)
        let flops = 2.0 * Double(n * n * n)
        // The same product through cblas_sgemm on plain buffers. The two are timed
        // alternately so that load from other processes affects both alike.
        let left = [Float](repeating: 0.5, count: n * n)
        let right = [Float](repeating: 0.25, count: n * n)
        var out = [Float](repeating: 0, count: n * n)
        var weft = [Double]()
        var direct = [Double]()
        for _ in 0..<12 {
            weft += Timing.measure(repetitions: 1) { _ = matmul(a, b) }
            direct += Timing.measure(repetitions: 1) {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n),
                            1, left, Int32(n), right, Int32(n), 0, &out, Int32(n))
            }
        }
        weft.sort()
        direct.sort()
        let weftRate = flops / Timing.median(weft) / 1e9
        let directRate = flops / Timing.median(direct) / 1e9
        report("matmul 1024^3", String(format: "%.1f GFLOP/s (cblas_sgemm direct %.1f GFLOP/s, ratio %.2f)", weftRate, directRate, weftRate / directRate))
    }

    static func dot1e8() {
        let count = 100_000_000
        let a = Tensor.full([count], 0.5)
        let b = Tensor.full([count], 2)
        let times = Timing.measure(repetitions: 5) { _ = dot(a, b) }
        report("dot 1e8", String(format: "%.1f ms", Timing.median(times) * 1e3))
    }

    static func elementwiseChain() {
        let count = 1_000_000
        let x = Tensor.full([count], 0.5)
        let y = Tensor.full([count], 1.5)
        let z = Tensor.full([count], -1)
        let times = Timing.measure(repetitions: 50) { _ = exp(x) * y + z }
        // Bytes the chain must touch at least: three inputs read, one output written.
        let bytes = Double(4 * count * 4)
        report("exp(x) * y + z, 1e6", String(format: "%.3f ms, %.1f GB/s (4 arrays touched)", Timing.median(times) * 1e3, bytes / Timing.median(times) / 1e9))
    }

    static func sum1e7() {
        let x = Tensor.full([10_000_000], 0.1)
        let times = Timing.measure(repetitions: 20) { _ = x.sum() }
        report("sum 1e7", String(format: "%.2f ms, %.1f GB/s", Timing.median(times) * 1e3, 4e7 / Timing.median(times) / 1e9))
    }

    static func smallAdd() {
        let a = Tensor([1, 2, 3, 4] as [Float])
        let b = Tensor([5, 6, 7, 8] as [Float])
        let calls = 200_000
        let times = Timing.measure(repetitions: 5) {
            for _ in 0..<calls { _ = a + b }
        }
        report("add of two 4-element tensors", String(format: "%.0f ns per call", Timing.median(times) / Double(calls) * 1e9))
    }
}
