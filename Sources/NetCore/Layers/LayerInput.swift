import Parallel

/// What a layer reads: a dense batch, or selected rows of a sparse data set.
///
/// The first layer reads the images. MNIST pixels are about 19 % non-zero, so when the trainer
/// keeps the data set in compressed-row form, the first layer's two products (x·W forward,
/// xᵀ·dz backward) skip the zeros, and a minibatch is just the list of its example indices.
public enum LayerInput {
    /// A dense row-major batch, [batch, inputs].
    case dense(UnsafePointer<Float>)
    /// The examples `rows` [batch] of `examples` (a sparse [·, inputs] matrix), read in place.
    case sparse(CompressedRows, rows: UnsafePointer<Int32>)

    /// Product · weights: C [batch, n] = input [batch, k] · B [k, n] (row strides ldc, ldb).
    func times(_ b: UnsafePointer<Float>, ldb: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
               batch: Int, k: Int, n: Int, threads: Int) {
        switch self {
        case let .dense(x):
            gemm(c: c, ldc: ldc, a: x, lda: k, .none, b: b, ldb: ldb, .none,
                 m: batch, n: n, k: k, threads: threads)
        case let .sparse(examples, rows):
            sparseRowsTimesDense(c: c, ldc: ldc, a: examples, rows: rows, count: batch,
                                 b: b, ldb: ldb, n: n, threads: threads)
        }
    }

    /// Transposed product · gradients: C [k, n] = inputᵀ [k, batch] · B [batch, n].
    func transposedTimes(_ b: UnsafePointer<Float>, ldb: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
                         batch: Int, k: Int, n: Int, threads: Int) {
        switch self {
        case let .dense(x):
            gemm(c: c, ldc: ldc, a: x, lda: k, .transposed, b: b, ldb: ldb, .none,
                 m: k, n: n, k: batch, threads: threads)
        case let .sparse(examples, rows):
            sparseRowsTransposedTimesDense(c: c, ldc: ldc, a: examples, rows: rows, count: batch,
                                           b: b, ldb: ldb, n: n)
        }
    }
}
