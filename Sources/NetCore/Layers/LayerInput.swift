import Parallel

/// What a layer reads: a dense batch, or rows of a sparse data set.
///
/// The first layer reads the images. MNIST pixels are about 19 % non-zero, so when the trainer
/// keeps the data set in compressed-row form, the first layer's two products (x·W forward,
/// xᵀ·dz backward) skip the zeros.
public enum LayerInput {
    /// A dense row-major batch, [batch, inputs].
    case dense(UnsafePointer<Float>)
    /// Rows of a sparse set read in place, [batch, inputs] (evaluation).
    case sparse(SparseRows)
    /// A minibatch, sparse or dense, whose columns are cut into partitions, [batch, inputs]
    /// (training: each thread multiplies its own partition).
    case batch(any PartitionedBatch)

    /// Product · weights: C [batch, n] = input [batch, k] · B [k, n] (row strides ldc, ldb), by
    /// the `kernels` of a layer k → n. With `rowsFinishedLater`, a partitioned batch leaves its
    /// partitions' partial products for `finishRows` to add up (see `PartitionedBatch`).
    func times(_ b: UnsafePointer<Float>, ldb: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
               batch: Int, k: Int, n: Int, kernels: ProductKernels, threads: Int, rowsFinishedLater: Bool = false) {
        switch self {
        case let .dense(x):
            gemm(c: c, ldc: ldc, a: x, lda: k, .none, b: b, ldb: ldb, .none,
                 m: batch, n: n, k: k, threads: threads, kernel: kernels.outputWide)
        case let .sparse(rows):
            precondition(rows.count == batch)
            sparseTimesDense(c: c, ldc: ldc, a: rows, b: b, ldb: ldb, n: n, threads: threads)
        case let .batch(gathered):
            precondition(gathered.count == batch)
            gathered.times(into: c, ldc: ldc, b: b, ldb: ldb, n: n, kernels: kernels, rowsFinishedLater: rowsFinishedLater)
        }
    }

    /// Adds up the rows `rows` of the last `times` with `rowsFinishedLater` (nothing to do but
    /// for a partitioned batch).
    func finishRows(_ rows: Range<Int>) {
        if case let .batch(gathered) = self { gathered.finishRows(rows) }
    }

    /// Transposed product · gradients: C [k, n] = inputᵀ [k, batch] · B [batch, n], overwritten,
    /// by the `kernels` of a layer k → n (rows of a sparse set read in place, which have no
    /// scratch to be regrouped in, always by rows).
    func transposedTimes(_ b: UnsafePointer<Float>, ldb: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
                         batch: Int, k: Int, n: Int, kernels: ProductKernels, threads: Int) {
        switch self {
        case let .dense(x):
            gemm(c: c, ldc: ldc, a: x, lda: k, .transposed, b: b, ldb: ldb, .none,
                 m: k, n: n, k: batch, threads: threads, kernel: kernels.outputWide)
        case let .sparse(rows):
            precondition(rows.count == batch)
            sparseTransposedTimesDense(c: c, ldc: ldc, a: rows, b: b, ldb: ldb, n: n)
        case let .batch(gathered):
            precondition(gathered.count == batch)
            gathered.transposedTimes(into: c, ldc: ldc, b: b, ldb: ldb, n: n, kernels: kernels)
        }
    }
}
