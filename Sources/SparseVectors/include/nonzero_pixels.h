// The non-zero pixels of a run of an image's pixels, found 64 at a time with AVX-512 VBMI2's
// compress where the CPU has it (Swift has no words for it), one at a time without a branch
// where it has not: the compressed rows' entries of an 8-bit image set.
#ifndef MPITRAIN_NONZERO_PIXELS_H
#define MPITRAIN_NONZERO_PIXELS_H

#include <stdint.h>

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VBMI2__)
#include <immintrin.h>
#define MPITRAIN_NONZERO_PIXELS_COMPRESS 1
#else
#define MPITRAIN_NONZERO_PIXELS_COMPRESS 0
#endif

/// Entries past the last found that `mpitrain_nonzero_pixels` may write (and leave meaningless).
#define MPITRAIN_NONZERO_PIXELS_SLACK 64

/// Writes the column (`first` + i) and value − 1 of each non-zero pixels[i], i < count, in
/// order, to `columns` and `values`, and returns how many there are. It may write up to
/// `MPITRAIN_NONZERO_PIXELS_SLACK` entries past them: both arrays need that much room.
static inline long mpitrain_nonzero_pixels(const uint8_t *pixels, long count, uint16_t first,
                                           uint16_t *columns, uint8_t *values) {
    long found = 0;
#if MPITRAIN_NONZERO_PIXELS_COMPRESS
    const __m512i lanes = _mm512_set_epi16(31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16,
                                           15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    for (long start = 0; start < count; start += 64) {
        const __mmask64 present = count - start >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << (count - start)) - 1);
        const __m512i block = _mm512_maskz_loadu_epi8(present, pixels + start);
        const __mmask64 nonZero = _mm512_test_epi8_mask(block, block);
        const __m512i low = _mm512_add_epi16(lanes, _mm512_set1_epi16((short)(first + start)));
        const __m512i high = _mm512_add_epi16(low, _mm512_set1_epi16(32));
        const long lowCount = __builtin_popcount((uint32_t)nonZero);
        _mm512_storeu_si512(values + found, _mm512_maskz_compress_epi8(nonZero, _mm512_sub_epi8(block, _mm512_set1_epi8(1))));
        _mm512_storeu_si512(columns + found, _mm512_maskz_compress_epi16((__mmask32)nonZero, low));
        _mm512_storeu_si512(columns + found + lowCount, _mm512_maskz_compress_epi16((__mmask32)(nonZero >> 32), high));
        found += __builtin_popcountll(nonZero);
    }
#else
    for (long i = 0; i < count; i++) {
        const uint8_t pixel = pixels[i];
        columns[found] = (uint16_t)(first + i);
        values[found] = (uint8_t)(pixel - 1);
        found += pixel != 0;
    }
#endif
    return found;
}

#endif
