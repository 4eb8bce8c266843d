#include "CKernels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// A blocked matrix product after GotoBLAS. A micro-kernel keeps an MR x NR tile of the
// output in registers over one block of the depth. It broadcasts elements of MR rows of
// `a`, read in place, and loads NR columns of `b`. Those are read in place when the rows
// of `b` are contiguous and packed into strips of NR columns otherwise. A tile that continues a block loads the output first, so each output element is
// one chain of fused multiply-adds over p = 0 ..< k in order, whatever the blocking, the
// split between threads or the kernel. That makes every path give the same bits.

// The depth of one block: at most MAX_KC, with the blocks of a product kept equal.
enum { MAX_KC = 512 };

// Rows of `a` whose block of the depth is reused from the cache across all columns, and
// columns of `b` packed at once.
enum { MC = 192, NC = 1024 };

// Computes an MR x NR tile over `kc` steps of the depth: c[r][j] (+)= sum_p a[r][p] * b[p][j]
// for r < rows and j < columns. Element (r, p) of `a` is at a[r * a_row_stride + p * a_step],
// and only rows below `rows` are read. `b` advances by `b_stride` floats a step and is
// read only in its first `columns` lanes. With `accumulate` set, the tile starts from the
// values in `c`.
typedef void (*micro_kernel)(
    size_t kc, const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_step, const float *b, ptrdiff_t b_stride,
    float *c, ptrdiff_t ldc, size_t rows, size_t columns, int accumulate);

typedef struct {
    size_t mr, nr;
    micro_kernel kernel;
} kernel_shape;

// The portable kernel: 4 x 8 tiles with fmaf, the same operations as the vector kernels.
enum { SCALAR_MR = 4, SCALAR_NR = 8 };

static void kernel_scalar(
    size_t kc, const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_step, const float *b, ptrdiff_t b_stride,
    float *c, ptrdiff_t ldc, size_t rows, size_t columns, int accumulate)
{
    float tile[SCALAR_MR][SCALAR_NR];
    for (size_t r = 0; r < SCALAR_MR; r++) {
        for (size_t j = 0; j < SCALAR_NR; j++) {
            tile[r][j] = accumulate && r < rows && j < columns ? c[r * ldc + j] : 0.0f;
        }
    }

    for (size_t p = 0; p < kc; p++) {
        for (size_t r = 0; r < rows; r++) {
            const float x = a[(ptrdiff_t)r * a_row_stride];
            for (size_t j = 0; j < columns; j++) {
                tile[r][j] = fmaf(x, b[j], tile[r][j]);
            }
        }
        a += a_step;
        b += b_stride;
    }

    for (size_t r = 0; r < rows; r++) {
        for (size_t j = 0; j < columns; j++) {
            c[r * ldc + j] = tile[r][j];
        }
    }
}

#if defined(__x86_64__)
// AVX-512: 8 x 32 tiles in 16 accumulators. Masked loads and stores handle a tile with
// fewer than 32 columns and never touch memory past them.
enum { AVX512_MR = 8, AVX512_NR = 32 };

#define AVX512_LOAD_ROW(r) \
    __m512 c##r##0 = _mm512_setzero_ps(), c##r##1 = _mm512_setzero_ps(); \
    if (accumulate && (r) < rows) { \
        c##r##0 = _mm512_maskz_loadu_ps(mask0, c + (r) * ldc); \
        c##r##1 = _mm512_maskz_loadu_ps(mask1, c + (r) * ldc + 16); \
    }

#define AVX512_STEP_ROW(r) { \
        const __m512 ar = _mm512_set1_ps(a##r[offset]); \
        c##r##0 = _mm512_fmadd_ps(ar, b0, c##r##0); \
        c##r##1 = _mm512_fmadd_ps(ar, b1, c##r##1); \
    }

