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

/// The elementwise Adam update, in C (`weft_adam_update_f32`) because it needs vector
/// square roots and divisions.
///
/// Invariant: every pointer addresses `count` floats, and outputs do not overlap
/// inputs. The kernel performs the float32 operations of the formula in order with no
/// fused multiply-adds, so its bits equal the composite formula's.
enum AdamKernel {
    static func run(
        gradient: UnsafePointer<Float>, mu: UnsafePointer<Float>, nu: UnsafePointer<Float>,
        direction: UnsafeMutablePointer<Float>, newMu: UnsafeMutablePointer<Float>, newNu: UnsafeMutablePointer<Float>,
        count: Int, _ c: AdamConstants
    ) {
        // Adding a zero epsRoot leaves every value unchanged, because v / c2 >= 0.
        weft_adam_update_f32(
            gradient, mu, nu, direction, newMu, newNu, count,
            c.keep1, c.decay1, c.keep2, c.decay2, c.correction1, c.correction2, c.eps,
            c.addsRoot ? c.epsRoot : 0)
    }
}
