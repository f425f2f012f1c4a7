import SparseVectors

/// A sparse matrix in compressed-row form (CSR), stored compactly: for row r, the entries
/// `rowStarts[r] ..< rowStarts[r + 1]` of `columnIndices` and `valueIndices` are its non-zeros,
/// each value an index into the matrix's `distinctValues`.
///
/// A matrix may be cut by columns into P partitions (`partitionBounds`): each row's entries, in
/// column order, then fall into P consecutive segments, and `rowStarts` marks them all, row r's
/// segment p being `rowStarts[r·P + p] ..< rowStarts[r·P + p + 1]`. A row's entries stay
/// together, so a minibatch copies each row with one copy however many partitions read it.
///
/// MNIST images are about 19 % non-zero, so the first layer's two products with the input
/// (X·W forward, Xᵀ·dZ backward) do about a fifth of a dense GEMM's work on this form. An entry
/// takes three bytes (a 16-bit column, an 8-bit value index; an 8-bit image has at most 255
/// distinct non-zero values) instead of eight: every step copies a shuffled minibatch's rows
/// out of a set far larger than the caches, and the copy's time follows the bytes.
public struct CompressedRows: Sendable {
    /// The most columns an entry's 16-bit column can name.
    public static let maximumColumns = 1 << 16
    /// The most distinct non-zero values an 8-bit value index can name.
    public static let maximumDistinctValues = 1 << 8

    /// Rows of the matrix.
    public let rows: Int
    /// Columns of the matrix.
    public let columns: Int
    /// The columns the entries may be in: all of them unless the matrix is a column slice.
    public var columnRange: Range<Int> { partitionBounds[0]..<partitionBounds[partitions] }
    /// [partitions + 1] column bounds: partition p holds the columns `partitionBounds[p] ..< partitionBounds[p + 1]`.
    public let partitionBounds: [Int]
    /// Column partitions each row is cut into (1: whole rows).
    public var partitions: Int { partitionBounds.count - 1 }
    /// Where each row's segments start, [rows · partitions + 1]; the last element is the number of non-zeros.
    public let rowStarts: [Int]
    /// Column of each non-zero, [nonZeros].
    public let columnIndices: [UInt16]
    /// Each non-zero's index in `distinctValues`, [nonZeros].
    public let valueIndices: [UInt8]
    /// The matrix's distinct non-zero values, in the order they first appear.
    public let distinctValues: [Float]

    /// The non-zeros of a dense row-major matrix `dense` [rows, columns]; nil if it has more than
    /// `maximumColumns` columns or more than `maximumDistinctValues` distinct non-zero values.
    public init?(dense: UnsafePointer<Float>, rows: Int, columns: Int) {
        guard columns <= Self.maximumColumns else { return nil }
        var rowStarts = [Int](), columnIndices = [UInt16](), valueIndices = [UInt8]()
        var indexer = DistinctValues()
        rowStarts.reserveCapacity(rows + 1)
        rowStarts.append(0)
        for row in 0..<rows {
            let entries = dense + row * columns
            for column in 0..<columns where entries[column] != 0 {
                guard let index = indexer.index(of: entries[column]) else { return nil }
                columnIndices.append(UInt16(truncatingIfNeeded: column))
                valueIndices.append(index)
            }
            rowStarts.append(valueIndices.count)
        }
        self.init(rows: rows, columns: columns, partitionBounds: [0, columns],
                  entries: (rowStarts, columnIndices, valueIndices), distinctValues: indexer.values)
    }

    /// The non-zeros of an 8-bit image set `bytes` [rows, columns], each value byte / 255 (value
    /// index byte − 1); nil if it has more than `maximumColumns` columns.
    public init?(bytes: UnsafePointer<UInt8>, rows: Int, columns: Int) {
        let nonZeros = UnsafeBufferPointer(start: bytes, count: rows * columns).reduce(0) { $1 == 0 ? $0 : $0 + 1 }
        self.init(bytes: bytes, rows: rows, columns: columns, partitionBounds: [0, columns], nonZeros: nonZeros)
    }

