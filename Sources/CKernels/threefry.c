#include "CKernels.h"

#include <stdint.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Threefry-2x32 with 20 rounds, the block cipher of JAX's default PRNG, eight blocks at a
// time with AVX2 and one at a time otherwise. Both paths compute the same 32-bit
// additions, rotations and exclusive ors, so they give the same words.

#define PARITY 0x1BD11BDAu

static inline uint32_t rotate(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

#define ROUND(x0, x1, r) do { x0 += x1; x1 = rotate(x1, r) ^ x0; } while (0)
#define ROUNDS_EVEN(x0, x1) do { ROUND(x0, x1, 13); ROUND(x0, x1, 15); ROUND(x0, x1, 26); ROUND(x0, x1, 6); } while (0)
#define ROUNDS_ODD(x0, x1) do { ROUND(x0, x1, 17); ROUND(x0, x1, 29); ROUND(x0, x1, 16); ROUND(x0, x1, 24); } while (0)

// Encrypts the counter block (c0, c1) under (k0, k1) into (*w0, *w1).
static inline void block(uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1, uint32_t *w0, uint32_t *w1)
{
    const uint32_t k2 = k0 ^ k1 ^ PARITY;
    uint32_t x0 = c0 + k0, x1 = c1 + k1;
    ROUNDS_EVEN(x0, x1); x0 += k1; x1 += k2 + 1;
    ROUNDS_ODD(x0, x1); x0 += k2; x1 += k0 + 2;
    ROUNDS_EVEN(x0, x1); x0 += k0; x1 += k1 + 3;
    ROUNDS_ODD(x0, x1); x0 += k1; x1 += k2 + 4;
    ROUNDS_EVEN(x0, x1); x0 += k2; x1 += k0 + 5;
    *w0 = x0;
    *w1 = x1;
}

#if defined(__x86_64__)
#define VROT(x, r) _mm256_or_si256(_mm256_slli_epi32(x, r), _mm256_srli_epi32(x, 32 - r))
#define VROUND(x0, x1, r) do { x0 = _mm256_add_epi32(x0, x1); x1 = _mm256_xor_si256(VROT(x1, r), x0); } while (0)
#define VROUNDS_EVEN(x0, x1) do { VROUND(x0, x1, 13); VROUND(x0, x1, 15); VROUND(x0, x1, 26); VROUND(x0, x1, 6); } while (0)
#define VROUNDS_ODD(x0, x1) do { VROUND(x0, x1, 17); VROUND(x0, x1, 29); VROUND(x0, x1, 16); VROUND(x0, x1, 24); } while (0)

// Encrypts eight counter blocks, lane by lane, as `block` does.
__attribute__((target("avx2"), always_inline))
static inline void block8(uint32_t k0, uint32_t k1, __m256i c0, __m256i c1, __m256i *w0, __m256i *w1)
{
    const uint32_t k2 = k0 ^ k1 ^ PARITY;
    const __m256i key0 = _mm256_set1_epi32((int)k0), key1 = _mm256_set1_epi32((int)k1);
    const __m256i key2 = _mm256_set1_epi32((int)k2);
    __m256i x0 = _mm256_add_epi32(c0, key0), x1 = _mm256_add_epi32(c1, key1);
    VROUNDS_EVEN(x0, x1); x0 = _mm256_add_epi32(x0, key1); x1 = _mm256_add_epi32(x1, _mm256_set1_epi32((int)(k2 + 1)));
    VROUNDS_ODD(x0, x1); x0 = _mm256_add_epi32(x0, key2); x1 = _mm256_add_epi32(x1, _mm256_set1_epi32((int)(k0 + 2)));
    VROUNDS_EVEN(x0, x1); x0 = _mm256_add_epi32(x0, key0); x1 = _mm256_add_epi32(x1, _mm256_set1_epi32((int)(k1 + 3)));
    VROUNDS_ODD(x0, x1); x0 = _mm256_add_epi32(x0, key1); x1 = _mm256_add_epi32(x1, _mm256_set1_epi32((int)(k2 + 4)));
    VROUNDS_EVEN(x0, x1); x0 = _mm256_add_epi32(x0, key2); x1 = _mm256_add_epi32(x1, _mm256_set1_epi32((int)(k0 + 5)));
    *w0 = x0;
    *w1 = x1;
}

// Runs `weft_threefry_counter_bits` on the multiples of eight below `count` that share
// their high counter word, and returns how many it did.
__attribute__((target("avx2")))
static size_t counter_bits_avx2(uint32_t k0, uint32_t k1, uint64_t first, size_t count, uint32_t *out)
{
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        const uint64_t counter = first + i;
        if ((counter >> 32) != ((counter + 7) >> 32)) break;
        const __m256i high = _mm256_set1_epi32((int)(uint32_t)(counter >> 32));
        const __m256i low = _mm256_add_epi32(_mm256_set1_epi32((int)(uint32_t)counter), lanes);
        __m256i w0, w1;
        block8(k0, k1, high, low, &w0, &w1);
        _mm256_storeu_si256((__m256i *)(out + i), _mm256_xor_si256(w0, w1));
    }
    return i;
}

// Runs `weft_threefry_hash_range` on blocks `0 ..< blocks` whose second counter is
// `half + index`, in steps of eight, and returns how many it did.
__attribute__((target("avx2")))
static size_t hash_range_avx2(uint32_t k0, uint32_t k1, size_t blocks, size_t half, uint32_t *out)
{
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    size_t i = 0;
    for (; i + 8 <= blocks; i += 8) {
        const __m256i first = _mm256_add_epi32(_mm256_set1_epi32((int)(uint32_t)i), lanes);
        const __m256i second = _mm256_add_epi32(_mm256_set1_epi32((int)(uint32_t)(half + i)), lanes);
        __m256i w0, w1;
        block8(k0, k1, first, second, &w0, &w1);
        _mm256_storeu_si256((__m256i *)(out + i), w0);
        _mm256_storeu_si256((__m256i *)(out + half + i), w1);
    }
    return i;
}
#endif

void weft_threefry_counter_bits(uint32_t key0, uint32_t key1, uint64_t first, size_t count, uint32_t *out)
{
    size_t i = 0;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) i = counter_bits_avx2(key0, key1, first, count, out);
#endif
    for (; i < count; i++) {
        const uint64_t counter = first + i;
        uint32_t w0, w1;
        block(key0, key1, (uint32_t)(counter >> 32), (uint32_t)counter, &w0, &w1);
        out[i] = w0 ^ w1;
    }
}

void weft_threefry_hash_range(uint32_t key0, uint32_t key1, size_t count, uint32_t *out)
{
    const size_t half = (count + 1) / 2;
    // `full` blocks have a second counter below `count`. With an odd count, one more
    // block pairs its first counter with the padding zero, and only its first word is kept.
    const size_t full = count / 2;
    size_t i = 0;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) i = hash_range_avx2(key0, key1, full, half, out);
#endif
    for (; i < full; i++) {
        block(key0, key1, (uint32_t)i, (uint32_t)(half + i), &out[i], &out[half + i]);
    }
    if (half > full) {
        uint32_t w1;
        block(key0, key1, (uint32_t)full, 0, &out[full], &w1);
    }
}
