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

    /// Updates every leaf. Each leaf is cut in two halves at a multiple of 16 elements.
    /// The first halves of all leaves, taken one after another, are cut into parts
    /// `0 ..< halfParts`, and the second halves into parts `halfParts ..< 2 * halfParts`,
    /// for the two threads of `Parallel`. The calling thread takes parts from the front
    /// and the helper from the back, so each usually updates the same half of every
    /// leaf. A layer's product cuts the weights at the same middle row (`Gemm`'s depth
    /// halves), and so does its weight gradient's, so each core reads the weights and
    /// gradients it has just written rather than lines in the other core's cache. (Halves
    /// of the columns instead, which interleave the two cores' lines in every row, made
    /// the MNIST step's update twice as slow.)
    static func run(_ leaves: [Leaf], _ c: AdamConstants, scale: Float = 0) {
        // Adding a zero epsRoot leaves every value unchanged, because v / c2 >= 0.
        let epsRoot = c.addsRoot ? c.epsRoot : 0
        let middles = leaves.map { $0.count / 2 / 16 * 16 }
        let firstTotal = middles.reduce(0, +)
        let secondTotal = zip(leaves, middles).reduce(0) { $0 + $1.0.count - $1.1 }
        let halfParts = max(1, min(maximumParts / 2, (firstTotal + secondTotal) / (2 * parallelGrain)))

        // Updates elements `range` of the halves (the first halves when `second` is
        // unset), counted across the leaves in order.
        func update(_ range: Range<Int>, second: Bool) {
            var halfStart = 0
            for (leaf, middle) in zip(leaves, middles) {
                let offset = second ? middle : 0
                let length = second ? leaf.count - middle : middle
                let lower = max(range.lowerBound, halfStart) - halfStart + offset
                let upper = min(range.upperBound, halfStart + length) - halfStart + offset
                halfStart += length
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

        func boundary(_ part: Int, of total: Int) -> Int {
            part == halfParts ? total : (total * part / halfParts) / 16 * 16
        }
        Parallel.forEach(parts: 2 * halfParts) { part in
            let second = part >= halfParts
            let index = second ? part - halfParts : part
            let total = second ? secondTotal : firstTotal
            update(boundary(index, of: total)..<boundary(index + 1, of: total), second: second)
        }
    }

    /// The maximum number of parts of one update.
    static let maximumParts = 8

    /// The approximate number of elements per part when leaves are updated on the two
    /// threads of `Parallel`, an estimated 5 microseconds of work. The MNIST model's
    /// 118,282 parameters then make 8 parts, 4 for each thread.
    static let parallelGrain = 8_192
}
