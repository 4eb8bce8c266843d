#include "CKernels.h"

#include <math.h>

// Keep every operation separately rounded, as Swift's kernels compute them, so the C
// loops give the same bits.
#pragma STDC FP_CONTRACT OFF

// Each loop is compiled for AVX-512, AVX2 and the baseline, and the loader picks the
// widest the processor has. The loops are plain C so that the compiler vectorizes them.
// The pointers may alias only as the header states, because the dispatch below detects
// identical pointers but not partial overlap.
#if defined(__x86_64__)
#define WEFT_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define WEFT_CLONES
#endif

// Each operation has a loop for separate buffers, marked restrict so that the compiler
// vectorizes it without run-time overlap checks. It also has loops for an output that
// is the same buffer as an operand, because the plans compute elementwise steps in
// place. Those loops read each element before writing it.
#define WEFT_BINARY(name, expression)                                                        \
    WEFT_CLONES static void name##_vv(const float *restrict a, const float *restrict b,      \
                                      float *restrict out, size_t n) {                       \
        for (size_t i = 0; i < n; i++) { const float x = a[i], y = b[i]; out[i] = (expression); } \
    }                                                                                        \
    WEFT_CLONES static void name##_vv_into_a(float *a, const float *restrict b, size_t n) {  \
        for (size_t i = 0; i < n; i++) { const float x = a[i], y = b[i]; a[i] = (expression); } \
    }                                                                                        \
    WEFT_CLONES static void name##_vv_into_b(const float *restrict a, float *b, size_t n) {  \
        for (size_t i = 0; i < n; i++) { const float x = a[i], y = b[i]; b[i] = (expression); } \
    }                                                                                        \
    WEFT_CLONES static void name##_both_into(float *a, size_t n) {                          \
        for (size_t i = 0; i < n; i++) { const float x = a[i], y = a[i]; a[i] = (expression); } \
    }                                                                                        \
    WEFT_CLONES static void name##_sv(float x, const float *restrict b, float *restrict out, size_t n) { \
        for (size_t i = 0; i < n; i++) { const float y = b[i]; out[i] = (expression); }     \
    }                                                                                        \
    WEFT_CLONES static void name##_sv_into(float x, float *b, size_t n) {                    \
        for (size_t i = 0; i < n; i++) { const float y = b[i]; b[i] = (expression); }       \
    }                                                                                        \
    WEFT_CLONES static void name##_vs(const float *restrict a, float y, float *restrict out, size_t n) { \
        for (size_t i = 0; i < n; i++) { const float x = a[i]; out[i] = (expression); }     \
    }                                                                                        \
    WEFT_CLONES static void name##_vs_into(float *a, float y, size_t n) {                    \
        for (size_t i = 0; i < n; i++) { const float x = a[i]; a[i] = (expression); }       \
    }

WEFT_BINARY(add, x + y)
WEFT_BINARY(subtract, x - y)
WEFT_BINARY(multiply, x * y)
WEFT_BINARY(divide, x / y)
WEFT_BINARY(maximum, (x != x || x > y) ? x : y)
WEFT_BINARY(minimum, (x != x || x < y) ? x : y)

#define WEFT_BINARY_CASE(op, name)                                                      \
    case op:                                                                            \
        if (a_is_scalar) {                                                              \
            if (out == b) name##_sv_into(a[0], out, count);                             \
            else name##_sv(a[0], b, out, count);                                        \
        } else if (b_is_scalar) {                                                       \
            if (out == a) name##_vs_into(out, b[0], count);                             \
            else name##_vs(a, b[0], out, count);                                        \
        } else if (a == b && out == a) {                                                \
            name##_both_into(out, count);                                               \
        } else if (out == a) {                                                          \
            name##_vv_into_a(out, b, count);                                            \
        } else if (out == b) {                                                          \
            name##_vv_into_b(a, out, count);                                            \
        } else {                                                                        \
            name##_vv(a, b, out, count);                                                \
        }                                                                               \
        return 1;

int weft_binary_f32(weft_binary_operation operation, const float *a, int a_is_scalar,
                    const float *b, int b_is_scalar, float *out, size_t count)
{
    if (a_is_scalar && b_is_scalar) return 0;
    switch (operation) {
    WEFT_BINARY_CASE(WEFT_ADD, add)
    WEFT_BINARY_CASE(WEFT_SUBTRACT, subtract)
    WEFT_BINARY_CASE(WEFT_MULTIPLY, multiply)
    WEFT_BINARY_CASE(WEFT_DIVIDE, divide)
    WEFT_BINARY_CASE(WEFT_MAXIMUM, maximum)
    WEFT_BINARY_CASE(WEFT_MINIMUM, minimum)
    }
    return 0;
}

#define WEFT_UNARY(name, expression)                                                    \
    WEFT_CLONES static void name##_v(const float *restrict a, float *restrict out, size_t n) { \
        for (size_t i = 0; i < n; i++) { const float x = a[i]; out[i] = (expression); } \
    }                                                                                   \
    WEFT_CLONES static void name##_into(float *a, size_t n) {                           \
        for (size_t i = 0; i < n; i++) { const float x = a[i]; a[i] = (expression); }   \
    }

WEFT_UNARY(negate, -x)
WEFT_UNARY(absolute, fabsf(x))
WEFT_UNARY(relu, x < 0 ? 0.0f : x)
WEFT_UNARY(square_root, sqrtf(x))
WEFT_UNARY(reciprocal_square_root, 1.0f / sqrtf(x))

