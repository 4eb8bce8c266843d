#include "CKernels.h"

int weft_path_supported(weft_path path)
{
    switch (path) {
    case WEFT_PATH_SCALAR:
        return 1;
#if defined(__x86_64__)
    case WEFT_PATH_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case WEFT_PATH_AVX512:
        return __builtin_cpu_supports("avx512f");
#endif
    default:
        return 0;
    }
}

weft_path weft_best_path(void)
{
    static weft_path best = WEFT_PATH_UNKNOWN;
    weft_path path = __atomic_load_n(&best, __ATOMIC_RELAXED);
    if (path != WEFT_PATH_UNKNOWN) return path;

    if (weft_path_supported(WEFT_PATH_AVX512)) {
        path = WEFT_PATH_AVX512;
    } else if (weft_path_supported(WEFT_PATH_AVX2)) {
        path = WEFT_PATH_AVX2;
    } else {
        path = WEFT_PATH_SCALAR;
    }
    __atomic_store_n(&best, path, __ATOMIC_RELAXED);
    return path;
}
