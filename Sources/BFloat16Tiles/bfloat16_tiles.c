#include "bfloat16_tiles.h"

#if defined(__x86_64__) && defined(__linux__)

#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <cpuid.h>

#define TILES __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,amx-tile,amx-bf16")))

/// Linux's arch_prctl request for permission to use an extended state component, and AMX's tile data.
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

/// XCR0, the register in which the OS says which register states it saves.
static uint64_t enabled_states(void) {
    uint32_t low, high;
    __asm__("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return (uint64_t)high << 32 | low;
}

int mpitrain_bf16_tiles_usable(void) {
    static int usable = -1;
    if (usable >= 0) return usable;
    unsigned eax, ebx, ecx, edx, eax1, ebx1, ecx1, edx1;
    int leaf7 = __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && __get_cpuid_count(7, 1, &eax1, &ebx1, &ecx1, &edx1);
    int amx = leaf7 && (edx >> 22 & 1) && (edx >> 24 & 1);                                  // AMX-BF16, AMX-TILE
    int avx512 = leaf7 && (ebx >> 16 & 1) && (ebx >> 30 & 1) && (ebx >> 31 & 1) && (eax1 >> 5 & 1);  // F, BW, VL, BF16
    int osxsave = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx >> 27 & 1);
    // The OS saves the AVX-512 states (XCR0 bits 5–7, with SSE and AVX's 1–2) and grants the tiles.
    usable = amx && avx512 && osxsave && (enabled_states() & 0xE6) == 0xE6
        && syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
    return usable;
}

/// A tile's shape: 16 rows of 64 bytes (16 floats of C, or 32 bfloat16 of A, or 16 pairs of B).
typedef struct {
    uint8_t palette, start_row, reserved[14];
    uint16_t bytes_per_row[16];
    uint8_t rows[16];
} __attribute__((packed)) TileConfig;

/// Tiles 0–3: a 32 × 32 block of C; 4–5: two 16-row panels of A; 6–7: two 16-column panels of B.
TILES static void configure_tiles(void) {
    TileConfig config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    for (int t = 0; t < 8; t++) { config.bytes_per_row[t] = 64; config.rows[t] = 16; }
    _tile_loadconfig(&config);
}

/// Per-thread scratch: op(A) packed [m32, k32] bfloat16, op(B) packed in pairs [k32 / 2, n32, 2].
static _Thread_local void *scratch;
static _Thread_local size_t scratch_bytes;

static void *reserve(size_t bytes) {
    if (bytes > scratch_bytes) {
        free(scratch);
        scratch = aligned_alloc(64, (bytes + 63) / 64 * 64);
        if (!scratch) {
            fprintf(stderr, "mpitrain: error: no memory for the bf16 products' %zu MB of packed operands; "
                            "use a smaller net or batch, or leave out --precision bf16\n", bytes >> 20);
            exit(1);
        }
        scratch_bytes = bytes;
    }
    return scratch;
}

/// 16 floats at p (the first `count` of them; zeros after), rounded to bfloat16, in the low half.
TILES static inline __m256i bf16_16(const float *p, long count) {
    __mmask16 present = count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1);
    return (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(present, p));
}

