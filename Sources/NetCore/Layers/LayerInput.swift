import Parallel

/// What a layer reads: a dense batch, or selected rows of a sparse data set.
///
/// The first layer reads the images. MNIST pixels are about 19 % non-zero, so when the trainer
/// keeps the data set in compressed-row form, the first layer's two products (x·W forward,
/// xᵀ·dz backward) skip the zeros.
public enum LayerInput {
    /// A dense row-major batch, [batch, inputs].
    case dense(UnsafePointer<Float>)
    /// A sparse batch, [batch, inputs] in compressed-row form, and optionally the same entries
    /// grouped by column, which the transposed product then uses (see
    /// `columnGroupingMinimumWidth`).
    case sparse(SparseRows, columns: SparseColumns? = nil)

    /// Product · weights: C [batch, n] = input [batch, k] · B [k, n] (row strides ldc, ldb).
    func times(_ b: UnsafePointer<Float>, ldb: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
               batch: Int, k: Int, n: Int, threads: Int) {
        switch self {
        case let .dense(x):
            gemm(c: c, ldc: ldc, a: x, lda: k, .none, b: b, ldb: ldb, .none,
                 m: batch, n: n, k: k, threads: threads)
        case let .sparse(rows, _):
            precondition(rows.count == batch)
            sparseTimesDense(c: c, ldc: ldc, a: rows, b: b, ldb: ldb, n: n, threads: threads)
        }
    }

    /// Transposed product · gradients: C [k, n] = alpha·inputᵀ [k, batch] · B [batch, n] + beta·C,
    /// beta 0 or 1.
    func transposedTimes(_ b: UnsafePointer<Float>, ldb: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
                         batch: Int, k: Int, n: Int, alpha: Float = 1, beta: Float = 0, threads: Int) {
        switch self {
        case let .dense(x):
            gemm(c: c, ldc: ldc, a: x, lda: k, .transposed, b: b, ldb: ldb, .none,
                 m: k, n: n, k: batch, alpha: alpha, beta: beta, threads: threads)
        case let .sparse(rows, columns?):
            precondition(columns.rows == batch && columns.columnRange == rows.columnRange)
            sparseTransposedTimesDense(c: c, ldc: ldc, a: columns, b: b, ldb: ldb, n: n, alpha: alpha, beta: beta)
        case let .sparse(rows, nil):
            precondition(rows.count == batch)
            sparseTransposedTimesDense(c: c, ldc: ldc, a: rows, b: b, ldb: ldb, n: n, alpha: alpha, beta: beta)
        }
    }
}
