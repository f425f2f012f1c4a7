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
        let bounds = Self.bounds(of: matrix, partitions: count)
        self.bounds = bounds
        partitions = count == 1 ? [matrix]
            : (0..<count).map { CompressedRows(matrix, columns: bounds[$0]..<bounds[$0 + 1]) }
    }

    /// Rows of the matrix.
    public var rows: Int { partitions[0].rows }
    /// Columns of the matrix.
    public var columns: Int { partitions[0].columns }

    /// Bounds that cut the columns of `matrix` into `count` ranges holding nearly equal shares of
    /// its non-zeros: [0, …, columns]. A range may be empty when a few columns hold most entries.
    static func bounds(of matrix: CompressedRows, partitions count: Int) -> [Int] {
        var perColumn = [Int](repeating: 0, count: matrix.columns)
        for column in matrix.columnIndices { perColumn[Int(column)] += 1 }
        var bounds = [0], seen = 0
        for (column, entries) in perColumn.enumerated() where bounds.count < count {
            seen += entries
            if seen * count >= bounds.count * matrix.nonZeros { bounds.append(column + 1) }
        }
        while bounds.count <= count { bounds.append(matrix.columns) }
        bounds[count] = matrix.columns
        return bounds
    }
}