int weft_unary_f32(weft_unary_operation operation, const float *a, float *out, size_t count)
{
#define WEFT_UNARY_CASE(op, name)                                                       \
    case op:                                                                            \
        if (out == a) name##_into(out, count);                                          \
        else name##_v(a, out, count);                                                   \
        return 1;

    switch (operation) {
    WEFT_UNARY_CASE(WEFT_NEGATE, negate)
    WEFT_UNARY_CASE(WEFT_ABSOLUTE, absolute)
    WEFT_UNARY_CASE(WEFT_RELU, relu)
    WEFT_UNARY_CASE(WEFT_SQUARE_ROOT, square_root)
    WEFT_UNARY_CASE(WEFT_RECIPROCAL_SQUARE_ROOT, reciprocal_square_root)
    }
    return 0;
}

WEFT_CLONES static void bytes_to_floats(const unsigned char *restrict a, float *restrict out, size_t n)
{
    for (size_t i = 0; i < n; i++) out[i] = (float)a[i];
}

void weft_convert_u8_f32(const unsigned char *a, float *out, size_t count)
{
    bytes_to_floats(a, out, count);
}

WEFT_CLONES static void bytes_divided(const unsigned char *restrict a, float divisor, float *restrict out, size_t n)
{
    for (size_t i = 0; i < n; i++) out[i] = (float)a[i] / divisor;
}

#if defined(__x86_64__)
// Divides by multiplying with the correctly rounded reciprocal, then corrects the
// quotient with two fused multiply-adds. Take a byte x of at least 1 and a divisor of
// magnitude in [2^-60, 2^60]. The first quotient q is then within one unit in the last
// place, and the residual x - q * divisor is exact because nothing underflows at these
// magnitudes. So one correction step gives x / divisor correctly rounded, the usual
// result for division with fused multiply-adds. The kernel tests compare every byte
// against true division for 219 divisors. A zero byte gives the division's signed zero.
__attribute__((target("avx2,fma")))
static void bytes_divided_fma(
    const unsigned char *restrict a, float divisor, float reciprocal, float *restrict out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const float x = (float)a[i];
        const float q = x * reciprocal;
        const float residual = __builtin_fmaf(-q, divisor, x);
        out[i] = __builtin_fmaf(residual, reciprocal, q);
    }
}
#endif

void weft_convert_u8_divide_f32(const unsigned char *a, float divisor, float *out, size_t count)
{
#if defined(__x86_64__)
    const float magnitude = fabsf(divisor);
    // The correction step assumes rounding to nearest (MXCSR rounding control 0).
    const int rounds_to_nearest = (__builtin_ia32_stmxcsr() & 0x6000u) == 0;
    if (rounds_to_nearest && magnitude >= 0x1p-60f && magnitude <= 0x1p60f && __builtin_cpu_supports("avx2")
        && __builtin_cpu_supports("fma")) {
        bytes_divided_fma(a, divisor, 1.0f / divisor, out, count);
        return;
    }
#endif
    bytes_divided(a, divisor, out, count);
}

WEFT_CLONES static void scale_add(const float *restrict a, float scale, float shift, float *restrict out, size_t n)
{
    for (size_t i = 0; i < n; i++) out[i] = (a[i] * scale) + shift;
}

WEFT_CLONES static void scale_subtract(const float *restrict a, float scale, float shift, float *restrict out, size_t n)
{
    for (size_t i = 0; i < n; i++) out[i] = (a[i] * scale) - shift;
}

WEFT_CLONES static void scale_add_into(float *a, float scale, float shift, size_t n)
{
    for (size_t i = 0; i < n; i++) a[i] = (a[i] * scale) + shift;
}

WEFT_CLONES static void scale_subtract_into(float *a, float scale, float shift, size_t n)
{
    for (size_t i = 0; i < n; i++) a[i] = (a[i] * scale) - shift;
}

void weft_scale_shift_f32(const float *a, float scale, float shift, int subtract, float *out, size_t count)
{
    if (out == a) {
        if (subtract) scale_subtract_into(out, scale, shift, count);
        else scale_add_into(out, scale, shift, count);
    } else {
        if (subtract) scale_subtract(a, scale, shift, out, count);
        else scale_add(a, scale, shift, out, count);
    }
}

WEFT_CLONES static void add_scale(const float *restrict a, const float *restrict b, float scale, float *restrict out, size_t n)
{
    for (size_t i = 0; i < n; i++) out[i] = (a[i] + b[i]) * scale;
}

WEFT_CLONES static void subtract_scale(const float *restrict a, const float *restrict b, float scale, float *restrict out, size_t n)
{
    for (size_t i = 0; i < n; i++) out[i] = (a[i] - b[i]) * scale;
}

WEFT_CLONES static void add_scale_double(const float *restrict a, const float *restrict b, float scale, float *restrict out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const float r = (a[i] + b[i]) * scale;
        out[i] = r + r;
    }
}

WEFT_CLONES static void subtract_scale_double(const float *restrict a, const float *restrict b, float scale, float *restrict out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const float r = (a[i] - b[i]) * scale;
        out[i] = r + r;
    }
}

void weft_combine_scale_f32(int subtract, int doubles, const float *a, const float *b, float scale, float *out, size_t count)
{
    if (doubles) {
        if (subtract) subtract_scale_double(a, b, scale, out, count);
        else add_scale_double(a, b, scale, out, count);
    } else {
        if (subtract) subtract_scale(a, b, scale, out, count);
        else add_scale(a, b, scale, out, count);
    }
}