#define AVX512_STORE_ROW(r) \
    if ((r) < rows) { \
        _mm512_mask_storeu_ps(c + (r) * ldc, mask0, c##r##0); \
        _mm512_mask_storeu_ps(c + (r) * ldc + 16, mask1, c##r##1); \
    }

// Points `a##r` at row r of `a`, or at the last row read when r is past `rows`, so that
// the kernel reads only rows that exist. The tile rows past `rows` are never stored.
#define ROW_POINTER(r) const float *a##r = a + (ptrdiff_t)((r) < rows ? (r) : rows - 1) * a_row_stride;

__attribute__((target("avx512f")))
static void kernel_avx512(
    size_t kc, const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_step, const float *b, ptrdiff_t b_stride,
    float *c, ptrdiff_t ldc, size_t rows, size_t columns, int accumulate)
{
    // Lanes of the two 16-float halves of a row that lie inside the tile.
    const __mmask16 mask0 = columns >= 16 ? 0xFFFF : (__mmask16)((1u << columns) - 1);
    __mmask16 mask1 = 0;
    if (columns >= 32) {
        mask1 = 0xFFFF;
    } else if (columns > 16) {
        mask1 = (__mmask16)((1u << (columns - 16)) - 1);
    }

    AVX512_LOAD_ROW(0) AVX512_LOAD_ROW(1) AVX512_LOAD_ROW(2) AVX512_LOAD_ROW(3)
    AVX512_LOAD_ROW(4) AVX512_LOAD_ROW(5) AVX512_LOAD_ROW(6) AVX512_LOAD_ROW(7)
    ROW_POINTER(0) ROW_POINTER(1) ROW_POINTER(2) ROW_POINTER(3)
    ROW_POINTER(4) ROW_POINTER(5) ROW_POINTER(6) ROW_POINTER(7)

    ptrdiff_t offset = 0;
    for (size_t p = 0; p < kc; p++) {
        const __m512 b0 = _mm512_maskz_loadu_ps(mask0, b);
        const __m512 b1 = _mm512_maskz_loadu_ps(mask1, b + 16);
        AVX512_STEP_ROW(0) AVX512_STEP_ROW(1) AVX512_STEP_ROW(2) AVX512_STEP_ROW(3)
        AVX512_STEP_ROW(4) AVX512_STEP_ROW(5) AVX512_STEP_ROW(6) AVX512_STEP_ROW(7)
        offset += a_step;
        b += b_stride;
    }

    AVX512_STORE_ROW(0) AVX512_STORE_ROW(1) AVX512_STORE_ROW(2) AVX512_STORE_ROW(3)
    AVX512_STORE_ROW(4) AVX512_STORE_ROW(5) AVX512_STORE_ROW(6) AVX512_STORE_ROW(7)
}

// AVX2 with FMA: 6 x 16 tiles in 12 accumulators. A full-width tile uses plain loads,
// and a narrower one masked loads and stores (`full` is a constant at each call).
enum { AVX2_MR = 6, AVX2_NR = 16 };

#define AVX2_LOAD_ROW(r) \
    __m256 c##r##0 = _mm256_setzero_ps(), c##r##1 = _mm256_setzero_ps(); \
    if (accumulate && (r) < rows) { \
        c##r##0 = _mm256_maskload_ps(c + (r) * ldc, mask0); \
        c##r##1 = _mm256_maskload_ps(c + (r) * ldc + 8, mask1); \
    }

#define AVX2_STEP_ROW(r) { \
        const __m256 ar = _mm256_broadcast_ss(a##r + offset); \
        c##r##0 = _mm256_fmadd_ps(ar, b0, c##r##0); \
        c##r##1 = _mm256_fmadd_ps(ar, b1, c##r##1); \
    }

#define AVX2_STORE_ROW(r) \
    if ((r) < rows) { \
        _mm256_maskstore_ps(c + (r) * ldc, mask0, c##r##0); \
        _mm256_maskstore_ps(c + (r) * ldc + 8, mask1, c##r##1); \
    }

__attribute__((target("avx2,fma"), always_inline))
static inline void kernel_avx2_body(
    size_t kc, const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_step, const float *b, ptrdiff_t b_stride,
    float *c, ptrdiff_t ldc, size_t rows, size_t columns, int accumulate, int full)
{
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i mask0 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)columns), lanes);
    const __m256i mask1 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)columns - 8), lanes);

    AVX2_LOAD_ROW(0) AVX2_LOAD_ROW(1) AVX2_LOAD_ROW(2)
    AVX2_LOAD_ROW(3) AVX2_LOAD_ROW(4) AVX2_LOAD_ROW(5)
    ROW_POINTER(0) ROW_POINTER(1) ROW_POINTER(2)
    ROW_POINTER(3) ROW_POINTER(4) ROW_POINTER(5)

    ptrdiff_t offset = 0;
    for (size_t p = 0; p < kc; p++) {
        const __m256 b0 = full ? _mm256_loadu_ps(b) : _mm256_maskload_ps(b, mask0);
        const __m256 b1 = full ? _mm256_loadu_ps(b + 8) : _mm256_maskload_ps(b + 8, mask1);
        AVX2_STEP_ROW(0) AVX2_STEP_ROW(1) AVX2_STEP_ROW(2)
        AVX2_STEP_ROW(3) AVX2_STEP_ROW(4) AVX2_STEP_ROW(5)
        offset += a_step;
        b += b_stride;
    }

    AVX2_STORE_ROW(0) AVX2_STORE_ROW(1) AVX2_STORE_ROW(2)
    AVX2_STORE_ROW(3) AVX2_STORE_ROW(4) AVX2_STORE_ROW(5)
}

