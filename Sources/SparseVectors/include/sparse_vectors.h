// A sparse row against one column of a dense matrix, sixteen entries at a time: the row's dot
// product with a column of B, and the row's entries, scaled, added into a column of C (the two
// products of the single neuron, 784 → 1). With AVX-512 by gathers, which Swift has no words for;
// without, lane by lane in the same order, so both give the same bits.
#ifndef MPITRAIN_SPARSE_VECTORS_H
#define MPITRAIN_SPARSE_VECTORS_H

#include <math.h>
#include <stdint.h>

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#include <immintrin.h>
#define MPITRAIN_SPARSE_GATHERS 1

/// Entries e ..< min(e + 16, count) of a sparse row, a lane each (lanes past the end are off).
typedef struct {
    __mmask16 lanes;
    /// Each entry's column, times `stride`.
    __m512i places;
    /// Each entry's value, values[valueIndices[·]].
    __m512 values;
} mpitrain_sparse_entries;

static inline mpitrain_sparse_entries mpitrain_sparse_load(const uint8_t *valueIndices, const uint16_t *columns,
                                                           const float *values, long e, long count, long stride) {
    mpitrain_sparse_entries block;
    block.lanes = count - e >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - e)) - 1);
    const __m512i column = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(block.lanes, columns + e));
    const __m512i index = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(block.lanes, valueIndices + e));
    block.places = _mm512_mullo_epi32(column, _mm512_set1_epi32((int)stride));
    block.values = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), block.lanes, index, values, 4);
    return block;
}
#else
#define MPITRAIN_SPARSE_GATHERS 0
#endif

/// Σ_e values[valueIndices[e]] · b[columns[e] · ldb] over e ..< count. Lane l (of 16) sums the
/// entries l, l + 16, l + 32, … by fused multiply-adds (the last block's missing entries as 0 · 0),
/// then the lanes are added in halves: l + (l + 8), then + 4, + 2, + 1.
static inline float mpitrain_sparse_dot(const uint8_t *valueIndices, const uint16_t *columns,
                                        const float *values, long count, const float *b, long ldb) {
#if MPITRAIN_SPARSE_GATHERS
    __m512 sum = _mm512_setzero_ps();
    for (long e = 0; e < count; e += 16) {
        const mpitrain_sparse_entries block = mpitrain_sparse_load(valueIndices, columns, values, e, count, ldb);
        const __m512 weight = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), block.lanes, block.places, b, 4);
        sum = _mm512_fmadd_ps(block.values, weight, sum);
    }
    const __m256 eight = _mm256_add_ps(_mm512_castps512_ps256(sum),
                                       _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(sum), 1)));
    const __m128 four = _mm_add_ps(_mm256_castps256_ps128(eight), _mm256_extractf128_ps(eight, 1));
    const __m128 two = _mm_add_ps(four, _mm_movehl_ps(four, four));
    return _mm_cvtss_f32(_mm_add_ss(two, _mm_shuffle_ps(two, two, 1)));
#else
    float lane[16] = {0};
    for (long e = 0; e < count; e += 16) {
        for (int l = 0; l < 16; l++) {
            const int present = e + l < count;
            const float value = present ? values[valueIndices[e + l]] : 0;
            const float weight = present ? b[columns[e + l] * ldb] : 0;
            lane[l] = fmaf(value, weight, lane[l]);
        }
    }
    for (int half = 8; half >= 1; half /= 2) {
        for (int l = 0; l < half; l++) lane[l] = lane[l] + lane[l + half];
    }
    return lane[0];
#endif
}

/// c[columns[e] · ldc] += values[valueIndices[e]] · factor over e ..< count, whose columns are
/// distinct (a row's): each product rounded, then added.
static inline void mpitrain_sparse_scatter_add(float *c, long ldc, const uint8_t *valueIndices,
                                               const uint16_t *columns, const float *values, long count,
                                               float factor) {
#pragma clang fp contract(off)
#if MPITRAIN_SPARSE_GATHERS
    const __m512 scale = _mm512_set1_ps(factor);
    for (long e = 0; e < count; e += 16) {
        const mpitrain_sparse_entries block = mpitrain_sparse_load(valueIndices, columns, values, e, count, ldc);
        const __m512 old = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), block.lanes, block.places, c, 4);
        _mm512_mask_i32scatter_ps(c, block.lanes, block.places,
                                  _mm512_add_ps(old, _mm512_mul_ps(block.values, scale)), 4);
    }
#else
    for (long e = 0; e < count; e++) {
        const float product = values[valueIndices[e]] * factor;
        c[columns[e] * ldc] += product;
    }
#endif
}

#endif
