// The module is its header (cache_hints.h); a C target needs one source file.
#include "cache_hints.h"
