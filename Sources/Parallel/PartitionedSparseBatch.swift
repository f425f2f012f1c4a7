/// A minibatch of rows of a `ColumnPartitionedRows` set, and the two products a dense layer needs
/// with it: X·B forward and Xᵀ·B backward. Each member of the `Team` gathers the segments of the
/// partitions it owns (a contiguous run of them, as `Team.run` shares out parts), then multiplies
/// and regroups them, so each thread keeps its rows of B (the weights) and its part of the batch
/// in its own cache.
///
/// Results depend on the number of partitions (the order in which the partial products are
/// added), not on which thread runs which partition.
public final class PartitionedSparseBatch {
    /// Each member's run of partitions and the segments of the batch's rows in them, copied
    /// next to each other.
    private let runs: [Range<Int>], batches: [SparseBatch]
    /// Each run's rows regrouped by column, for Xᵀ·B.
    private let groupings: [ColumnGrouping]
    private let partials = PartialProducts()
    /// Rows in the batch.
    public private(set) var count = 0
    /// Columns of the matrix.
    public private(set) var columns = 0

    /// Threads that share the partitions, each a contiguous run of them.
    public let threads: Int
    /// Partitions of the columns.
    private let partitions: Int

    /// A batch for sets cut into `partitions` partitions, shared by up to `threads` threads.
    public init(partitions: Int, threads: Int = 1) {
        precondition(partitions >= 1)
        self.threads = threads
        self.partitions = partitions
        runs = Team.runs(parts: partitions, threads: threads)
        batches = runs.map { _ in SparseBatch() }
        groupings = runs.map { _ in ColumnGrouping() }
    }

    /// Copies the rows `rows` of `set` (cut into as many partitions as this batch has), in that
    /// order, replacing what the batch held: each member's run of partitions by that member, one
    /// copy per row.
    public func gather(_ rows: UnsafeBufferPointer<Int32>, from set: ColumnPartitionedRows) {
        precondition(set.partitions == partitions, "the set has \(set.partitions) partitions")
        Team.shared.run(parts: runs.count, threads: threads) { run in
            batches[run].gather(rows, from: set.matrix, partitions: runs[run])
        }
        count = rows.count
        columns = set.columns
    }

    /// C = X·B: C [count, n] (stride ldc, overwritten), B [columns, n] (stride ldb). Each run's
    /// partitions are multiplied by its member one after the other (each partition's rows of B
    /// stay in cache for the whole batch): the first run's added to C as they come, the others'
    /// apart; then the rows are shared out to add those in partition order.
    public func times(into c: UnsafeMutablePointer<Float>, ldc: Int, b: UnsafePointer<Float>, ldb: Int, n: Int,
                      kernels: ProductKernels) {
        partials.sum(into: c, ldc: ldc, rows: count, n: n, runs: runs, threads: threads) { partition, target, stride, accumulate in
            sparseTimesDense(c: target, ldc: stride, a: rows(partition), b: b, ldb: ldb, n: n,
                             accumulate: accumulate)
        }
    }

    /// C = Xᵀ·B: C [columns, n] (stride ldc, overwritten), B [count, n] (stride ldb). Each member
    /// writes its run's rows of C (each C element sums over the batch's rows in order, whatever
    /// the runs); by `kernels.sparseTransposed`, regrouping the run by column first (wide C), to
    /// sum each row of C in registers.
    public func transposedTimes(into c: UnsafeMutablePointer<Float>, ldc: Int, b: UnsafePointer<Float>, ldb: Int,
                                n: Int, kernels: ProductKernels) {
        Team.shared.run(parts: runs.count, threads: threads) { run in
            let segments = batches[run].rows
            if kernels.sparseTransposed == .byColumns {
                let grouped = groupings[run].group(segments)
                sparseTransposedTimesDense(c: c, ldc: ldc, a: grouped, b: b, ldb: ldb, n: n)
            } else {
                sparseTransposedTimesDense(c: c, ldc: ldc, a: segments, b: b, ldb: ldb, n: n)
            }
        }
    }

    /// Partition `partition`'s segments of the gathered rows, from the batch of the run holding it.
    private func rows(_ partition: Int) -> SparseRows {
        let run = runs.firstIndex { $0.contains(partition) }!
        return batches[run].rows(partition: partition)
    }
}