__attribute__((target("avx2,fma")))
static void kernel_avx2(
    size_t kc, const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_step, const float *b, ptrdiff_t b_stride,
    float *c, ptrdiff_t ldc, size_t rows, size_t columns, int accumulate)
{
    if (columns == AVX2_NR) {
        kernel_avx2_body(kc, a, a_row_stride, a_step, b, b_stride, c, ldc, rows, columns, accumulate, 1);
    } else {
        kernel_avx2_body(kc, a, a_row_stride, a_step, b, b_stride, c, ldc, rows, columns, accumulate, 0);
    }
}
#endif

static kernel_shape shape_for_path(weft_path path)
{
    switch (path) {
#if defined(__x86_64__)
    case WEFT_PATH_AVX512:
        return (kernel_shape){AVX512_MR, AVX512_NR, kernel_avx512};
    case WEFT_PATH_AVX2:
        return (kernel_shape){AVX2_MR, AVX2_NR, kernel_avx2};
#endif
    default:
        return (kernel_shape){SCALAR_MR, SCALAR_NR, kernel_scalar};
    }
}

// The packing buffer of `b`, one per thread, grown on demand and kept for the thread's
// life, so a warm product allocates nothing.
static _Thread_local float *packed_b;
static _Thread_local size_t packed_b_capacity;

static float *reserve(float **buffer, size_t *capacity, size_t count)
{
    if (count <= *capacity) return *buffer;
    free(*buffer);
    const size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
    *buffer = aligned_alloc(64, bytes);
    if (*buffer == NULL) {
        fprintf(stderr, "Weft: sgemm could not allocate %zu bytes for packing\n", bytes);
        abort();
    }
    *capacity = count;
    return *buffer;
}

