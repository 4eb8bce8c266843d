#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#pragma STDC FP_CONTRACT OFF

// Pairwise summation, the kernel behind Summation.pairwise. A range of at most LEAF
// elements is a leaf. A leaf is summed in eight lanes (element i goes to lane i % 8),
// then lanes 0 to 7 are added in order to -0, and then the elements past the last
// multiple of eight are added. A longer range is cut at half its length rounded down
// to a multiple of eight, and the sums of the two halves are added.
//
// Every function here takes a second array `b` that may be NULL. With `b`, element i
// is the product a[i] * b[i], rounded before it is added, which is the sum of a stored
// product tensor without storing it.
//
// A leaf's eight lanes form one chain of dependent additions, so a single leaf runs at
// the latency of an addition. Ranges of up to LARGE elements (cache-resident blocks)
// have four leaves summed together, each in its own lanes, which keeps every leaf's
// additions, and so its bits, unchanged.

enum { LEAF = 256, GROUP = 4096, MAX_LEAVES = 64, LARGE = 1 << 16, MAX_SUMS = WEFT_MAX_SUMS };

static inline float element(const float *a, const float *b, size_t i)
{
    return b ? a[i] * b[i] : a[i];
}

// Finishes a leaf of `count` elements from `start` whose lanes hold the elements
// before `start + i`: the remaining groups of eight, the lanes in order, the tail.
static inline __attribute__((always_inline)) float finish_leaf(
    const float *a, const float *b, size_t start, size_t count, size_t i, const float lanes[8])
{
    float partial[8];
    for (int l = 0; l < 8; l++) partial[l] = lanes[l];
    for (; i + 8 <= count; i += 8) {
        for (int l = 0; l < 8; l++) partial[l] += element(a, b, start + i + l);
    }
    float total = -0.0f;
    for (int l = 0; l < 8; l++) total += partial[l];
    for (; i < count; i++) total += element(a, b, start + i);
    return total;
}

#if defined(__x86_64__)
__attribute__((target("avx")))
static inline __m256 load_element(const float *a, const float *b, size_t i)
{
    return b ? _mm256_mul_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)) : _mm256_loadu_ps(a + i);
}

// Sums four leaves at once, each in its own eight lanes.
__attribute__((target("avx")))
static void sum_four_leaves_avx(const float *a, const float *b, const size_t start[4], const size_t n[4], float sums[4])
{
    size_t common = n[0];
    for (int k = 1; k < 4; k++) common = n[k] < common ? n[k] : common;
    common &= ~(size_t)7;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    __m256 a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    for (size_t i = 0; i < common; i += 8) {
        a0 = _mm256_add_ps(a0, load_element(a, b, start[0] + i));
        a1 = _mm256_add_ps(a1, load_element(a, b, start[1] + i));
        a2 = _mm256_add_ps(a2, load_element(a, b, start[2] + i));
        a3 = _mm256_add_ps(a3, load_element(a, b, start[3] + i));
    }
    float lanes[4][8];
    _mm256_storeu_ps(lanes[0], a0);
    _mm256_storeu_ps(lanes[1], a1);
    _mm256_storeu_ps(lanes[2], a2);
    _mm256_storeu_ps(lanes[3], a3);
    for (int k = 0; k < 4; k++) sums[k] = finish_leaf(a, b, start[k], n[k], common, lanes[k]);
}

// Sums four leaves of `a` and of the products a[i] * b[i] at once, the two sums of a
// linear model's gradient, reading each element of `a` once.
__attribute__((target("avx")))
static void sum_four_leaf_pairs_avx(
    const float *a, const float *b, const size_t start[4], const size_t n[4], float plain[4], float products[4])
{
    size_t common = n[0];
    for (int k = 1; k < 4; k++) common = n[k] < common ? n[k] : common;
    common &= ~(size_t)7;
    __m256 p[4], q[4];
    for (int k = 0; k < 4; k++) p[k] = q[k] = _mm256_setzero_ps();
    for (size_t i = 0; i < common; i += 8) {
        for (int k = 0; k < 4; k++) {
            const __m256 x = _mm256_loadu_ps(a + start[k] + i);
            p[k] = _mm256_add_ps(p[k], x);
            q[k] = _mm256_add_ps(q[k], _mm256_mul_ps(x, _mm256_loadu_ps(b + start[k] + i)));
        }
    }
    for (int k = 0; k < 4; k++) {
        float lanes[8];
        _mm256_storeu_ps(lanes, p[k]);
        plain[k] = finish_leaf(a, NULL, start[k], n[k], common, lanes);
        _mm256_storeu_ps(lanes, q[k]);
        products[k] = finish_leaf(a, b, start[k], n[k], common, lanes);
    }
}

