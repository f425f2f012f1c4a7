/// The cache and register blocking of the fast `gemm`, in elements.
///
/// Loop structure of one thread's share of C (see `blockedGEMM`):
/// ```
/// for each depth slice of k        (≤ depth: packed B slice stays in L2)
///   for each column block of n     (≤ columns: one packed B block, panels of microColumns)
///     for each row block of m      (≤ rows: the A rows reused across the column block)
///       for each B panel           (microColumns wide, kept hot in L1 while…)
///         for each A row panel     (microRows tall, read in place)
///           micro-kernel: microRows × microColumns of C in registers over the depth slice
/// ```
/// Depth slices depend only on k, never on the thread count, so every element of C is summed
/// in the same order whatever the split: results are bit-identical for any `threads`.
struct GEMMBlockSizes {
    /// Rows of C in one register tile: one broadcast of A per row and depth step. The tile's sums
    /// take half the register file or a little more (`RegisterFile`): 8 rows with AVX-512 (16 of
    /// 32 zmm), 3 with AVX2 (12 of 16 ymm, `ThreeRowsByQuarters`; 4 rows would spill).
    static var microRows: Int { RegisterFile.floats >= 512 ? 8 : 3 }
    /// Columns of C in one register tile: two `SIMD16<Float>` per row (two zmm, or four ymm).
    static let microColumns = 32
    /// Largest slice of k summed in registers before C is updated; k is cut into equal slices.
    static let depth = 512
    /// Rows of C (and of op(A)) per row block: whole tiles, about 128 rows.
    static var rows: Int { 128 / microRows * microRows }
    /// Columns of C per packed B block (a multiple of `microColumns`).
    static let columns = 512

    /// The depth slices of `k`: as few as `depth` allows, of nearly equal size (the first ones one longer).
    static func depthSlices(k: Int) -> [Range<Int>] {
        let count = (k + depth - 1) / depth
        let base = k / count, longer = k % count
        var slices: [Range<Int>] = []
        var start = 0
        for index in 0..<count {
            let length = base + (index < longer ? 1 : 0)
            slices.append(start..<(start + length))
            start += length
        }
        return slices
    }
}
