#include "CKernels.h"

#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Keep every multiply and add separately rounded, as the formula in the header states.
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__)
// The same loop eight lanes wide, for processors with AVX (chosen at run time, so the
// library still runs on every x86-64 processor). AVX's division and square root are
// correctly rounded like SSE's, so both paths give the same bits.
__attribute__((target("avx")))
static size_t adam_update_avx(
    const float *gradient, const float *mu, const float *nu,
    float *direction, float *new_mu, float *new_nu, size_t count,
    float keep1, float decay1, float keep2, float decay2,
    float correction1, float correction2, float eps, float eps_root)
{
    const __m256 k1 = _mm256_set1_ps(keep1), d1 = _mm256_set1_ps(decay1);
    const __m256 k2 = _mm256_set1_ps(keep2), d2 = _mm256_set1_ps(decay2);
    const __m256 c1 = _mm256_set1_ps(correction1), c2 = _mm256_set1_ps(correction2);
    const __m256 e = _mm256_set1_ps(eps), er = _mm256_set1_ps(eps_root);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        const __m256 g = _mm256_loadu_ps(gradient + i);
        const __m256 m = _mm256_add_ps(_mm256_mul_ps(k1, g), _mm256_mul_ps(d1, _mm256_loadu_ps(mu + i)));
        const __m256 v = _mm256_add_ps(_mm256_mul_ps(k2, _mm256_mul_ps(g, g)), _mm256_mul_ps(d2, _mm256_loadu_ps(nu + i)));
        const __m256 root = _mm256_sqrt_ps(_mm256_add_ps(_mm256_div_ps(v, c2), er));
        _mm256_storeu_ps(new_mu + i, m);
        _mm256_storeu_ps(new_nu + i, v);
        _mm256_storeu_ps(direction + i, _mm256_div_ps(_mm256_div_ps(m, c1), _mm256_add_ps(root, e)));
    }
    return i;
}
#endif

void weft_adam_update_f32(
    const float *gradient, const float *mu, const float *nu,
    float *direction, float *new_mu, float *new_nu, size_t count,
    float keep1, float decay1, float keep2, float decay2,
    float correction1, float correction2, float eps, float eps_root)
{
    size_t i = 0;

#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx")) {
        i = adam_update_avx(
            gradient, mu, nu, direction, new_mu, new_nu, count,
            keep1, decay1, keep2, decay2, correction1, correction2, eps, eps_root);
    }
#endif

#if defined(__SSE2__)
    const __m128 k1 = _mm_set1_ps(keep1), d1 = _mm_set1_ps(decay1);
    const __m128 k2 = _mm_set1_ps(keep2), d2 = _mm_set1_ps(decay2);
    const __m128 c1 = _mm_set1_ps(correction1), c2 = _mm_set1_ps(correction2);
    const __m128 e = _mm_set1_ps(eps), er = _mm_set1_ps(eps_root);
    for (; i + 4 <= count; i += 4) {
        const __m128 g = _mm_loadu_ps(gradient + i);
        const __m128 m = _mm_add_ps(_mm_mul_ps(k1, g), _mm_mul_ps(d1, _mm_loadu_ps(mu + i)));
        const __m128 v = _mm_add_ps(_mm_mul_ps(k2, _mm_mul_ps(g, g)), _mm_mul_ps(d2, _mm_loadu_ps(nu + i)));
        const __m128 root = _mm_sqrt_ps(_mm_add_ps(_mm_div_ps(v, c2), er));
        _mm_storeu_ps(new_mu + i, m);
        _mm_storeu_ps(new_nu + i, v);
        _mm_storeu_ps(direction + i, _mm_div_ps(_mm_div_ps(m, c1), _mm_add_ps(root, e)));
    }
#endif

    for (; i < count; i++) {
        const float g = gradient[i];
        const float scaled_g = keep1 * g;
        const float m = scaled_g + decay1 * mu[i];
        const float square = g * g;
        const float scaled_square = keep2 * square;
        const float v = scaled_square + decay2 * nu[i];
        const float root = sqrtf(v / correction2 + eps_root);
        new_mu[i] = m;
        new_nu[i] = v;
        direction[i] = (m / correction1) / (root + eps);
    }
}
