/// A minibatch whose columns are cut into one partition per `Team` member, with the two
/// products a dense layer needs with its input: each member multiplies its own partition by its
/// own rows of B (the weights), and writes its own rows of Xᵀ·B (their gradient).
/// `PartitionedSparseBatch` and `PartitionedDenseBatch` are the two kinds.
public protocol PartitionedBatch: AnyObject {
    /// Rows in the batch.
    var count: Int { get }
    /// C = X·B: C [count, n] (stride ldc, overwritten), B [columns, n] (stride ldb), by the
    /// layer's `kernels` (a layer columns → n). With `rowsFinishedLater`, the partitions'
    /// partial products are not yet added up: `finishRows` must be called for every row of C
    /// before it is read (by the thread that reads it, which saves a team call).
    func times(into c: UnsafeMutablePointer<Float>, ldc: Int, b: UnsafePointer<Float>, ldb: Int, n: Int,
               kernels: ProductKernels, rowsFinishedLater: Bool)
    /// Adds up the partial products of the rows `rows` of the last `times` with `rowsFinishedLater`.
    func finishRows(_ rows: Range<Int>)
    /// C = Xᵀ·B: C [columns, n] (stride ldc, overwritten), B [count, n] (stride ldb), by the
    /// layer's `kernels` (a layer columns → n).
    func transposedTimes(into c: UnsafeMutablePointer<Float>, ldc: Int, b: UnsafePointer<Float>, ldb: Int, n: Int,
                         kernels: ProductKernels)
}

extension PartitionedSparseBatch: PartitionedBatch {}
extension PartitionedDenseBatch: PartitionedBatch {}
