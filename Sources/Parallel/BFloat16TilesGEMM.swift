import BFloat16Tiles

/// `gemm` by `GEMMKernel.bfloat16Tiles`: C = α·op(A)·op(B) + β·C with each factor rounded to
/// bfloat16 and the products summed in float on the AMX tile registers, C cut into bands of whole
/// 32 × 32 tile blocks over the threads (by rows when C is at least as tall as it is wide, else by
/// columns). Each band packs its own rows of op(A) and columns of op(B); every element is summed
/// over all of k by one tile in an order that depends on k alone, so the bits do not depend on
/// `threads`. Needs `ProductPrecision.bf16Usable`.
func bfloat16TilesGEMM(c: UnsafeMutablePointer<Float>, ldc: Int, _ operands: GEMMOperands,
                       m: Int, n: Int, k: Int, threads: Int, minimumWorkPerThread: Int) {
    let o = operands
    // op(A)'s element (i, p) at a[i·aRow + p·aDepth]; op(B)'s (p, j) at b[p·bDepth + j·bColumn].
    let (aRow, aDepth) = o.transA == .none ? (o.lda, 1) : (1, o.lda)
    let (bDepth, bColumn) = o.transB == .none ? (o.ldb, 1) : (1, o.ldb)
    let byRows = m >= n, extent = byRows ? m : n, blocks = (extent + 31) / 32
    let bands = min(blocks, m * n * k >= 2 * max(1, minimumWorkPerThread) ? threads : 1)
    Team.shared.run(parts: bands, threads: threads) { band in
        let start = min(extent, band * blocks / bands * 32), end = min(extent, (band + 1) * blocks / bands * 32)
        guard start < end else { return }
        if byRows {
            mpitrain_bf16_tiles_gemm(c + start * ldc, ldc, o.a + start * aRow, aRow, aDepth, o.b, bDepth, bColumn,
                                     end - start, n, k, o.alpha, o.beta)
        } else {
            mpitrain_bf16_tiles_gemm(c + start, ldc, o.a, aRow, aDepth, o.b + start * bColumn, bDepth, bColumn,
                                     m, end - start, k, o.alpha, o.beta)
        }
    }
}
