// Local stand-in for the column-sum kernel being added to Parallel: the integrator swaps the
// call in `Dense.backward` for it and deletes this file.

/// sums[j] = Σ_row values[row, j], rows added in order (deterministic), `sums` overwritten.
func columnSums(_ sums: UnsafeMutablePointer<Float>,          // [width]
                of values: UnsafePointer<Float>,              // [rows, width]
                rows: Int, width: Int) {
    sums.update(repeating: 0, count: width)
    for row in 0..<rows {
        let rowValues = values + row * width
        for column in 0..<width { sums[column] += rowValues[column] }
    }
}
