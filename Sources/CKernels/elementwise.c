#include "CKernels.h"

#include <math.h>

// Keep every operation separately rounded, as Swift's kernels compute them, so the C
// loops give the same bits.
#pragma STDC FP_CONTRACT OFF

// Each loop is compiled for AVX-512, AVX2 and the baseline, and the loader picks the
// widest the processor has. The loops are plain C so the compiler vectorizes them; the
// pointers may alias only as the header states, which the compiler checks at run time.
#if defined(__x86_64__)
#define WEFT_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define WEFT_CLONES
#endif

#define WEFT_BINARY(name, expression)                                                   \
    WEFT_CLONES static void name##_vv(const float *a, const float *b, float *out, size_t n) { \
        for (size_t i = 0; i < n; i++) { const float x = a[i], y = b[i]; out[i] = (expression); } \
    }                                                                                   \
    WEFT_CLONES static void name##_sv(float x, const float *b, float *out, size_t n) {  \
        for (size_t i = 0; i < n; i++) { const float y = b[i]; out[i] = (expression); } \
    }                                                                                   \
    WEFT_CLONES static void name##_vs(const float *a, float y, float *out, size_t n) {  \
        for (size_t i = 0; i < n; i++) { const float x = a[i]; out[i] = (expression); } \
    }

WEFT_BINARY(add, x + y)
WEFT_BINARY(subtract, x - y)
WEFT_BINARY(multiply, x * y)
WEFT_BINARY(divide, x / y)
WEFT_BINARY(maximum, (x != x || x > y) ? x : y)
WEFT_BINARY(minimum, (x != x || x < y) ? x : y)

#define WEFT_BINARY_CASE(op, name)                                                      \
    case op:                                                                            \
        if (a_is_scalar) name##_sv(a[0], b, out, count);                                \
        else if (b_is_scalar) name##_vs(a, b[0], out, count);                           \
        else name##_vv(a, b, out, count);                                               \
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
    WEFT_CLONES static void name##_v(const float *a, float *out, size_t n) {            \
        for (size_t i = 0; i < n; i++) { const float x = a[i]; out[i] = (expression); } \
    }

WEFT_UNARY(negate, -x)
WEFT_UNARY(absolute, fabsf(x))
WEFT_UNARY(relu, x < 0 ? 0.0f : x)
WEFT_UNARY(square_root, sqrtf(x))
WEFT_UNARY(reciprocal_square_root, 1.0f / sqrtf(x))

int weft_unary_f32(weft_unary_operation operation, const float *a, float *out, size_t count)
{
    switch (operation) {
    case WEFT_NEGATE: negate_v(a, out, count); return 1;
    case WEFT_ABSOLUTE: absolute_v(a, out, count); return 1;
    case WEFT_RELU: relu_v(a, out, count); return 1;
    case WEFT_SQUARE_ROOT: square_root_v(a, out, count); return 1;
    case WEFT_RECIPROCAL_SQUARE_ROOT: reciprocal_square_root_v(a, out, count); return 1;
    }
    return 0;
}
