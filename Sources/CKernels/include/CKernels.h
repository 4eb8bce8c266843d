// Kernels written in C because they need vector square roots and divisions that
// Swift's SIMD types currently lower to one scalar instruction per lane.
#ifndef WEFT_CKERNELS_H
#define WEFT_CKERNELS_H

#include <stddef.h>

/// One elementwise Adam step over `count` floats:
///   mu' = keep1 * g + decay1 * mu
///   nu' = keep2 * (g * g) + decay2 * nu
///   direction = (mu' / correction1) / (sqrt(nu' / correction2 + eps_root) + eps)
/// Each operation is a correctly rounded float32 operation, in this order and without
/// fused multiply-adds, so the results equal the scalar formula bit for bit.
/// The outputs must not overlap the inputs.
void weft_adam_update_f32(
    const float *gradient, const float *mu, const float *nu,
    float *direction, float *new_mu, float *new_nu, size_t count,
    float keep1, float decay1, float keep2, float decay2,
    float correction1, float correction2, float eps, float eps_root);

#endif
