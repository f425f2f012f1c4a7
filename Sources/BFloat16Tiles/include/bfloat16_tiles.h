// Matrix products with bfloat16 products and float sums on the AMX tile registers of Intel Xeon
// 4th generation and later (AMX-TILE and AMX-BF16; Swift has no words for them): the products
// of `--precision bf16`.
#ifndef MPITRAIN_BFLOAT16_TILES_H
#define MPITRAIN_BFLOAT16_TILES_H

/// Whether this CPU has AMX-BF16 and the kernel lets this process use the tile registers (asked
/// once, on the first call: Linux's ARCH_REQ_XCOMP_PERM). 1 or 0.
int mpitrain_bf16_tiles_usable(void);

/// C = alpha·op(A)·op(B) + beta·C, [m, n] at `c` (row stride `ldc`; with beta 0, C is not read),
/// where op(A)'s element (i, p) is a[i·a_row + p·a_depth] and op(B)'s element (p, j) is
/// b[p·b_depth + j·b_column] (one of each operand's two strides must be 1). Each element of
/// op(A) and op(B) is rounded to bfloat16 (to nearest, ties to even); each element of C is the
/// float sum of its k products in an order that depends on k alone, added to beta·C once.
/// Needs `mpitrain_bf16_tiles_usable()`; runs on the caller's thread.
void mpitrain_bf16_tiles_gemm(float *c, long ldc,
                              const float *a, long a_row, long a_depth,
                              const float *b, long b_depth, long b_column,
                              long m, long n, long k, float alpha, float beta);

#endif
