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

// Picks the loop for the corrections on the AVX2 path, chosen at run time, so the
// library still runs on every x86-64 processor. AVX's division and square root are
// correctly rounded like the scalar ones, so both paths give the same bits. Once Adam
// has run long enough, 1 - b^t rounds to 1 in float32 (after about 165 steps for
// b1 = 0.9), and the loop skips that division.
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

// The divisions by the corrections go through their reciprocals (`quotient`) under
// three conditions. Every lane's dividend is +0 or lies in [2^-70, 2^90] in magnitude,
// the correction lies in [2^-30, 2^30], and the thread rounds to nearest. Then no step
// underflows or overflows and the corrections hold. Other vectors use the divider.
#define MIN_DIVIDEND_BITS 0x1c800000 /* bits of 2^-70 */
#define MAX_DIVIDEND_BITS 0x6c800000 /* bits of 2^90 */

// Returns a / b correctly rounded, from y = RN(1 / b): q = RN(a * y) is corrected twice
// by the remainder a - b * q, which a fused multiply-add computes exactly. The first
// correction leaves q within one unit in the last place of a / b, and from there the
// second gives the correctly rounded quotient, as in the usual division with fused
// multiply-adds. The tests compare every 16th significand of a binade with the
// division, for corrections across the range. A dividend of -0 would come out as +0
// (the remainder -b * -0 + -0 is +0), so such lanes take the divider. On the Intel Xeon
// (family 6, model 207) where this was measured, one core updated 59,136 weights in
// 30-39 us this way against 44-47 us with the divider.
__attribute__((target("avx512f"), always_inline))
static inline __m512 quotient(__m512 a, __m512 b, __m512 y)
{
    const __m512 q0 = _mm512_mul_ps(a, y);
    const __m512 q1 = _mm512_fmadd_ps(_mm512_fnmadd_ps(b, q0, a), y, q0);
    return _mm512_fmadd_ps(_mm512_fnmadd_ps(b, q1, a), y, q1);
}

// Returns the lanes of `a` that are not +0 and outside [2^-70, 2^90] in magnitude:
// -0, smaller magnitudes, larger ones, infinities and NaNs.
__attribute__((target("avx512f"), always_inline))
static inline __mmask16 outside_quotient_range(__m512 a)
{
    const __m512i bits = _mm512_and_epi32(_mm512_castps_si512(a), _mm512_set1_epi32(0x7fffffff));
    const __m512i offset = _mm512_sub_epi32(bits, _mm512_set1_epi32(MIN_DIVIDEND_BITS));
    const __mmask16 outside = _mm512_cmp_epu32_mask(
        offset, _mm512_set1_epi32(MAX_DIVIDEND_BITS - MIN_DIVIDEND_BITS), _MM_CMPINT_NLE);
    const __m512i raw = _mm512_castps_si512(a);
    return outside & _mm512_test_epi32_mask(raw, raw);
}

// The loop sixteen lanes wide, with the flags of `adam_avx_loop` and one more: with
// `reciprocal` set, the divisions by the corrections use `quotient` where its range
// allows. Sixteen lanes halve the number of multiply, add and `quotient` instructions
// per element against eight.
__attribute__((target("avx512f"), always_inline))
static inline size_t adam_avx512_loop(
    const float *gradient, const float *mu, const float *nu, const float *param,
    float *out, float *new_mu, float *new_nu, size_t count, adam_constants c,
    int divides1, int divides2, int reciprocal)
{
    const __m512 k1 = _mm512_set1_ps(c.keep1), d1 = _mm512_set1_ps(c.decay1);
    const __m512 k2 = _mm512_set1_ps(c.keep2), d2 = _mm512_set1_ps(c.decay2);
    const __m512 c1 = _mm512_set1_ps(c.correction1), c2 = _mm512_set1_ps(c.correction2);
    const __m512 y1 = _mm512_set1_ps(1.0f / c.correction1), y2 = _mm512_set1_ps(1.0f / c.correction2);
    const __m512 e = _mm512_set1_ps(c.eps), er = _mm512_set1_ps(c.eps_root);
    const __m512 s = _mm512_set1_ps(c.scale);
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        const __m512 g = _mm512_loadu_ps(gradient + i);
        const __m512 m = _mm512_add_ps(_mm512_mul_ps(k1, g), _mm512_mul_ps(d1, _mm512_loadu_ps(mu + i)));
        const __m512 square = _mm512_mul_ps(g, g);
        const __m512 v = _mm512_add_ps(_mm512_mul_ps(k2, square), _mm512_mul_ps(d2, _mm512_loadu_ps(nu + i)));
        __m512 m_hat = m, v_hat = v;
        const __mmask16 outside = reciprocal
            ? (divides1 ? outside_quotient_range(m) : 0) | (divides2 ? outside_quotient_range(v) : 0)
            : 0xffff;
        if (outside == 0) {
            if (divides1) m_hat = quotient(m, c1, y1);
            if (divides2) v_hat = quotient(v, c2, y2);
        } else {
            if (divides1) m_hat = _mm512_div_ps(m, c1);
            if (divides2) v_hat = _mm512_div_ps(v, c2);
        }
        const __m512 root = _mm512_sqrt_ps(_mm512_add_ps(v_hat, er));
        const __m512 direction = _mm512_div_ps(m_hat, _mm512_add_ps(root, e));
        const __m512 result =
            param ? _mm512_add_ps(_mm512_loadu_ps(param + i), _mm512_mul_ps(direction, s)) : direction;
        _mm512_storeu_ps(new_mu + i, m);
        _mm512_storeu_ps(new_nu + i, v);
        _mm512_storeu_ps(out + i, result);
    }
    return i;
}