    /// The non-zeros of an 8-bit image set `bytes` [rows, columns] (see above) in the columns
    /// `partitionBounds.first ..< partitionBounds.last`, each row cut into the partitions the
    /// bounds give, in arrays of exactly `nonZeros`, the number of them; nil if it has more
    /// than `maximumColumns` columns.
    public init?(bytes: UnsafePointer<UInt8>, rows: Int, columns: Int, partitionBounds bounds: [Int], nonZeros: Int) {
        guard columns <= Self.maximumColumns else { return nil }
        precondition(bounds.count >= 2 && bounds.first! >= 0 && bounds.last! <= columns)
        var rowStarts = [Int](), valueIndices = [UInt8]()
        rowStarts.reserveCapacity(rows * (bounds.count - 1) + 1)
        rowStarts.append(0)
        // Room for a row's pixels and the finder's slack past the last entry counted, so that no
        // write leaves the arrays even when `nonZeros` is wrong (checked after each run).
        let room = nonZeros + columns + Int(MPITRAIN_NONZERO_PIXELS_SLACK)
        var entries = 0
        let columnIndices = [UInt16](unsafeUninitializedCapacity: room) { columnIndices, columnsWritten in
            valueIndices = [UInt8](unsafeUninitializedCapacity: room) { valueIndices, valuesWritten in
                for row in 0..<rows {
                    let image = bytes + row * columns
                    for partition in 0..<(bounds.count - 1) {
                        let run = bounds[partition]..<bounds[partition + 1]
                        entries += mpitrain_nonzero_pixels(image + run.lowerBound, run.count, UInt16(run.lowerBound),
                                                           columnIndices.baseAddress! + entries,
                                                           valueIndices.baseAddress! + entries)
                        precondition(entries <= nonZeros, "more non-zero pixels than the \(nonZeros) counted")
                        rowStarts.append(entries)
                    }
                }
                precondition(entries == nonZeros, "\(entries) non-zero pixels, not the \(nonZeros) counted")
                valuesWritten = entries
            }
            columnsWritten = entries
        }
        self.init(rows: rows, columns: columns, partitionBounds: bounds,
                  entries: (rowStarts, columnIndices, valueIndices), distinctValues: (1...255).map { Float($0) / 255 })
    }

    private init(rows: Int, columns: Int, partitionBounds: [Int],
                 entries: (rowStarts: [Int], columnIndices: [UInt16], valueIndices: [UInt8]), distinctValues: [Float]) {
        self.rows = rows
        self.columns = columns
        self.partitionBounds = partitionBounds
        (rowStarts, columnIndices, valueIndices) = entries
        self.distinctValues = distinctValues
    }

    /// The entries in columns `range`, each row's in place of the row (same rows, same column
    /// numbers, same distinct values): the slice of the matrix that a thread owning those
    /// columns reads.
    public init(_ matrix: CompressedRows, columns range: Range<Int>) {
        self.init(matrix, partitionBounds: [range.lowerBound, range.upperBound])
    }

    /// The entries of the whole rows of `matrix` in the columns `bounds.first ..< bounds.last`,
    /// each row cut into the partitions the bounds give (same rows, same column numbers, same
    /// distinct values).
    public init(_ matrix: CompressedRows, partitionBounds bounds: [Int]) {
        precondition(matrix.partitions == 1, "the matrix is already cut into partitions")
        precondition(bounds.count >= 2 && bounds.first! >= 0 && bounds.last! <= matrix.columns)
        var rowStarts = [Int](), columnIndices = [UInt16](), valueIndices = [UInt8]()
        rowStarts.reserveCapacity(matrix.rows * (bounds.count - 1) + 1)
        rowStarts.append(0)
        for row in 0..<matrix.rows {
            for partition in 0..<(bounds.count - 1) {
                let columns = bounds[partition]..<bounds[partition + 1]
                for entry in matrix.rowStarts[row]..<matrix.rowStarts[row + 1]
                where columns.contains(Int(matrix.columnIndices[entry])) {
                    columnIndices.append(matrix.columnIndices[entry])
                    valueIndices.append(matrix.valueIndices[entry])
                }
                rowStarts.append(valueIndices.count)
            }
        }
        self.init(rows: matrix.rows, columns: matrix.columns, partitionBounds: bounds,
                  entries: (rowStarts, columnIndices, valueIndices), distinctValues: matrix.distinctValues)
    }

    /// Number of non-zero entries.
    public var nonZeros: Int { valueIndices.count }

    /// Value of entry `entry`.
    public func value(_ entry: Int) -> Float { distinctValues[Int(valueIndices[entry])] }

    /// Non-zeros ÷ (rows × columns).
    public var density: Double {
        rows * columns == 0 ? 0 : Double(nonZeros) / Double(rows * columns)
    }
}

/// The distinct values met so far and the index of each, looked up by bit pattern in an
/// open-addressed table four times the largest count: a probe or two per value, where a
/// `Dictionary` costs tens of nanoseconds for each of MNIST's 9 million entries.
private struct DistinctValues {
    private static let slots = 4 * CompressedRows.maximumDistinctValues
    /// Bit pattern per slot; 0 (+0.0, never a non-zero) marks an empty slot.
    private var keys = [UInt32](repeating: 0, count: slots)
    private var indices = [UInt8](repeating: 0, count: slots)
    private(set) var values: [Float] = []

    /// The index of `value` (not +0.0), added if new; nil if the table is full.
    mutating func index(of value: Float) -> UInt8? {
        let bits = value.bitPattern
        var slot = Int(truncatingIfNeeded: (bits &* 0x9E37_79B1) >> 22) & (Self.slots - 1)
        while keys[slot] != 0 {
            if keys[slot] == bits { return indices[slot] }
            slot = (slot + 1) & (Self.slots - 1)
        }
        guard values.count < CompressedRows.maximumDistinctValues else { return nil }
        keys[slot] = bits
        indices[slot] = UInt8(truncatingIfNeeded: values.count)
        values.append(value)
        return indices[slot]
    }
}
