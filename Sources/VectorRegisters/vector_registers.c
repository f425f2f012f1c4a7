// The module is its header (vector_registers.h); a C target needs one source file.
#include "vector_registers.h"
