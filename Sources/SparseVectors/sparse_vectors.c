// The module is its header (sparse_vectors.h); a C target needs one source file.
#include "sparse_vectors.h"
