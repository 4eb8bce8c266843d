#include "CKernels.h"

#include <string.h>

// Rows above this total are copied without the prefetch pass: they would not stay in
// the first-level caches until their copy, and the hardware prefetcher follows long
// copies well by itself.
#define PREFETCH_LIMIT_BYTES (64 * 1024)

static size_t clamped_row(int index, size_t length)
{
    long position = index < 0 ? (long)index + (long)length : (long)index;
    if (position < 0) return 0;
    if ((size_t)position >= length) return length - 1;
    return (size_t)position;
}

void weft_gather_rows(const void *source, size_t row_bytes, size_t length, const int *indices, size_t count, void *out)
{
    const unsigned char *rows = source;
    unsigned char *destination = out;

    // Random rows of a large array miss every cache. Requesting every line first lets
    // the misses overlap instead of costing one memory latency per row.
    if (row_bytes * count <= PREFETCH_LIMIT_BYTES) {
        for (size_t i = 0; i < count; i++) {
            const unsigned char *row = rows + clamped_row(indices[i], length) * row_bytes;
            for (size_t offset = 0; offset < row_bytes; offset += 64) __builtin_prefetch(row + offset, 0, 3);
        }
    }

    for (size_t i = 0; i < count; i++) {
        memcpy(destination + i * row_bytes, rows + clamped_row(indices[i], length) * row_bytes, row_bytes);
    }
}