// Returns whether the division by `correction` may go through its reciprocal: the
// correction lies in [2^-30, 2^30] in magnitude and the calling thread rounds to
// nearest (MXCSR rounding control 0), which the corrections in `quotient` assume.
static int quotient_allowed(float correction)
{
    const float magnitude = fabsf(correction);
    const int rounds_to_nearest = (__builtin_ia32_stmxcsr() & 0x6000u) == 0;
    return rounds_to_nearest && magnitude >= 0x1p-30f && magnitude <= 0x1p30f;
}

// Picks the sixteen-lane loop for the corrections, as `adam_avx` does, on the AVX-512
// path.
__attribute__((target("avx512f")))
static size_t adam_avx512(
    const float *gradient, const float *mu, const float *nu, const float *param,
    float *out, float *new_mu, float *new_nu, size_t count, adam_constants c)
{
    const int divides1 = c.correction1 != 1.0f, divides2 = c.correction2 != 1.0f;
    const int reciprocal =
        (!divides1 || quotient_allowed(c.correction1)) && (!divides2 || quotient_allowed(c.correction2));
    if (!reciprocal) {
        // Corrections this far from 1 are rare: one loop tests the flags as it goes.
        return adam_avx512_loop(gradient, mu, nu, param, out, new_mu, new_nu, count, c, divides1, divides2, 0);
    }
    if (divides1 && divides2) return adam_avx512_loop(gradient, mu, nu, param, out, new_mu, new_nu, count, c, 1, 1, 1);
    if (divides1) return adam_avx512_loop(gradient, mu, nu, param, out, new_mu, new_nu, count, c, 1, 0, 1);
    if (divides2) return adam_avx512_loop(gradient, mu, nu, param, out, new_mu, new_nu, count, c, 0, 1, 1);
    return adam_avx512_loop(gradient, mu, nu, param, out, new_mu, new_nu, count, c, 0, 0, 1);
}
#endif

void weft_adam_f32_path(
    weft_path path, const float *gradient, const float *mu, const float *nu, const float *param,
    float *out, float *new_mu, float *new_nu, size_t count,
    float keep1, float decay1, float keep2, float decay2,
    float correction1, float correction2, float eps, float eps_root, float scale)
{
    const adam_constants c = {keep1, decay1, keep2, decay2, correction1, correction2, eps, eps_root, param ? scale : 0};
    size_t i = 0;
#if defined(__x86_64__)
    if (path == WEFT_PATH_AVX512) {
        i = adam_avx512(gradient, mu, nu, param, out, new_mu, new_nu, count, c);
    } else if (path == WEFT_PATH_AVX2) {
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
    weft_adam_f32_path(
        weft_best_path(), gradient, mu, nu, NULL, direction, new_mu, new_nu, count,
        keep1, decay1, keep2, decay2, correction1, correction2, eps, eps_root, 0);
}

void weft_adam_apply_f32(
    const float *gradient, const float *mu, const float *nu, const float *param,
    float *new_param, float *new_mu, float *new_nu, size_t count,
    float keep1, float decay1, float keep2, float decay2,
    float correction1, float correction2, float eps, float eps_root, float scale)
{
    weft_adam_f32_path(
        weft_best_path(), gradient, mu, nu, param, new_param, new_mu, new_nu, count,
        keep1, decay1, keep2, decay2, correction1, correction2, eps, eps_root, scale);
}
