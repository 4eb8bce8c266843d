// Kernels written in C, because Swift's SIMD types currently lower vector square roots
// and divisions to one scalar instruction per lane, and Swift does not expose the
// processor's spin-wait hint. The matrix product is Weft's own because OpenBLAS 0.3.21
// (Debian 12) falls back to its generic SSE3 kernels ("Prescott") on processors newer
// than itself. On an Intel Xeon of family 6, model 207, it took 3 to 5 times longer
// than this kernel for a 32 x 784 x 128 product.
#ifndef WEFT_CKERNELS_H
#define WEFT_CKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// The instruction-set paths of the kernels that have several (`weft_sgemm_f32_path`,
/// `weft_adam_f32_path`). Each kernel gives the same bits on every path.
typedef enum {
    WEFT_PATH_UNKNOWN,
    /// Portable C.
    WEFT_PATH_SCALAR,
    /// 256-bit vectors with fused multiply-adds (x86-64 with AVX2 and FMA).
    WEFT_PATH_AVX2,
    /// 512-bit vectors (x86-64 with AVX-512F).
    WEFT_PATH_AVX512,
} weft_path;

/// Returns 1 when the processor runs `path`, else 0.
int weft_path_supported(weft_path path);

/// Returns the fastest path the processor runs, found once and then remembered.
weft_path weft_best_path(void);

/// Computes one elementwise Adam step over `count` floats:
///   mu' = keep1 * g + decay1 * mu
///   nu' = keep2 * (g * g) + decay2 * nu
///   direction = (mu' / correction1) / (sqrt(nu' / correction2 + eps_root) + eps)
/// Each operation is a correctly rounded float32 operation, in this order and without
/// fused multiply-adds, so the results equal the scalar formula bit for bit.
/// Each output may be the same buffer as any input, because all inputs of an element
/// are read before its outputs are written. Outputs must not overlap each other, and no
/// buffer may overlap another at an offset.
void weft_adam_update_f32(
    const float *gradient, const float *mu, const float *nu,
    float *direction, float *new_mu, float *new_nu, size_t count,
    float keep1, float decay1, float keep2, float decay2,
    float correction1, float correction2, float eps, float eps_root);

/// Computes the same update followed by the parameter step that Optax's learning-rate
/// scaling and `apply_updates` perform: new_param = param + direction * scale, in two
/// correctly rounded operations. The direction itself is not stored. Buffers may be
/// shared as for `weft_adam_update_f32`.
void weft_adam_apply_f32(
    const float *gradient, const float *mu, const float *nu, const float *param,
    float *new_param, float *new_mu, float *new_nu, size_t count,
    float keep1, float decay1, float keep2, float decay2,
    float correction1, float correction2, float eps, float eps_root, float scale);

/// Computes `weft_adam_apply_f32` on the given path, which must be supported, or
/// `weft_adam_update_f32` when `param` is NULL (`scale` is then unused). The AVX-512
/// path divides by the corrections through their reciprocals with two corrections by
/// the remainder, which gives the correctly rounded quotients: the same bits. It uses
/// the divider where that would not hold: for -0, tiny, huge or non-finite dividends,
/// corrections far from 1, and rounding modes other than to nearest.
void weft_adam_f32_path(
    weft_path path, const float *gradient, const float *mu, const float *nu, const float *param,
    float *out, float *new_mu, float *new_nu, size_t count,
    float keep1, float decay1, float keep2, float decay2,
    float correction1, float correction2, float eps, float eps_root, float scale);

/// Returns the sum of `count` floats by Weft's pairwise summation, which sums leaves of
/// at most 256 elements in eight lanes and cuts halves at multiples of eight. It sums
/// several leaves at a time, which leaves each leaf's bits unchanged.
float weft_sum_pairwise_f32(const float *p, size_t count);

/// Returns the sum of the products a[i] * b[i] with the structure of
/// `weft_sum_pairwise_f32`: each product is rounded to float32 before it is added, so
/// the result equals the pairwise sum of a stored product array bit for bit.
float weft_sum_products_pairwise_f32(const float *a, const float *b, size_t count);

