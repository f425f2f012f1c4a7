/// A sparse matrix cut by columns into partitions holding nearly equal shares of its non-zeros:
/// the form in which a rank's threads share a sparse data set. Each row keeps its entries
/// together, cut into one segment per partition (`CompressedRows.partitionBounds`), so a
/// minibatch copies each of its rows once, and each thread then reads its partition's segments
/// (`PartitionedSparseBatch`).
///
/// Cut by columns, a thread reads only its partition's entries and, in a dense layer's products,
/// only its partition's rows of the weights: the weights stay in one core's cache, and only the
/// [batch, n] partial products cross between cores.
public struct ColumnPartitionedRows: Sendable {
    /// The matrix, each row cut into the partitions.
    public let matrix: CompressedRows

    /// `matrix` (whole rows) cut into `count` (≥ 1) partitions.
    public init(_ matrix: CompressedRows, partitions count: Int) {
        precondition(count >= 1)
        var perColumn = [Int](repeating: 0, count: matrix.columns)
        for column in matrix.columnIndices { perColumn[Int(column)] += 1 }
        self.matrix = CompressedRows(matrix, partitionBounds: Self.bounds(perColumn: perColumn, partitions: count))
    }

    /// The 8-bit image set `bytes` [rows, columns] (each value byte / 255) cut into `count` (≥ 1)
    /// partitions, compressed straight from the bytes; `perColumn` is `nonZeros(perColumnOf:…)`.
    /// Nil if it has more than `CompressedRows.maximumColumns` columns.
    public init?(bytes: UnsafePointer<UInt8>, rows: Int, columns: Int, perColumn: [Int], partitions count: Int) {
        precondition(count >= 1 && perColumn.count == columns)
        guard let matrix = CompressedRows(bytes: bytes, rows: rows, columns: columns,
                                          partitionBounds: Self.bounds(perColumn: perColumn, partitions: count),
                                          nonZeros: perColumn.reduce(0, +)) else { return nil }
        self.matrix = matrix
    }

    /// The non-zeros in each column of a byte matrix `bytes` [rows, columns].
    public static func nonZeros(perColumnOf bytes: UnsafePointer<UInt8>, rows: Int, columns: Int) -> [Int] {
        var perColumn = [Int](repeating: 0, count: columns)
        perColumn.withUnsafeMutableBufferPointer { counts in
            for row in 0..<rows {
                let image = bytes + row * columns
                for column in 0..<columns { counts[column] &+= image[column] == 0 ? 0 : 1 }
            }
        }
        return perColumn
    }

    /// Rows of the matrix.
    public var rows: Int { matrix.rows }
    /// Columns of the matrix.
    public var columns: Int { matrix.columns }
    /// Partitions the columns are cut into.
    public var partitions: Int { matrix.partitions }
    /// [partitions + 1] column bounds, from 0 to `columns`.
    public var bounds: [Int] { matrix.partitionBounds }

    /// Bounds that cut the columns into `count` ranges holding nearly equal shares of the
    /// non-zeros (`perColumn` of them in each column): [0, …, columns]. A range may be empty when
    /// a few columns hold most entries.
    static func bounds(perColumn: [Int], partitions count: Int) -> [Int] {
        let nonZeros = perColumn.reduce(0, +)
        var bounds = [0], seen = 0
        for (column, entries) in perColumn.enumerated() where bounds.count < count {
            seen += entries
            if seen * count >= bounds.count * nonZeros { bounds.append(column + 1) }
        }
        while bounds.count <= count { bounds.append(perColumn.count) }
        bounds[count] = perColumn.count
        return bounds
    }
}