#if defined(__x86_64__)
// Transposes the 8 x 8 block whose row q starts at rows[q] into 8 rows of `out`, `out_stride`
// floats apart.
__attribute__((target("avx")))
static void transpose_8x8(const float *const rows[8], float *out, size_t out_stride)
{
    const __m256 r0 = _mm256_loadu_ps(rows[0]), r1 = _mm256_loadu_ps(rows[1]);
    const __m256 r2 = _mm256_loadu_ps(rows[2]), r3 = _mm256_loadu_ps(rows[3]);
    const __m256 r4 = _mm256_loadu_ps(rows[4]), r5 = _mm256_loadu_ps(rows[5]);
    const __m256 r6 = _mm256_loadu_ps(rows[6]), r7 = _mm256_loadu_ps(rows[7]);

    // Interleave pairs of rows, then pairs of pairs, then swap the 128-bit halves.
    const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);

    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);

    _mm256_storeu_ps(out + 0 * out_stride, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(out + 1 * out_stride, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(out + 2 * out_stride, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(out + 3 * out_stride, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(out + 4 * out_stride, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(out + 5 * out_stride, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(out + 6 * out_stride, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(out + 7 * out_stride, _mm256_permute2f128_ps(u3, u7, 0x31));
}
#endif

// Packs one strip of `b`: depth `0 ..< kc` of columns `0 ..< strip_columns` (element (p, j)
// at b[p * row_stride + j * column_stride]) into out[p * nr + j], zero-filled past
// `strip_columns`. Contiguous rows are copied whole. Columns that are contiguous in the
// depth (row_stride 1, a transposed operand) go through 8 x 8 transposes where the
// processor has AVX.
static void pack_b_strip(
    size_t nr, size_t strip_columns, size_t kc, const float *b, ptrdiff_t row_stride, ptrdiff_t column_stride,
    float *out)
{
    size_t j = 0;
#if defined(__x86_64__)
    if (row_stride == 1 && kc >= 8 && __builtin_cpu_supports("avx")) {
        for (; j + 8 <= strip_columns; j += 8) {
            const float *rows[8];
            for (size_t q = 0; q < 8; q++) rows[q] = b + (ptrdiff_t)(j + q) * column_stride;
            size_t p = 0;
            for (; p + 8 <= kc; p += 8) {
                transpose_8x8(rows, out + p * nr + j, nr);
                for (size_t q = 0; q < 8; q++) rows[q] += 8;
            }
            for (; p < kc; p++) {
                for (size_t q = 0; q < 8; q++) out[p * nr + j + q] = b[(ptrdiff_t)(j + q) * column_stride + (ptrdiff_t)p];
            }
        }
    }
#endif
    if (column_stride == 1) {
        for (size_t p = 0; p < kc; p++) {
            float *target = out + p * nr;
            memcpy(target, b + (ptrdiff_t)p * row_stride, strip_columns * sizeof(float));
            for (size_t q = strip_columns; q < nr; q++) target[q] = 0.0f;
        }
        return;
    }
    for (; j < nr; j++) {
        if (j < strip_columns) {
            const float *column = b + (ptrdiff_t)j * column_stride;
            for (size_t p = 0; p < kc; p++) out[p * nr + j] = column[(ptrdiff_t)p * row_stride];
        } else {
            for (size_t p = 0; p < kc; p++) out[p * nr + j] = 0.0f;
        }
    }
}

// Packs depth `0 ..< kc` and columns `0 ..< columns` of `b` into strips of `nr` columns.
static void pack_b(
    size_t nr, size_t columns, size_t kc, const float *b, ptrdiff_t row_stride, ptrdiff_t column_stride, float *out)
{
    for (size_t j0 = 0; j0 < columns; j0 += nr) {
        const size_t strip_columns = columns - j0 < nr ? columns - j0 : nr;
        pack_b_strip(nr, strip_columns, kc, b + (ptrdiff_t)j0 * column_stride, row_stride, column_stride, out);
        out += kc * nr;
    }
}

void weft_sgemm_f32_path(
    weft_path path, size_t m, size_t n, size_t k,
    const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_column_stride,
    const float *b, ptrdiff_t b_row_stride, ptrdiff_t b_column_stride,
    float *c, ptrdiff_t ldc)
{
    if (m == 0 || n == 0) return;
    if (k == 0) {
        for (size_t i = 0; i < m; i++) memset(c + (ptrdiff_t)i * ldc, 0, n * sizeof(float));
        return;
    }

    const kernel_shape shape = shape_for_path(path);
    const size_t mr = shape.mr, nr = shape.nr;

    // Equal depth blocks of at most MAX_KC.
    const size_t block_count = (k + MAX_KC - 1) / MAX_KC;
    const size_t kc_max = (k + block_count - 1) / block_count;

    // `b` is read in place when each of its rows is contiguous, unless its rows are 2 KB or
    // more apart and many rows of `a` reuse them. There each step of the depth would touch
    // a new page, which the hardware prefetcher does not cross. On an Intel Xeon (family 6,
    // model 207) packing took a 1024 x 1024 x 1024 product from 47 to 133 GFLOP/s.
    const int reads_b_in_place = b_column_stride == 1 && !(m >= 64 && b_row_stride >= 512);

    float *b_pack = NULL;
    if (!reads_b_in_place) {
        const size_t nc_max = n < NC ? n : NC;
        b_pack = reserve(&packed_b, &packed_b_capacity, (nc_max + nr - 1) / nr * nr * kc_max);
    }

    for (size_t jc = 0; jc < n; jc += NC) {
        const size_t nc = n - jc < NC ? n - jc : NC;
        for (size_t pc = 0; pc < k; pc += kc_max) {
            const size_t kc = k - pc < kc_max ? k - pc : kc_max;
            const float *b_block = b + (ptrdiff_t)pc * b_row_stride + (ptrdiff_t)jc * b_column_stride;
            if (!reads_b_in_place) pack_b(nr, nc, kc, b_block, b_row_stride, b_column_stride, b_pack);

            for (size_t ic = 0; ic < m; ic += MC) {
                const size_t mc = m - ic < MC ? m - ic : MC;
                const float *a_block = a + (ptrdiff_t)ic * a_row_stride + (ptrdiff_t)pc * a_column_stride;

                for (size_t jr = 0; jr < nc; jr += nr) {
                    const size_t columns = nc - jr < nr ? nc - jr : nr;
                    const float *b_strip = reads_b_in_place ? b_block + jr : b_pack + jr / nr * kc * nr;
                    const ptrdiff_t b_stride = reads_b_in_place ? b_row_stride : (ptrdiff_t)nr;
                    for (size_t ir = 0; ir < mc; ir += mr) {
                        const size_t rows = mc - ir < mr ? mc - ir : mr;
                        float *tile = c + (ptrdiff_t)(ic + ir) * ldc + (ptrdiff_t)(jc + jr);
                        const float *a_strip = a_block + (ptrdiff_t)ir * a_row_stride;
                        shape.kernel(
                            kc, a_strip, a_row_stride, a_column_stride, b_strip, b_stride,
                            tile, ldc, rows, columns, pc > 0);
                    }
                }
            }
        }
    }
}

void weft_sgemm_f32(
    size_t m, size_t n, size_t k,
    const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_column_stride,
    const float *b, ptrdiff_t b_row_stride, ptrdiff_t b_column_stride,
    float *c, ptrdiff_t ldc)
{
    weft_sgemm_f32_path(weft_best_path(), m, n, k, a, a_row_stride, a_column_stride, b, b_row_stride, b_column_stride, c, ldc);
}