/// The maximum number of summands that `weft_sums_pairwise_f32` takes at once.
#define WEFT_MAX_SUMS 8

/// Writes to out[j], for each j below `k` (at most WEFT_MAX_SUMS), the pairwise sum of
/// a[j] (when b[j] is NULL) or of the products a[j][i] * b[j][i], with the bits of
/// `weft_sum_pairwise_f32` and `weft_sum_products_pairwise_f32`. The summands share one
/// computation of the leaf structure.
void weft_sums_pairwise_f32(size_t k, const float *const *a, const float *const *b, size_t count, float *out);

/// Computes out[i] = (a[i] * scale) + shift, or (a[i] * scale) - shift when `subtract`
/// is set, as two correctly rounded operations. `out` may be `a` itself.
void weft_scale_shift_f32(const float *a, float scale, float shift, int subtract, float *out, size_t count);

/// Computes r = (a[i] + b[i]) * scale, or (a[i] - b[i]) * scale when `subtract` is
/// set, as two correctly rounded operations, and stores r, or r + r when `doubles` is
/// set (the sum of two equal terms, as the derivative of a square has). `out` must not
/// overlap `a` or `b`.
void weft_combine_scale_f32(int subtract, int doubles, const float *a, const float *b, float scale, float *out, size_t count);

/// The float32 binary operations of `weft_binary_f32`.
typedef enum {
    WEFT_ADD,
    WEFT_SUBTRACT,
    WEFT_MULTIPLY,
    WEFT_DIVIDE,
    /// `x` when `x` is NaN or greater than `y`, else `y`.
    WEFT_MAXIMUM,
    /// `x` when `x` is NaN or less than `y`, else `y`.
    WEFT_MINIMUM,
} weft_binary_operation;

/// Computes out[i] = a[i] op b[i] for `count` floats, where a scalar operand (flag set)
/// is read from its pointer's first element. Each result is one correctly rounded
/// float32 operation. `out` may be the same buffer as a non-scalar operand but must not
/// overlap it otherwise. Returns 1, or 0 without computing anything when both operands
/// are scalars.
int weft_binary_f32(weft_binary_operation operation, const float *a, int a_is_scalar,
                    const float *b, int b_is_scalar, float *out, size_t count);

/// The float32 unary operations of `weft_unary_f32`.
typedef enum {
    WEFT_NEGATE,
    WEFT_ABSOLUTE,
    /// 0 for negative inputs, else the input (NaN stays NaN).
    WEFT_RELU,
    WEFT_SQUARE_ROOT,
    /// 1 / sqrt(x), two correctly rounded operations.
    WEFT_RECIPROCAL_SQUARE_ROOT,
} weft_unary_operation;

/// Computes out[i] = op(a[i]) for `count` floats. `out` may be `a` itself. Returns 1.
int weft_unary_f32(weft_unary_operation operation, const float *a, float *out, size_t count);

/// Converts `count` bytes to float32, out[i] = a[i], exactly for every byte.
void weft_convert_u8_f32(const unsigned char *a, float *out, size_t count);

/// Computes out[i] = (float)a[i] / divisor for `count` bytes, each quotient correctly
/// rounded, as a conversion followed by a float32 division gives. Where the processor
/// has fused multiply-adds and the divisor's magnitude lies in [2^-60, 2^60], it
/// multiplies by the reciprocal and corrects the quotient. Otherwise it divides.
void weft_convert_u8_divide_f32(const unsigned char *a, float divisor, float *out, size_t count);

/// Copies rows of `row_bytes` bytes from `source`, which has `length` rows, to `out`:
/// row `i` of `out` is row `indices[i]` of `source`, counted from the end when negative
/// and clamped to `0 ..< length`. `length` must be at least 1. All rows are requested
/// from memory before the first copy, so their cache misses overlap.
void weft_gather_rows(const void *source, size_t row_bytes, size_t length, const int *indices, size_t count, void *out);

