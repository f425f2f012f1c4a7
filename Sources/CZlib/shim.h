#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
#include <zlib.h>

// inflateInit2 is a macro over inflateInit2_ (version and struct size), which Swift cannot import.
/// Starts `stream` for gzip data: header, deflate stream, CRC-32 and length checked by zlib.
static inline int czlib_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 16 + MAX_WBITS);
}

#endif
