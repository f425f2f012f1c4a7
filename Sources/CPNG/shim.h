// libpng 1.6 for Swift (Debian's libpng-dev, found through pkg-config "libpng"). The simplified
// API (png_image: read any PNG as 8-bit grey, write one from memory) imports as is.
#ifndef MPITRAIN_CPNG_SHIM_H
#define MPITRAIN_CPNG_SHIM_H

#include <png.h>

#endif
