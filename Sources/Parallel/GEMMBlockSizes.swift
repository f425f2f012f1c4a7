/// The cache and register blocking of the fast `gemm`, in elements.
///
/// Loop structure of one thread's share of C (see `blockedGEMM`):
/// ```
/// for each depth slice of k        (≤ depth: packed B slice stays in L2)
///   for each column block of n     (≤ columns: one packed B block, panels of microColumns)
///     for each row block of m      (≤ rows: the A rows reused across the column block)
///       for each B panel           (microColumns wide)
///         for each resident step   (B read in place only: ≤ residentDepth of the panel's rows, kept
///                                   hot in L1 while…; a packed panel streams whole from L2)
///           for each A row panel   (microRows tall, read in place)
///             micro-kernel: microRows × microColumns of C in registers over the step,
///             resumed from and paused to memory between steps, merged into C after the last
/// ```
/// Depth slices depend only on k, never on the thread count, so every element of C is summed
/// in the same order whatever the split: results are bit-identical for any `threads`. Resident
/// steps change no bits: the sums wait between steps as the floats they are in registers.
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

    /// Most rows of a B panel (32 columns, 128 B a row) read in one go: 200 rows (25 KB) stay in
    /// L1 beside A's rows while the micro-kernel goes over every row panel of a row block.
    static let residentDepth = 200
    /// Most rows of a B panel in one resident step of a longer depth slice: 128 (16 KB).
    static let residentStep = 128

    /// A depth slice of `depth` rows cut into resident steps: the whole slice when B is packed (a
    /// contiguous panel streams from L2) or has at most `residentDepth` rows, otherwise steps of at
    /// most `residentStep`, of nearly equal size.
    static func residentSteps(depth: Int, readsBInPlace: Bool) -> [Range<Int>] {
        split(depth, into: !readsBInPlace || depth <= residentDepth ? 1 : (depth + residentStep - 1) / residentStep)
    }

    /// The depth slices of `k`: as few as `depth` allows, of nearly equal size (the first ones one longer).
    static func depthSlices(k: Int) -> [Range<Int>] {
        split(k, into: (k + depth - 1) / depth)
    }

    /// 0..<extent cut into `count` (≥ 1) consecutive runs of nearly equal size, the first ones one longer.
    private static func split(_ extent: Int, into count: Int) -> [Range<Int>] {
        let count = max(1, count), base = extent / count, longer = extent % count
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
