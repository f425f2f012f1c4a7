/// A sparse matrix cut by columns into partitions holding nearly equal shares of its non-zeros:
/// the form in which a rank's threads share a sparse data set. Each partition keeps every row
/// (with that row's entries in the partition's columns), so a minibatch is gathered from all
/// partitions at once, each by its own thread (`PartitionedSparseBatch`).
///
/// Cut by columns, a thread reads only its partition's entries and, in a dense layer's products,
/// only its partition's rows of the weights: the batch and the weights stay in one core's cache,
/// and only the [batch, n] partial products cross between cores.
public struct ColumnPartitionedRows: Sendable {
    /// The partitions, in column order; partition p holds the columns `bounds[p] ..< bounds[p + 1]`.
    public let partitions: [CompressedRows]
    /// [partitions.count + 1] column bounds, from 0 to `columns`.
    public let bounds: [Int]

    /// `matrix` cut into `count` (≥ 1) partitions.
    public init(_ matrix: CompressedRows, partitions count: Int) {
        precondition(count >= 1)
        var perColumn = [Int](repeating: 0, count: matrix.columns)
        for column in matrix.columnIndices { perColumn[Int(column)] += 1 }
        let bounds = Self.bounds(perColumn: perColumn, partitions: count)
        self.bounds = bounds
        partitions = count == 1 ? [matrix]
            : (0..<count).map { CompressedRows(matrix, columns: bounds[$0]..<bounds[$0 + 1]) }
    }

    /// The 8-bit image set `bytes` [rows, columns] (each value byte / 255) cut into `count` (≥ 1)
    /// partitions, each compressed straight from the bytes; `perColumn` is `nonZeros(perColumnOf:…)`.
    /// Nil if it has more than `CompressedRows.maximumColumns` columns.
    public init?(bytes: UnsafePointer<UInt8>, rows: Int, columns: Int, perColumn: [Int], partitions count: Int) {
        precondition(count >= 1 && perColumn.count == columns)
        let bounds = Self.bounds(perColumn: perColumn, partitions: count)
        var partitions: [CompressedRows] = []
        for index in 0..<count {
            let range = bounds[index]..<bounds[index + 1]
            guard let partition = CompressedRows(bytes: bytes, rows: rows, columns: columns, columnRange: range,
                                                 nonZeros: perColumn[range].reduce(0, +)) else { return nil }
            partitions.append(partition)
        }
        self.bounds = bounds
        self.partitions = partitions
    }

    /// The non-zeros in each column of a byte matrix `bytes` [rows, columns].
    public static func nonZeros(perColumnOf bytes: UnsafePointer<UInt8>, rows: Int, columns: Int) -> [Int] {
        var perColumn = [Int](repeating: 0, count: columns)
        for row in 0..<rows {
            for column in 0..<columns where bytes[row * columns + column] != 0 { perColumn[column] += 1 }
        }
        return perColumn
    }

    /// Rows of the matrix.
    public var rows: Int { partitions[0].rows }
    /// Columns of the matrix.
    public var columns: Int { partitions[0].columns }

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