/// Writes `count` random words of JAX's partitionable threefry mode: word `i` is the
/// exclusive or of the two output words of Threefry-2x32 (20 rounds) under the key
/// (`key0`, `key1`) on the 64-bit counter `first + i`, high word first.
void weft_threefry_counter_bits(uint32_t key0, uint32_t key1, uint64_t first, size_t count, uint32_t *out);

/// Writes the Threefry-2x32 hash of the counters `0 ..< count` in the layout of JAX's
/// legacy mode. Block `i` encrypts the counters `i` and `half + i`, where `half` is
/// `(count + 1) / 2` and a missing second counter is 0. Its words go to `out[i]` and
/// `out[half + i]`, and words past `count - 1` are dropped. `count` is at most 2^32.
void weft_threefry_hash_range(uint32_t key0, uint32_t key1, size_t count, uint32_t *out);

/// Computes the float32 matrix product c = a b, where `a` is m x k with element (i, p)
/// at a[i * a_row_stride + p * a_column_stride], `b` is k x n with element (p, j) at
/// b[p * b_row_stride + j * b_column_stride], and `c` is m x n with rows `ldc` floats
/// apart, so a transposed operand is its strides swapped. Each element of `c` is one
/// chain of fused multiply-adds over p = 0 ..< k in order, starting from zero, so every
/// path and every split of the rows or columns between calls gives the same bits. The
/// one exception is the payload of a NaN result from several NaN operands, which the
/// paths take from different operands.
/// `c` must not overlap `a` or `b`. A product with k = 0 writes zeros. The packing
/// buffers belong to the calling thread and are kept between calls.
void weft_sgemm_f32(
    size_t m, size_t n, size_t k,
    const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_column_stride,
    const float *b, ptrdiff_t b_row_stride, ptrdiff_t b_column_stride,
    float *c, ptrdiff_t ldc);

/// Computes the same product on the given path, which must be supported.
void weft_sgemm_f32_path(
    weft_path path, size_t m, size_t n, size_t k,
    const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_column_stride,
    const float *b, ptrdiff_t b_row_stride, ptrdiff_t b_column_stride,
    float *c, ptrdiff_t ldc);

/// Makes the calling thread's float arithmetic read subnormal inputs as zero and flush
/// subnormal results to zero, as XLA's CPU backend does. On x86-64 it sets the MXCSR
/// bits DAZ and FTZ, and on AArch64 the FPCR bit FZ. Returns the previous mode for
/// `weft_restore_float_mode`. Other architectures keep IEEE subnormals and return 0.
static inline unsigned long weft_flush_subnormals(void) {
#if defined(__x86_64__)
    const unsigned int previous = __builtin_ia32_stmxcsr();
    const unsigned int flushing = previous | 0x8040u;
    if (flushing != previous) __builtin_ia32_ldmxcsr(flushing);
    return previous;
#elif defined(__aarch64__)
    unsigned long previous;
    __asm__ volatile("mrs %0, fpcr" : "=r"(previous));
    const unsigned long flushing = previous | (1ul << 24);
    if (flushing != previous) __asm__ volatile("msr fpcr, %0" : : "r"(flushing));
    return previous;
#else
    return 0;
#endif
}

/// Restores the float mode that `weft_flush_subnormals` returned.
static inline void weft_restore_float_mode(unsigned long mode) {
#if defined(__x86_64__)
    if (__builtin_ia32_stmxcsr() != (unsigned int)mode) __builtin_ia32_ldmxcsr((unsigned int)mode);
#elif defined(__aarch64__)
    unsigned long current;
    __asm__ volatile("mrs %0, fpcr" : "=r"(current));
    if (current != mode) __asm__ volatile("msr fpcr, %0" : : "r"(mode));
#else
    (void)mode;
#endif
}

/// Tells an x86 processor that the calling thread is waiting in a spin loop, so it saves
/// power and lets a sibling hardware thread run. Does nothing on other architectures.
static inline void weft_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

#endif
