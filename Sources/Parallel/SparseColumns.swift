/// The entries of a gathered batch of sparse rows grouped by column (compressed-column form),
/// read through pointers: column c's entries are `columnStarts[c − columnRange.lowerBound] ..<
/// columnStarts[c − columnRange.lowerBound + 1]`, each naming its row in `rowIndices` and its
/// value as `distinctValues[valueIndices[e]]`, rows ascending within a column.
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
    /// [columnRange.count + 1] offsets into `rowIndices` and `valueIndices`.
    public let columnStarts: UnsafePointer<Int>
    /// Row of each entry (at most `ColumnGrouping.maximumRows` rows: two bytes an entry keep a
    /// batch's grouping in the first-level cache).
    public let rowIndices: UnsafePointer<UInt16>
    /// Each entry's index in `distinctValues`.
    public let valueIndices: UnsafePointer<UInt8>
    /// The values the entries' indices name.
    public let distinctValues: UnsafePointer<Float>

    /// The entries of column `column` (in `columnRange`).
    @inline(__always)
    public func entries(_ column: Int) -> Range<Int> {
        let index = column - columnRange.lowerBound
        return columnStarts[index]..<columnStarts[index + 1]
    }

    /// Row of entry `entry`.
    @inline(__always)
    public func row(_ entry: Int) -> Int { Int(rowIndices[entry]) }

    /// Value of entry `entry`.
    @inline(__always)
    public func value(_ entry: Int) -> Float { distinctValues[Int(valueIndices[entry])] }
}

/// Storage for `SparseColumns`: regroups a batch of rows by column (a counting sort), reusing
/// its buffers from batch to batch.
public final class ColumnGrouping {
    private var columnStarts: UnsafeMutablePointer<Int>
    private var rowIndices: UnsafeMutablePointer<UInt16>
    private var valueIndices: UnsafeMutablePointer<UInt8>
    private var startCapacity = 0, entryCapacity = 0
    private var grouped: SparseColumns?

    public init() {
        columnStarts = .allocate(capacity: 0)
        rowIndices = .allocate(capacity: 0)
        valueIndices = .allocate(capacity: 0)
    }

    deinit {
        columnStarts.deallocate()
        rowIndices.deallocate()
        valueIndices.deallocate()
    }

    /// The most rows a grouping holds.
    public static let maximumRows = 1 << 16

    /// Regroups `rows` (at most `maximumRows`) by column, replacing what was held, and returns the view.
    @discardableResult
    public func group(_ rows: SparseRows) -> SparseColumns {
        precondition(rows.count <= Self.maximumRows, "\(rows.count) rows to group, more than \(Self.maximumRows)")
        let range = rows.columnRange
        reserve(columns: range.count, entries: 0)
        let starts = columnStarts
        starts.update(repeating: 0, count: range.count + 1)
        for row in 0..<rows.count {
            for entry in rows.entries(row) { starts[rows.column(entry) - range.lowerBound + 1] += 1 }
        }
        for index in 0..<range.count { starts[index + 1] += starts[index] }
        reserve(columns: range.count, entries: starts[range.count])
        // Each column's next free slot, counted up from its start; restored below.
        for row in 0..<rows.count {
            for entry in rows.entries(row) {
                let index = rows.column(entry) - range.lowerBound
                let slot = starts[index]
                rowIndices[slot] = UInt16(truncatingIfNeeded: row)
                valueIndices[slot] = rows.valueIndices[entry]
                starts[index] = slot + 1
            }
        }
        // Every column's counter now holds the next column's start: shift them back.
        var index = range.count
        while index > 0 { starts[index] = starts[index - 1]; index -= 1 }
        starts[0] = 0
        let view = SparseColumns(rows: rows.count, columnRange: range, columnStarts: starts, rowIndices: rowIndices,
                                 valueIndices: valueIndices, distinctValues: rows.distinctValues)
        grouped = view
        return view
    }

    /// The last grouping; `group` must have run.
    public var columns: SparseColumns {
        guard let grouped else { preconditionFailure("columns before group") }
        return grouped
    }

    private func reserve(columns: Int, entries: Int) {
        if columns + 1 > startCapacity {
            columnStarts.deallocate()
            columnStarts = .allocate(capacity: columns + 1)
            startCapacity = columns + 1
        }
        if entries > entryCapacity {
            rowIndices.deallocate()
            valueIndices.deallocate()
            rowIndices = .allocate(capacity: entries)
            valueIndices = .allocate(capacity: entries)
            entryCapacity = entries
        }
    }
}