/// The 16 × 16 block of 32-bit words `rows[r]` transposed in place (row r, word w ↔ row w, word r).
TILES static inline void transpose16(__m512i rows[16]) {
    __m512i t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(rows[i], rows[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(rows[i], rows[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        rows[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
        rows[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
        rows[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
        rows[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int i = 0; i < 4; i++) {
        t[i] = _mm512_shuffle_i32x4(rows[i], rows[i + 4], 0x88);
        t[i + 4] = _mm512_shuffle_i32x4(rows[i], rows[i + 4], 0xDD);
        t[i + 8] = _mm512_shuffle_i32x4(rows[i + 8], rows[i + 12], 0x88);
        t[i + 12] = _mm512_shuffle_i32x4(rows[i + 8], rows[i + 12], 0xDD);
    }
    for (int i = 0; i < 4; i++) {
        rows[i] = _mm512_shuffle_i32x4(t[i], t[i + 8], 0x88);
        rows[i + 8] = _mm512_shuffle_i32x4(t[i], t[i + 8], 0xDD);
        rows[i + 4] = _mm512_shuffle_i32x4(t[i + 4], t[i + 12], 0x88);
        rows[i + 12] = _mm512_shuffle_i32x4(t[i + 4], t[i + 12], 0xDD);
    }
}

/// A matrix X of `outer` × `depth` floats, element (o, p) at x[o·outer_stride + p·depth_stride]
/// (one stride 1), written as pairs along the depth: words[o][q] = (X[o, 2q], X[o, 2q + 1]) in
/// bfloat16, for o < outer32 and q < depth32 / 2 (zeros beyond X), each o a row of `row_words`
/// words when `by_outer` is 0, each q a row of `row_words` words when it is 1.
TILES static void pack_pairs(uint32_t *words, long row_words, int by_outer, const float *x,
                             long outer_stride, long depth_stride, long outer, long depth,
                             long outer32, long depth32) {
    const __m512i interleave = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                                23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    const int outer_rows = depth_stride == 1;  // the depth contiguous: X read along its rows
    for (long o0 = 0; o0 < outer32; o0 += 16) {
        for (long p0 = 0; p0 < depth32; p0 += 32) {
            // block[r][w]: r the outer index o0 + r and w the pair q0 + w when the depth is
            // contiguous; r the pair and w the outer index otherwise (transposed below).
            __m512i block[16];
            for (int r = 0; r < 16; r++) {
                if (outer_rows) {
                    long o = o0 + r, left = depth - p0;
                    if (o >= outer || left <= 0) { block[r] = _mm512_setzero_si512(); continue; }
                    const float *row = x + o * outer_stride + p0;
                    __m256i low = bf16_16(row, left), high = left > 16 ? bf16_16(row + 16, left - 16) : _mm256_setzero_si256();
                    block[r] = _mm512_inserti64x4(_mm512_castsi256_si512(low), high, 1);
                } else {
                    long p = p0 + 2 * r, left = outer - o0;
                    if (p >= depth || left <= 0) { block[r] = _mm512_setzero_si512(); continue; }
                    __m256i even = bf16_16(x + p * depth_stride + o0, left);
                    __m256i odd = p + 1 < depth ? bf16_16(x + (p + 1) * depth_stride + o0, left) : _mm256_setzero_si256();
                    block[r] = _mm512_permutexvar_epi16(interleave, _mm512_inserti64x4(_mm512_castsi256_si512(even), odd, 1));
                }
            }
            if (outer_rows == by_outer) transpose16(block);
            // Now block[r][w] is words[o0 + r][q0 + w] when by_outer is 0, words[q0 + r][o0 + w] when 1.
            long q0 = p0 / 2;
            for (int r = 0; r < 16; r++) {
                uint32_t *target = by_outer ? words + (q0 + r) * row_words + o0 : words + (o0 + r) * row_words + q0;
                _mm512_storeu_si512(target, block[r]);
            }
        }
    }
}

TILES void mpitrain_bf16_tiles_gemm(float *c, long ldc, const float *a, long a_row, long a_depth,
                                    const float *b, long b_depth, long b_column,
                                    long m, long n, long k, float alpha, float beta) {
    if (m <= 0 || n <= 0) return;
    long m32 = (m + 31) / 32 * 32, n32 = (n + 31) / 32 * 32, k32 = (k + 31) / 32 * 32;
    size_t a_bytes = (size_t)m32 * k32 * 2, b_bytes = (size_t)k32 * n32 * 2;
    uint8_t *base = reserve(a_bytes + b_bytes);
    uint32_t *ap = (uint32_t *)base, *bp = (uint32_t *)(base + a_bytes);
    // op(A) by rows of pairs along the depth: A tiles are 16 rows × 32 bfloat16.
    pack_pairs(ap, k32 / 2, 0, a, a_row, a_depth, m, k, m32, k32);
    // op(B) with B's columns as the outer index: pair q of column j at row q, word j.
    pack_pairs(bp, n32, 1, b, b_column, b_depth, n, k, n32, k32);
    configure_tiles();
    int plain = alpha == 1 && beta == 0;
    long a_stride = k32 * 2, b_stride = n32 * 4;
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    float block[32 * 32] __attribute__((aligned(64)));
    for (long i = 0; i < m32; i += 32) {
        for (long j = 0; j < n32; j += 32) {
            _tile_zero(0); _tile_zero(1); _tile_zero(2); _tile_zero(3);
            for (long p = 0; p < k32; p += 32) {
                const uint8_t *a0 = (const uint8_t *)ap + i * a_stride + p * 2;
                const uint8_t *b0 = (const uint8_t *)bp + (p / 2) * b_stride + j * 4;
                _tile_loadd(4, a0, a_stride);
                _tile_loadd(5, a0 + 16 * a_stride, a_stride);
                _tile_loadd(6, b0, b_stride);
                _tile_loadd(7, b0 + 64, b_stride);
                _tile_dpbf16ps(0, 4, 6);
                _tile_dpbf16ps(1, 4, 7);
                _tile_dpbf16ps(2, 5, 6);
                _tile_dpbf16ps(3, 5, 7);
            }
            // C = T straight from the tiles where the block is whole and plain; otherwise through
            // `block`: C = alpha·T + beta·C over the block's rows and columns inside C (C read
            // only when beta is not 0).
            int direct = plain && i + 32 <= m && j + 32 <= n;
            float *t = direct ? c + i * ldc + j : block;
            long stride = direct ? ldc * 4 : 32 * 4, down = 16 * stride / 4;
            _tile_stored(0, t, stride);
            _tile_stored(1, t + 16, stride);
            _tile_stored(2, t + down, stride);
            _tile_stored(3, t + down + 16, stride);
            if (direct) continue;
            for (long r = 0; r < 32 && i + r < m; r++) {
                float *row = c + (i + r) * ldc + j;
                for (long h = 0; h < 32 && j + h < n; h += 16) {
                    long left = n - j - h;
                    __mmask16 present = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
                    __m512 value = _mm512_mul_ps(va, _mm512_load_ps(block + r * 32 + h));
                    if (beta != 0) value = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(present, row + h), value);
                    _mm512_mask_storeu_ps(row + h, present, value);
                }
            }
        }
    }
    _tile_release();
}

#else

int mpitrain_bf16_tiles_usable(void) { return 0; }

void mpitrain_bf16_tiles_gemm(float *c, long ldc, const float *a, long a_row, long a_depth,
                              const float *b, long b_depth, long b_column,
                              long m, long n, long k, float alpha, float beta) {
    (void)c; (void)ldc; (void)a; (void)a_row; (void)a_depth; (void)b; (void)b_depth; (void)b_column;
    (void)m; (void)n; (void)k; (void)alpha; (void)beta;
    abort();
}

#endif
