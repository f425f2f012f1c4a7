/// Rows of a sparse matrix in compressed-row form, read through pointers: a contiguous range of a
/// `CompressedRows` read in place, or a minibatch gathered into a `SparseBatch`. Row r's entries
/// are `rowStarts[r] ..< rowStarts[r + 1]` of `columnIndices` and `values`, all in `columnRange`.
///
/// A view: valid only while the storage it was made from is alive and unchanged.
public struct SparseRows {
    /// Rows in the view.
    public let count: Int
    /// Columns of the matrix.
    public let columns: Int
    /// The columns the entries are in; all columns unless the rows come from a column slice.
    public let columnRange: Range<Int>
    /// [count + 1] offsets into `columnIndices` and `values`.
    public let rowStarts: UnsafePointer<Int>
    /// Column of each entry.
    public let columnIndices: UnsafePointer<Int32>
    /// Value of each entry.
    public let values: UnsafePointer<Float>

    public init(count: Int, columns: Int, columnRange: Range<Int>? = nil, rowStarts: UnsafePointer<Int>,
                columnIndices: UnsafePointer<Int32>, values: UnsafePointer<Float>) {
        self.count = count
        self.columns = columns
        self.columnRange = columnRange ?? 0..<columns
        self.rowStarts = rowStarts
        self.columnIndices = columnIndices
        self.values = values
    }

    /// Row `row`'s entries.
    @inline(__always)
    func entries(_ row: Int) -> Range<Int> { rowStarts[row]..<rowStarts[row + 1] }
}

extension CompressedRows {
    /// Calls `body` with the rows `range` of this matrix, read in place.
    public func withRows<Result>(_ range: Range<Int>, _ body: (SparseRows) throws -> Result) rethrows -> Result {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows)
        return try rowStarts.withUnsafeBufferPointer { starts in
            try columnIndices.withUnsafeBufferPointer { columnIndices in
                try values.withUnsafeBufferPointer { values in
                    try body(SparseRows(count: range.count, columns: columns, columnRange: columnRange,
                                        rowStarts: starts.baseAddress! + range.lowerBound,
                                        columnIndices: columnIndices.baseAddress!, values: values.baseAddress!))
                }
            }
        }
    }
}
