/// The entries of a gathered batch of sparse rows grouped by column: for each column, a bit per
/// row of the batch, set where the row has an entry in that column, beside the batch's value
/// indices laid out as a dense byte matrix. The i-th column of `columnRange` has its rows in the
/// words `rowBits[i·wordsPerColumn ..< (i + 1)·wordsPerColumn]` (row r is bit r % 64 of word
/// r / 64); row r's entry there has the value `distinctValues[valueIndices[i·rows + r]]`.
///
/// Aᵀ·B by columns sums each row of the result in registers and writes it once, where by rows
/// every entry reads and writes a whole row of the result (docs/performance.md has the numbers).
///
/// A view: valid only while the `ColumnGrouping` it came from is alive and unchanged, and the
/// storage of the rows it grouped too.
public struct SparseColumns {
    /// Rows of the matrix (the batch).
    public let rows: Int
    /// The columns the view covers; every entry is in one of them.
    public let columnRange: Range<Int>
    /// Words of row bits per column: ⌈rows / 64⌉.
    public let wordsPerColumn: Int
    /// [columnRange.count, wordsPerColumn] the rows of each column that have an entry there.
    public let rowBits: UnsafePointer<UInt64>
    /// [columnRange.count, rows] each entry's index in `distinctValues` (where its row bit is set).
    public let valueIndices: UnsafePointer<UInt8>
    /// The values the entries' indices name.
    public let distinctValues: UnsafePointer<Float>

    /// Calls `body` with the row and the value of each entry of column `column` (in
    /// `columnRange`), rows ascending.
    @inline(__always)
    public func forEachEntry(inColumn column: Int, _ body: (_ row: Int, _ value: Float) -> Void) {
        let index = column &- columnRange.lowerBound
        var rows = self.rows(inColumn: column)
        while let row = rows.next() { body(row, value(row: row, index: index)) }
    }

    /// The rows that have an entry in column `column` (in `columnRange`), ascending.
    @inline(__always)
    func rows(inColumn column: Int) -> ColumnRows {
        ColumnRows(words: rowBits + (column &- columnRange.lowerBound) &* wordsPerColumn, count: wordsPerColumn)
    }

    /// The value of row `row`'s entry in the column at `index` in `columnRange`.
    @inline(__always)
    func value(row: Int, index: Int) -> Float {
        distinctValues[Int(valueIndices[index &* rows &+ row])]
    }
}

/// The set bits of a column's words of row bits, as row numbers, ascending.
struct ColumnRows: IteratorProtocol {
    private let words: UnsafePointer<UInt64>, count: Int
    private var word = 0, bits: UInt64

    @inline(__always)
    init(words: UnsafePointer<UInt64>, count: Int) {
        self.words = words
        self.count = count
        bits = count > 0 ? words[0] : 0
    }

    @inline(__always)
    mutating func next() -> Int? {
        while bits == 0 {
            word &+= 1
            guard word < count else { return nil }
            bits = words[word]
        }
        let row = word &<< 6 | bits.trailingZeroBitCount
        bits &= bits &- 1
        return row
    }
}

/// Storage for `SparseColumns`: regroups a batch of rows by column in one pass over its entries
/// (a bit and a byte each, at places that depend only on the entry's row and column), reusing
/// its buffers from batch to batch.
public final class ColumnGrouping {
    private var rowBits: UnsafeMutablePointer<UInt64>
    private var valueIndices: UnsafeMutablePointer<UInt8>
    private var wordCapacity = 0, valueCapacity = 0
    private var grouped: SparseColumns?

    public init() {
        rowBits = .allocate(capacity: 0)
        valueIndices = .allocate(capacity: 0)
    }

    deinit {
        rowBits.deallocate()
        valueIndices.deallocate()
    }

    /// The most rows a grouping holds: its value indices take a byte per row and column (51 MB
    /// for 65,536 rows of MNIST's 784 pixels); layers with larger batches take Xᵀ·B by rows.
    public static let maximumRows = 1 << 16

    /// Regroups `rows` (at most `maximumRows`) by column, replacing what was held, and returns the view.
    @discardableResult
    public func group(_ rows: SparseRows) -> SparseColumns {
        precondition(rows.count <= Self.maximumRows, "\(rows.count) rows to group, more than \(Self.maximumRows)")
        let range = rows.columnRange, columns = range.count, words = (rows.count + 63) / 64
        reserve(words: columns * words, values: rows.count * columns)
        let bits = rowBits, values = valueIndices
        bits.update(repeating: 0, count: columns * words)
        let count = rows.count
        for row in 0..<count {
            let word = row >> 6, bit = UInt64(1) << (row & 63)
            for entry in rows.entries(row) {
                let index = rows.column(entry) &- range.lowerBound
                bits[index &* words &+ word] |= bit
                values[index &* count &+ row] = rows.valueIndices[entry]
            }
        }
        let view = SparseColumns(rows: rows.count, columnRange: range, wordsPerColumn: words, rowBits: bits,
                                 valueIndices: values, distinctValues: rows.distinctValues)
        grouped = view
        return view
    }

    /// The last grouping; `group` must have run.
    public var columns: SparseColumns {
        guard let grouped else { preconditionFailure("columns before group") }
        return grouped
    }

    private func reserve(words: Int, values: Int) {
        if words > wordCapacity {
            rowBits.deallocate()
            rowBits = .allocate(capacity: words)
            wordCapacity = words
        }
        if values > valueCapacity {
            valueIndices.deallocate()
            valueIndices = .allocate(capacity: values)
            valueCapacity = values
        }
    }
}
