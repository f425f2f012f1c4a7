/// Rows of a sparse matrix in compressed-row form, read through pointers: a contiguous range of a
/// `CompressedRows` read in place, or a minibatch gathered into a `SparseBatch`, whole or a run of
/// its column partitions. Row r's entries are `rowStarts[r·rowStride] ..< rowStarts[r·rowStride + rowSpan]`,
/// all in `columnRange`, in column order; entry e is in column `columnIndices[e]` with value
/// `distinctValues[valueIndices[e]]`. (Rows cut into P column partitions keep each row's
/// segments one after the other: the view of partitions p ..< p + S starts at the row's p-th
/// start, stride P, span S.)
///
/// A view: valid only while the storage it was made from is alive and unchanged.
public struct SparseRows {
    /// Rows in the view.
    public let count: Int
    /// Columns of the matrix.
    public let columns: Int
    /// The columns the entries are in; all columns unless the rows come from a column slice.
    public let columnRange: Range<Int>
    /// Offsets into `columnIndices` and `valueIndices`: row r's entries start at
    /// `rowStarts[r·rowStride]` and end at `rowStarts[r·rowStride + rowSpan]`.
    public let rowStarts: UnsafePointer<Int>
    /// Starts from one row to the next: 1, or the segments stored per row (a batch holding
    /// several partitions).
    public let rowStride: Int
    /// The partition segments of a row in the view: 1 for whole rows or one partition.
    public let rowSpan: Int
    /// Column of each entry.
    public let columnIndices: UnsafePointer<UInt16>
    /// Each entry's index in `distinctValues`.
    public let valueIndices: UnsafePointer<UInt8>
    /// The values the entries' indices name.
    public let distinctValues: UnsafePointer<Float>

    public init(count: Int, columns: Int, columnRange: Range<Int>? = nil, rowStarts: UnsafePointer<Int>,
                rowStride: Int = 1, rowSpan: Int = 1, columnIndices: UnsafePointer<UInt16>, valueIndices: UnsafePointer<UInt8>,
                distinctValues: UnsafePointer<Float>) {
        self.count = count
        self.columns = columns
        self.columnRange = columnRange ?? 0..<columns
        self.rowStarts = rowStarts
        self.rowStride = rowStride
        self.rowSpan = rowSpan
        self.columnIndices = columnIndices
        self.valueIndices = valueIndices
        self.distinctValues = distinctValues
    }

    /// Row `row`'s entries.
    @inline(__always)
    public func entries(_ row: Int) -> Range<Int> { rowStarts[row &* rowStride]..<rowStarts[row &* rowStride &+ rowSpan] }

    /// Column of entry `entry`.
    @inline(__always)
    public func column(_ entry: Int) -> Int { Int(columnIndices[entry]) }

    /// Value of entry `entry`.
    @inline(__always)
    public func value(_ entry: Int) -> Float { distinctValues[Int(valueIndices[entry])] }
}

extension CompressedRows {
    /// Calls `body` with the rows `range` of this matrix, read in place (one partition only).
    public func withRows<Result>(_ range: Range<Int>, _ body: (SparseRows) throws -> Result) rethrows -> Result {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows)
        precondition(partitions == 1, "rows read in place from a matrix cut into \(partitions) partitions")
        return try rowStarts.withUnsafeBufferPointer { starts in
            try columnIndices.withUnsafeBufferPointer { columnIndices in
                try valueIndices.withUnsafeBufferPointer { valueIndices in
                    try distinctValues.withUnsafeBufferPointer { distinctValues in
                        try body(SparseRows(count: range.count, columns: columns, columnRange: columnRange,
                                            rowStarts: starts.baseAddress! + range.lowerBound,
                                            columnIndices: columnIndices.baseAddress!,
                                            valueIndices: valueIndices.baseAddress!,
                                            distinctValues: distinctValues.baseAddress!))
                    }
                }
            }
        }
    }
}
