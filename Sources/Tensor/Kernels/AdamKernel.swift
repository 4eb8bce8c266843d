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
/// Invariant: every pointer addresses `count` floats, outputs are disjoint from each
/// other, and each output is disjoint from every input or the same buffer as one of
/// them (the kernel reads all inputs of an element before writing it). It performs the
/// float32 operations of the formula in order with no fused multiply-adds, so its bits
/// equal the composite formula's.
enum AdamKernel {
    /// Writes `mu'`, `nu'` and the direction. With `parameterStep`, it writes
    /// `param + direction * scale` to `direction` in place of the direction.
    static func run(
        gradient: UnsafePointer<Float>, mu: UnsafePointer<Float>, nu: UnsafePointer<Float>,
        direction: UnsafeMutablePointer<Float>, newMu: UnsafeMutablePointer<Float>, newNu: UnsafeMutablePointer<Float>,
        count: Int, _ c: AdamConstants, parameterStep: (param: UnsafePointer<Float>, scale: Float)? = nil
    ) {
        // Adding a zero epsRoot leaves every value unchanged, because v / c2 >= 0.
        let epsRoot = c.addsRoot ? c.epsRoot : 0
        Parallel.ranges(count, grain: parallelGrain) { range in
            let start = range.lowerBound
            if let step = parameterStep {
                weft_adam_apply_f32(
                    gradient + start, mu + start, nu + start, step.param + start, direction + start, newMu + start,
                    newNu + start, range.count, c.keep1, c.decay1, c.keep2, c.decay2, c.correction1, c.correction2,
                    c.eps, epsRoot, step.scale)
            } else {
                weft_adam_update_f32(
                    gradient + start, mu + start, nu + start, direction + start, newMu + start, newNu + start,
                    range.count, c.keep1, c.decay1, c.keep2, c.decay2, c.correction1, c.correction2, c.eps, epsRoot)
            }
        }
    }

    /// The approximate number of elements per part when a tensor is updated on the two
    /// threads of `Parallel`, an estimated 10 microseconds of work.
    static let parallelGrain = 16_384
}
