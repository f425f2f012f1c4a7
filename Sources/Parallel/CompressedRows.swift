/// A sparse matrix in compressed-row form (CSR): for row r, the entries
/// `rowStarts[r] ..< rowStarts[r + 1]` of `columnIndices` and `values` are its non-zeros.
///
/// MNIST images are about 19 % non-zero, so the first layer's two products with the input
/// (X·W forward, Xᵀ·dZ backward) do about a fifth of a dense GEMM's work on this form.
public struct CompressedRows: Sendable {
    /// Rows of the matrix.
    public let rows: Int
    /// Columns of the matrix.
    public let columns: Int
    /// The columns the entries may be in: all of them unless the matrix is a column slice.
    public let columnRange: Range<Int>
    /// Where each row's entries start, [rows + 1]; the last element is the number of non-zeros.
    public let rowStarts: [Int]
    /// Column of each non-zero, [nonZeros].
    public let columnIndices: [Int32]
    /// Value of each non-zero, [nonZeros].
    public let values: [Float]

    /// The non-zeros of a dense row-major matrix `dense` [rows, columns].
    public init(dense: UnsafePointer<Float>, rows: Int, columns: Int) {
        precondition(columns <= Int(Int32.max))
        var rowStarts = [Int](), columnIndices = [Int32](), values = [Float]()
        rowStarts.reserveCapacity(rows + 1)
        rowStarts.append(0)
        for row in 0..<rows {
            let entries = dense + row * columns
            for column in 0..<columns where entries[column] != 0 {
                columnIndices.append(Int32(column))
                values.append(entries[column])
            }
            rowStarts.append(values.count)
        }
        self.rows = rows
        self.columns = columns
        columnRange = 0..<columns
        self.rowStarts = rowStarts
        self.columnIndices = columnIndices
        self.values = values
    }

    /// The entries in columns `range`, each row's in place of the row (same rows, same column
    /// numbers): the slice of the matrix that a thread owning those columns reads.
    public init(_ matrix: CompressedRows, columns range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= matrix.columns)
        var rowStarts = [Int](), columnIndices = [Int32](), values = [Float]()
        rowStarts.reserveCapacity(matrix.rows + 1)
        rowStarts.append(0)
        for row in 0..<matrix.rows {
            for entry in matrix.rowStarts[row]..<matrix.rowStarts[row + 1]
            where range.contains(Int(matrix.columnIndices[entry])) {
                columnIndices.append(matrix.columnIndices[entry])
                values.append(matrix.values[entry])
            }
            rowStarts.append(values.count)
        }
        rows = matrix.rows
        columns = matrix.columns
        columnRange = range
        self.rowStarts = rowStarts
        self.columnIndices = columnIndices
        self.values = values
    }

    /// Non-zeros ÷ (rows × columns).
    public var density: Double {
        rows * columns == 0 ? 0 : Double(values.count) / Double(rows * columns)
    }
}
