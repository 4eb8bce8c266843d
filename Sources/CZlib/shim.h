// zlib's C interface, found through pkg-config `zlib` (Debian: zlib1g-dev).
#include <zlib.h>
