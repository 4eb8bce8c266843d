import CKernels

/// The constants of one Adam update, already rounded to float32.
struct AdamConstants {
    let keep1: Float
    let decay1: Float
    let keep2: Float
    let decay2: Float
    let correction1: Float
    let correction2: Float
    let eps: Float
    let epsRoot: Float
    let addsRoot: Bool
}

/// The elementwise Adam update, in C (`weft_adam_update_f32`, `weft_adam_apply_f32`)
/// because it needs vector square roots and divisions.
///
/// Invariant: every pointer of a leaf addresses its `count` floats. Outputs are
/// disjoint from each other and from every other leaf's buffers. Each output is
/// disjoint from every input of its leaf or the same buffer as one of them, because
/// the kernel reads all inputs of an element before writing it. It performs the
/// float32 operations of the formula in order with no fused multiply-adds, so its bits
/// equal the composite formula's.
enum AdamKernel {
    /// One tensor's update: the gradient and moments in, the new moments and `out`.
    /// With `param` set, `out` receives `param + direction * scale`, and otherwise the
    /// direction.
    struct Leaf {
        let gradient: UnsafePointer<Float>
        let mu: UnsafePointer<Float>
        let nu: UnsafePointer<Float>
        let param: UnsafePointer<Float>?
        let out: UnsafeMutablePointer<Float>
        let newMu: UnsafeMutablePointer<Float>
        let newNu: UnsafeMutablePointer<Float>
        let count: Int
    }

    /// Updates every leaf. The leaves' elements, taken one leaf after another, are
    /// cut into parts for the two threads of `Parallel`, so that small tensors share
    /// a part and a large one spreads over several.
    static func run(_ leaves: [Leaf], _ c: AdamConstants, scale: Float = 0) {
        // Adding a zero epsRoot leaves every value unchanged, because v / c2 >= 0.
        let epsRoot = c.addsRoot ? c.epsRoot : 0
        var starts = [Int]()
        var total = 0
        for leaf in leaves {
            starts.append(total)
            total += leaf.count
        }

        Parallel.ranges(total, grain: parallelGrain) { range in
            for (leaf, leafStart) in zip(leaves, starts) {
                let lower = max(range.lowerBound, leafStart) - leafStart
                let upper = min(range.upperBound, leafStart + leaf.count) - leafStart
                guard lower < upper else { continue }
                if let param = leaf.param {
                    weft_adam_apply_f32(
                        leaf.gradient + lower, leaf.mu + lower, leaf.nu + lower, param + lower, leaf.out + lower,
                        leaf.newMu + lower, leaf.newNu + lower, upper - lower, c.keep1, c.decay1, c.keep2, c.decay2,
                        c.correction1, c.correction2, c.eps, epsRoot, scale)
                } else {
                    weft_adam_update_f32(
                        leaf.gradient + lower, leaf.mu + lower, leaf.nu + lower, leaf.out + lower, leaf.newMu + lower,
                        leaf.newNu + lower, upper - lower, c.keep1, c.decay1, c.keep2, c.decay2, c.correction1,
                        c.correction2, c.eps, epsRoot)
                }
            }
        }
    }

    /// The approximate number of elements per part when leaves are updated on the two
    /// threads of `Parallel`, an estimated 5 microseconds of work. The MNIST model's
    /// 118,282 parameters then make 8 parts, 4 for each thread.
    static let parallelGrain = 8_192
}
