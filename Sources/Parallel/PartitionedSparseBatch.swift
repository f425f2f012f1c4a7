/// A minibatch of rows of a `ColumnPartitionedRows` set, and the two products a dense layer needs
/// with it: X·B forward and Xᵀ·B backward. Each member of the `Team` gathers the segments of the
/// partitions it owns (a contiguous run of them, as `Team.run` shares out parts) at the start of
/// the first product, in the same team call, then multiplies and regroups them, so each thread
/// keeps its rows of B (the weights) and its part of the batch in its own cache.
///
/// Results depend on the number of partitions (the order in which the partial products are
/// added), not on which thread runs which partition.
public final class PartitionedSparseBatch {
    /// Each member's run of partitions and the segments of the batch's rows in them, copied
    /// next to each other.
    private let runs: [Range<Int>], batches: [SparseBatch]
    /// Each run's rows regrouped by column, for Xᵀ·B.
    private let groupings: [ColumnGrouping]
    /// The rows and set `gather` named, and per run whether its segments are still to be copied
    /// (each flag written only by the member that copies that run, or by the leader between calls).
    private var named: (rows: UnsafeBufferPointer<Int32>, set: ColumnPartitionedRows)?
    private let uncopied: UnsafeMutableBufferPointer<Bool>
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
        uncopied = .allocate(capacity: runs.count)
        uncopied.initialize(repeating: false)
    }

    deinit { uncopied.deallocate() }

    /// Makes the rows `rows` of `set` (cut into as many partitions as this batch has), in that
    /// order, the batch: each member copies its run of partitions' segments, one copy per row, at
    /// the start of its share of the next product (saving a team call), so `rows` must stay
    /// valid and unchanged until then.
    public func gather(_ rows: UnsafeBufferPointer<Int32>, from set: ColumnPartitionedRows) {
        precondition(set.partitions == partitions, "the set has \(set.partitions) partitions")
        named = (rows, set)
        for run in runs.indices { uncopied[run] = true }
        count = rows.count
        columns = set.columns
    }

    /// Copies run `run`'s segments of the named rows, unless they are already copied.
    private func copy(run: Int) {
        guard uncopied[run], let (rows, set) = named else { return }
        batches[run].gather(rows, from: set.matrix, partitions: runs[run])
        uncopied[run] = false
    }

    /// C = X·B: C [count, n] (stride ldc, overwritten), B [columns, n] (stride ldb). Each run's
    /// partitions are multiplied by its member one after the other (each partition's rows of B
    /// stay in cache for the whole batch): the first run's added to C as they come, the others'
    /// apart; then the rows are shared out to add those in partition order.
    public func times(into c: UnsafeMutablePointer<Float>, ldc: Int, b: UnsafePointer<Float>, ldb: Int, n: Int,
                      kernels: ProductKernels, rowsFinishedLater: Bool = false) {
        partials.sum(into: c, ldc: ldc, rows: count, n: n, runs: runs, threads: threads,
                     rowsAddedLater: rowsFinishedLater) { partition, target, stride, accumulate in
            let run = runs.firstIndex { $0.contains(partition) }!
            if partition == runs[run].lowerBound { copy(run: run) }
            sparseTimesDense(c: target, ldc: stride, a: batches[run].rows(partition: partition), b: b, ldb: ldb, n: n,
                             accumulate: accumulate)
        }
    }

    /// Adds up the partial products of the rows `rows` of the last `times` with `rowsFinishedLater`.
    public func finishRows(_ rows: Range<Int>) { partials.add(rows: rows) }

    /// C = Xᵀ·B: C [columns, n] (stride ldc, overwritten), B [count, n] (stride ldb). Each member
    /// writes its run's rows of C (each C element sums over the batch's rows in order, whatever
    /// the runs); by `kernels.sparseTransposed`, regrouping the run by column first (wide C), to
    /// sum each row of C in registers.
    public func transposedTimes(into c: UnsafeMutablePointer<Float>, ldc: Int, b: UnsafePointer<Float>, ldb: Int,
                                n: Int, kernels: ProductKernels) {
        Team.shared.run(parts: runs.count, threads: threads) { run in
            copy(run: run)
            let segments = batches[run].rows
            if kernels.sparseTransposed == .byColumns {
                let grouped = groupings[run].group(segments)
                sparseTransposedTimesDense(c: c, ldc: ldc, a: grouped, b: b, ldb: ldb, n: n)
            } else {
                sparseTransposedTimesDense(c: c, ldc: ldc, a: segments, b: b, ldb: ldb, n: n)
            }
        }
    }
}
