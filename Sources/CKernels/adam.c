#include "CKernels.h"

#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Keep every multiply and add separately rounded, as the formula in the header states.
#pragma STDC FP_CONTRACT OFF

// The constants of one update, shared by the loops below.
typedef struct {
    float keep1, decay1, keep2, decay2, correction1, correction2, eps, eps_root, scale;
} adam_constants;

// Runs the update on elements start..<count in scalar code, for the elements the vector
// loop leaves and for processors without AVX. With `param` set, it writes
// param + direction * scale to `out` in place of the direction.
static void adam_scalar(
    const float *gradient, const float *mu, const float *nu, const float *param,
    float *out, float *new_mu, float *new_nu, size_t start, size_t count, adam_constants c)
{
    for (size_t i = start; i < count; i++) {
        const float g = gradient[i];
        const float scaled_g = c.keep1 * g;
        const float m = scaled_g + c.decay1 * mu[i];
        const float square = g * g;
        const float scaled_square = c.keep2 * square;
        const float v = scaled_square + c.decay2 * nu[i];
        const float root = sqrtf(v / c.correction2 + c.eps_root);
        const float direction = (m / c.correction1) / (root + c.eps);
        // Every input is read before any output is written, so outputs may share
        // buffers with any inputs.
        const float result = param ? param[i] + direction * c.scale : direction;
        new_mu[i] = m;
        new_nu[i] = v;
        out[i] = result;
    }
}

#if defined(__x86_64__)
// Runs the same loop eight lanes wide and returns the number of elements done. A
// division by a correction that is exactly 1 is skipped (`divides1`, `divides2` unset),
// because x / 1 is x for every float. Callers pass constant flags, so each combination
// compiles to its own loop.
__attribute__((target("avx"), always_inline))
static inline size_t adam_avx_loop(
    const float *gradient, const float *mu, const float *nu, const float *param,
    float *out, float *new_mu, float *new_nu, size_t count, adam_constants c, int divides1, int divides2)
{
    const __m256 k1 = _mm256_set1_ps(c.keep1), d1 = _mm256_set1_ps(c.decay1);
    const __m256 k2 = _mm256_set1_ps(c.keep2), d2 = _mm256_set1_ps(c.decay2);
    const __m256 c1 = _mm256_set1_ps(c.correction1), c2 = _mm256_set1_ps(c.correction2);
    const __m256 e = _mm256_set1_ps(c.eps), er = _mm256_set1_ps(c.eps_root);
    const __m256 s = _mm256_set1_ps(c.scale);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        const __m256 g = _mm256_loadu_ps(gradient + i);
        const __m256 m = _mm256_add_ps(_mm256_mul_ps(k1, g), _mm256_mul_ps(d1, _mm256_loadu_ps(mu + i)));
        const __m256 v = _mm256_add_ps(_mm256_mul_ps(k2, _mm256_mul_ps(g, g)), _mm256_mul_ps(d2, _mm256_loadu_ps(nu + i)));
        const __m256 m_hat = divides1 ? _mm256_div_ps(m, c1) : m;
        const __m256 v_hat = divides2 ? _mm256_div_ps(v, c2) : v;
        const __m256 root = _mm256_sqrt_ps(_mm256_add_ps(v_hat, er));
        const __m256 direction = _mm256_div_ps(m_hat, _mm256_add_ps(root, e));
        const __m256 result = param ? _mm256_add_ps(_mm256_loadu_ps(param + i), _mm256_mul_ps(direction, s)) : direction;
        _mm256_storeu_ps(new_mu + i, m);
        _mm256_storeu_ps(new_nu + i, v);
        _mm256_storeu_ps(out + i, result);
    }
    return i;
}

// Picks the loop for the corrections. `adam` calls it only on processors with AVX,
// chosen at run time, so the library still runs on every x86-64 processor. AVX's
// division and square root are correctly rounded like the scalar ones, so both paths
// give the same bits. Once Adam has run long enough, 1 - b^t rounds to 1 in float32
// (after about 165 steps for b1 = 0.9), and the loop skips that division.
__attribute__((target("avx")))
static size_t adam_avx(
    const float *gradient, const float *mu, const float *nu, const float *param,
    float *out, float *new_mu, float *new_nu, size_t count, adam_constants c)
{
    const int divides1 = c.correction1 != 1.0f, divides2 = c.correction2 != 1.0f;
    if (divides1 && divides2) return adam_avx_loop(gradient, mu, nu, param, out, new_mu, new_nu, count, c, 1, 1);
    if (divides1) return adam_avx_loop(gradient, mu, nu, param, out, new_mu, new_nu, count, c, 1, 0);
    if (divides2) return adam_avx_loop(gradient, mu, nu, param, out, new_mu, new_nu, count, c, 0, 1);
    return adam_avx_loop(gradient, mu, nu, param, out, new_mu, new_nu, count, c, 0, 0);
}
#endif

static void adam(
    const float *gradient, const float *mu, const float *nu, const float *param,
    float *out, float *new_mu, float *new_nu, size_t count, adam_constants c)
{
    size_t i = 0;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx")) {
        i = adam_avx(gradient, mu, nu, param, out, new_mu, new_nu, count, c);
    }
#endif
    adam_scalar(gradient, mu, nu, param, out, new_mu, new_nu, i, count, c);
}

void weft_adam_update_f32(
    const float *gradient, const float *mu, const float *nu,
    float *direction, float *new_mu, float *new_nu, size_t count,
    float keep1, float decay1, float keep2, float decay2,
    float correction1, float correction2, float eps, float eps_root)
{
    const adam_constants c = {keep1, decay1, keep2, decay2, correction1, correction2, eps, eps_root, 0};
    adam(gradient, mu, nu, NULL, direction, new_mu, new_nu, count, c);
}

void weft_adam_apply_f32(
    const float *gradient, const float *mu, const float *nu, const float *param,
    float *new_param, float *new_mu, float *new_nu, size_t count,
    float keep1, float decay1, float keep2, float decay2,
    float correction1, float correction2, float eps, float eps_root, float scale)
{
    const adam_constants c = {keep1, decay1, keep2, decay2, correction1, correction2, eps, eps_root, scale};
    adam(gradient, mu, nu, param, new_param, new_mu, new_nu, count, c);
}
