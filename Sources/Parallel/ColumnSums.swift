/// Elements a thread should get at least before `columnSums` splits its work:
/// below this, waking a thread costs more than it saves.
let minimumElementsPerThread = 1 << 15

/// Sums the columns of `matrix`: sums[j] = Σ_i matrix[i, j] (a bias gradient from a batch of
/// output gradients), or, with `accumulate`, sums[j] += that sum.
///
/// - `sums`: [columns]; read only with `accumulate`.
/// - `matrix`: [rows, columns], row stride `ld` ≥ columns.
/// Columns are split over up to `threads` threads; each sum runs over rows 0, 1, 2, … in order
/// (starting from the old value with `accumulate`), so the result is the same for every thread count.
public func columnSums(
    _ sums: UnsafeMutablePointer<Float>,
    matrix: UnsafePointer<Float>, ld: Int,
    rows: Int, columns: Int, accumulate: Bool, threads: Int
) {
    let minimumColumns = max(16, minimumElementsPerThread / max(1, rows))
    parallelFor(count: columns, threads: threads, minimumChunk: minimumColumns) { columnRange in
        let slice = sums + columnRange.lowerBound
        let width = columnRange.count
        if !accumulate { slice.update(repeating: 0, count: width) }
        for row in 0..<rows {
            let line = matrix + row * ld + columnRange.lowerBound
            for column in 0..<width { slice[column] += line[column] }
        }
    }
}