// Sums one leaf with its eight lanes in two four-lane registers, which are two
// independent chains of additions.
static float sum_one_leaf_sse(const float *a, const float *b, size_t start, size_t n)
{
    __m128 low = _mm_setzero_ps(), high = _mm_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const float *p = a + start + i;
        __m128 x = _mm_loadu_ps(p), y = _mm_loadu_ps(p + 4);
        if (b) {
            x = _mm_mul_ps(x, _mm_loadu_ps(b + start + i));
            y = _mm_mul_ps(y, _mm_loadu_ps(b + start + i + 4));
        }
        low = _mm_add_ps(low, x);
        high = _mm_add_ps(high, y);
    }
    float lanes[8];
    _mm_storeu_ps(lanes, low);
    _mm_storeu_ps(lanes + 4, high);
    return finish_leaf(a, b, start, n, i, lanes);
}

static int has_avx(void)
{
    return __builtin_cpu_supports("avx");
}
#endif

// Sums `count` leaves given by their starts and lengths.
static void sum_leaves(const float *a, const float *b, const size_t *start, const size_t *n, size_t count, float *sums)
{
    size_t k = 0;
#if defined(__x86_64__)
    if (has_avx()) {
        for (; k + 4 <= count; k += 4) sum_four_leaves_avx(a, b, start + k, n + k, sums + k);
    }
    for (; k < count; k++) sums[k] = sum_one_leaf_sse(a, b, start[k], n[k]);
#else
    const float zero[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (; k < count; k++) sums[k] = finish_leaf(a, b, start[k], n[k], 0, zero);
#endif
}

// The pairwise tree over `count` elements (at most GROUP): its leaves, as offsets from
// the range's start and lengths, and its additions in the order of the recursion.
// Fused passes sum many blocks of one length, so each thread keeps the tree of the
// last length it summed instead of walking the recursion for every block.
//
// Additions read and write slots: leaf k's sum is slot k, and addition i writes slot
// NODES + i, so the last addition's slot contains the total.
enum { NODES = MAX_LEAVES };

typedef struct {
    size_t count;
    size_t leaves;
    size_t offsets[MAX_LEAVES];
    size_t lengths[MAX_LEAVES];
    size_t additions;
    unsigned char left[MAX_LEAVES];
    unsigned char right[MAX_LEAVES];
} leaf_tree;

// Appends the leaves of the node of `count` elements at `offset` and then its
// additions, and returns the slot of the node's sum.
static size_t build_node(leaf_tree *tree, size_t offset, size_t count)
{
    if (count <= LEAF) {
        tree->offsets[tree->leaves] = offset;
        tree->lengths[tree->leaves] = count;
        return tree->leaves++;
    }
    const size_t half = (count / 2) & ~(size_t)7;
    const size_t left = build_node(tree, offset, half);
    const size_t right = build_node(tree, offset + half, count - half);
    tree->left[tree->additions] = (unsigned char)left;
    tree->right[tree->additions] = (unsigned char)right;
    return NODES + tree->additions++;
}

// Returns this thread's tree for `count` elements, built when the last count differs.
static const leaf_tree *tree_for(size_t count)
{
    static _Thread_local leaf_tree tree;
    if (tree.count == count && tree.leaves > 0) return &tree;

    tree.count = count;
    tree.leaves = 0;
    tree.additions = 0;
    build_node(&tree, 0, count);
    return &tree;
}

// Adds the leaf sums of `tree` as the pairs of the recursion add them.
static float combine_leaves(const leaf_tree *tree, const float *sums)
{
    float slots[NODES + MAX_LEAVES];
    for (size_t i = 0; i < tree->leaves; i++) slots[i] = sums[i];
    for (size_t i = 0; i < tree->additions; i++) {
        slots[NODES + i] = slots[tree->left[i]] + slots[tree->right[i]];
    }
    return tree->additions == 0 ? slots[0] : slots[NODES + tree->additions - 1];
}

// Sums a long range leaf by leaf in memory order. Long arrays come from main memory,
// and one sequential stream is read faster than the four streams of the grouped loop.
static float sum_sequential(const float *a, const float *b, size_t start, size_t count)
{
    if (count <= LEAF) {
        float sum;
        sum_leaves(a, b, &start, &count, 1, &sum);
        return sum;
    }
    const size_t half = (count / 2) & ~(size_t)7;
    return sum_sequential(a, b, start, half) + sum_sequential(a, b, start + half, count - half);
}

// Writes the sums of `k` summands (a[j], or a[j] * b[j] where b[j] is not NULL) over
// [start, start + count) to out[0 ..< k]. The summands share the leaf structure, which
// is computed once.
static void sums_pairwise(
    size_t k, const float *const *a, const float *const *b, size_t start, size_t count, float *out)
{
    if (count > LARGE) {
        for (size_t j = 0; j < k; j++) out[j] = sum_sequential(a[j], b[j], start, count);
        return;
    }
    if (count > GROUP) {
        const size_t half = (count / 2) & ~(size_t)7;
        float right[MAX_SUMS];
        sums_pairwise(k, a, b, start, half, out);
        sums_pairwise(k, a, b, start + half, count - half, right);
        for (size_t j = 0; j < k; j++) out[j] = out[j] + right[j];
        return;
    }
    // At most GROUP elements: the halving gives leaves of more than LEAF / 2 - 8
    // elements, so there are fewer than MAX_LEAVES of them.
    const leaf_tree *tree = tree_for(count);
    const size_t found = tree->leaves;
    const size_t *counts = tree->lengths;
    size_t starts[MAX_LEAVES];
    float sums[MAX_LEAVES];
    for (size_t leaf = 0; leaf < found; leaf++) starts[leaf] = start + tree->offsets[leaf];
#if defined(__x86_64__)
    // A sum of `a` and a sum of `a * b`, in either order: one pass over `a`.
    if (k == 2 && a[0] == a[1] && (b[0] == NULL) != (b[1] == NULL) && has_avx()) {
        const size_t plain_index = b[0] == NULL ? 0 : 1;
        const float *factor = b[1 - plain_index];
        float products[MAX_LEAVES];
        size_t leaf = 0;
        for (; leaf + 4 <= found; leaf += 4) {
            sum_four_leaf_pairs_avx(a[0], factor, starts + leaf, counts + leaf, sums + leaf, products + leaf);
        }
        for (; leaf < found; leaf++) {
            sums[leaf] = sum_one_leaf_sse(a[0], NULL, starts[leaf], counts[leaf]);
            products[leaf] = sum_one_leaf_sse(a[0], factor, starts[leaf], counts[leaf]);
        }
        out[plain_index] = combine_leaves(tree, sums);
        out[1 - plain_index] = combine_leaves(tree, products);
        return;
    }
#endif
    for (size_t j = 0; j < k; j++) {
        sum_leaves(a[j], b[j], starts, counts, found, sums);
        out[j] = combine_leaves(tree, sums);
    }
}

float weft_sum_pairwise_f32(const float *p, size_t count)
{
    const float *b = NULL;
    float sum;
    sums_pairwise(1, &p, &b, 0, count, &sum);
    return sum;
}

float weft_sum_products_pairwise_f32(const float *a, const float *b, size_t count)
{
    float sum;
    sums_pairwise(1, &a, &b, 0, count, &sum);
    return sum;
}

void weft_sums_pairwise_f32(size_t k, const float *const *a, const float *const *b, size_t count, float *out)
{
    sums_pairwise(k, a, b, 0, count, out);
}
