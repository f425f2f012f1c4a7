/// Rows of a sparse matrix in compressed-row form, read through pointers: a contiguous range of a
/// `CompressedRows` read in place, or a minibatch gathered into a `SparseBatch`, possibly only
/// the entries in a range of columns. Row r's entries are `rowStarts[r] ..< rowEnds[r]` of
/// `columnIndices` and `values`, all in `columnRange`.
///
/// A view: valid only while the storage it was made from is alive and unchanged.
public struct SparseRows {
    /// Rows in the view.
    public let count: Int
    /// Columns of the matrix.
    public let columns: Int
    /// The columns the view's entries are in; all columns unless the view is a column slice.
    public let columnRange: Range<Int>
    /// [count] offsets into `columnIndices` and `values`.
    public let rowStarts: UnsafePointer<Int>
    /// [count] offsets one past each row's last entry.
    public let rowEnds: UnsafePointer<Int>
    /// Column of each entry.
    public let columnIndices: UnsafePointer<Int32>
    /// Value of each entry.
    public let values: UnsafePointer<Float>

    /// All columns of rows laid out one after another: row r ends where row r + 1 starts
    /// (`rowStarts` has count + 1 elements).
    public init(count: Int, columns: Int, rowStarts: UnsafePointer<Int>,
                columnIndices: UnsafePointer<Int32>, values: UnsafePointer<Float>) {
        self.init(count: count, columns: columns, columnRange: 0..<columns, rowStarts: rowStarts,
                  rowEnds: rowStarts + 1, columnIndices: columnIndices, values: values)
    }

    /// The entries in `columnRange` of each row, `rowStarts[r] ..< rowEnds[r]`.
    public init(count: Int, columns: Int, columnRange: Range<Int>, rowStarts: UnsafePointer<Int>,
                rowEnds: UnsafePointer<Int>, columnIndices: UnsafePointer<Int32>, values: UnsafePointer<Float>) {
        self.count = count
        self.columns = columns
        self.columnRange = columnRange
        self.rowStarts = rowStarts
        self.rowEnds = rowEnds
        self.columnIndices = columnIndices
        self.values = values
    }

    /// Row `row`'s entries.
    @inline(__always)
    func entries(_ row: Int) -> Range<Int> { rowStarts[row]..<rowEnds[row] }
}

extension CompressedRows {
    /// Calls `body` with the rows `range` of this matrix, read in place.
    public func withRows<Result>(_ range: Range<Int>, _ body: (SparseRows) throws -> Result) rethrows -> Result {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows)
        return try rowStarts.withUnsafeBufferPointer { starts in
            try columnIndices.withUnsafeBufferPointer { columnIndices in
                try values.withUnsafeBufferPointer { values in
                    try body(SparseRows(count: range.count, columns: columns,
                                        rowStarts: starts.baseAddress! + range.lowerBound,
                                        columnIndices: columnIndices.baseAddress!, values: values.baseAddress!))
                }
            }
        }
    }
}
