// OpenBLAS's C interface, found through pkg-config `openblas` (Debian: libopenblas-dev).
#include <cblas.h>

// Sets the number of threads OpenBLAS uses for later calls.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
