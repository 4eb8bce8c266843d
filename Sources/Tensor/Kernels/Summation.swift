import CKernels

/// Summation kernels that do not drift on long float32 arrays.
enum Summation {
    /// Returns the pairwise sum of `count` contiguous floats. Blocks of at most 256
    /// elements are summed with eight independent accumulators (element `i` in lane
    /// `i % 8`, lanes added in order, then the elements past the last multiple of eight).
    /// Blocks are combined by halving at multiples of eight, so the rounding error grows
    /// with `log(count)` instead of `count`. The C kernel sums several blocks at a time.
    static func pairwise(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
        weft_sum_pairwise_f32(p, count)
    }

    /// Writes to `out[r]` the `pairwise` sum of row `r` of `rows` contiguous rows of
    /// `length` floats, several rows per call of the C kernel, with the same bits.
    static func pairwiseRows(_ p: UnsafePointer<Float>, rows: Int, length: Int, _ out: UnsafeMutablePointer<Float>) {
        let batchCapacity = Int(WEFT_MAX_SUMS)
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: 2 * batchCapacity) { pointers in
            let summands = pointers.baseAddress!
            let factors = summands + batchCapacity
            factors.update(repeating: nil, count: batchCapacity)
            var first = 0
            while first < rows {
                let batch = min(batchCapacity, rows - first)
                for index in 0..<batch { summands[index] = p + (first + index) * length }
                weft_sums_pairwise_f32(batch, summands, factors, length, out + first)
                first += batch
            }
        }
    }

    /// Sums `rows` contiguous rows of `width` floats into `out` (which is overwritten):
    /// blocks of 128 rows are summed in float32 and the block sums are combined in
    /// float64, so long columns do not drift.
    static func rows(_ p: UnsafePointer<Float>, rows: Int, width: Int, _ out: UnsafeMutablePointer<Float>) {
        if rows <= 128 {
            out.update(repeating: 0, count: width)
            for row in 0..<rows {
                let source = p + row * width
                for j in 0..<width { out[j] += source[j] }
            }
            return
        }
        var totals = [Double](repeating: 0, count: width)
        var block = [Float](repeating: 0, count: width)
        var start = 0
        while start < rows {
            let end = min(start + 128, rows)
            block.withUnsafeMutableBufferPointer { partial in
                partial.update(repeating: 0)
                for row in start..<end {
                    let source = p + row * width
                    for j in 0..<width { partial[j] += source[j] }
                }
            }
            for j in 0..<width { totals[j] += Double(block[j]) }
            start = end
        }
        for j in 0..<width { out[j] = Float(totals[j]) }
    }
}
