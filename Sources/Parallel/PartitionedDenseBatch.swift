/// A dense minibatch [count, columns] whose columns are cut into equal partitions, one per
/// `Team` member, and the two products a dense layer needs with it: X·B forward and Xᵀ·B
/// backward.
///
/// Each member owns a contiguous run of partitions: it multiplies their columns of the batch by
/// its rows of B (the weights) and writes its rows of Xᵀ·B (the weights' gradient): every thread
/// reads and writes only its own rows of the weights, which stay in its cache from step to step,
/// and the update that gives each thread those rows finds them there too. Only
/// [count, n] partial products cross between cores.
///
/// Results depend on the number of partitions (the order in which the partial products are
/// added), not on which thread runs which partition.
public final class PartitionedDenseBatch {
    /// Columns of the matrix.
    public let columns: Int
    /// [partitions + 1] column bounds, from 0 to `columns`, on cache-line boundaries.
    public let bounds: [Int]
    /// The batch, [capacity, columns].
    private var values: UnsafeMutablePointer<Float>
    private var capacity = 0
    private let partials = PartialProducts()
    /// Each member's run of partitions; and each partition alone, for a GEMM that cannot add
    /// its product to C with the bits of a separate sum (`gemmAddsWholeProducts`).
    private let runs: [Range<Int>], singles: [Range<Int>]
    /// Columns in the widest partition: the depth of its X·B.
    private let widestPartition: Int
    /// Rows in the batch.
    public private(set) var count = 0
    /// How far ahead of its copy a row is first read.
    private static let rowsAhead = 4

    /// Threads that share the partitions, each a contiguous run of them.
    public let threads: Int

    /// A batch of `columns`-wide rows cut into `partitions` (≥ 1) column ranges, shared by up to
    /// `threads` threads.
    public init(columns: Int, partitions: Int, threads: Int = 1) {
        precondition(partitions >= 1)
        self.threads = threads
        self.columns = columns
        let lines = (columns + 15) / 16
        bounds = (0...partitions).map { min(columns, $0 * lines / partitions * 16) }
        runs = Team.runs(parts: partitions, threads: threads)
        singles = (0..<partitions).map { $0..<$0 + 1 }
        widestPartition = zip(bounds.dropFirst(), bounds).map { $0 - $1 }.max() ?? 0
        values = .allocateCacheAligned(capacity: 0)
    }

    deinit { values.deallocate() }

    /// Copies the rows `rows` of the 8-bit set `set` [·, columns], in that order and as byte /
    /// 255, replacing what the batch held; the rows are shared out between the members (a row's
    /// cache misses cost more than moving its partitions between cores later). `finish`, when
    /// given, changes each copied row in place while it is in the cache: it gets the row's
    /// position in the batch and its [columns] values.
    public func gather(_ rows: UnsafeBufferPointer<Int32>, from set: UnsafePointer<UInt8>,
                       finish: ((_ position: Int, _ row: UnsafeMutablePointer<Float>) -> Void)? = nil) {
        if rows.count > capacity {
            values.deallocate()
            values = .allocateCacheAligned(capacity: rows.count * columns)
            capacity = rows.count
        }
        let (values, columns) = (values, columns)
        parallelFor(count: rows.count, threads: threads, minimumChunk: 8) { positions in
            // Each row's first line is read a few rows ahead, so its miss overlaps the copies before it.
            var ahead = 0
            for position in positions {
                let next = min(position + Self.rowsAhead, positions.upperBound - 1)
                ahead &+= Int(set[Int(rows[next]) * columns + columns / 2])
                unitFloats(values + position * columns, set + Int(rows[position]) * columns, count: columns)
                finish?(position, values + position * columns)
            }
            if ahead == Int.min { values[0] = 0 }    // never: keeps the reads ahead
        }
        count = rows.count
    }

    /// C = X·B: C [count, n] (stride ldc, overwritten), B [columns, n] (stride ldb). Each run's
    /// partitions are multiplied by its member one after the other, the first run's added to C
    /// as they come (when the GEMM adds whole products), the others' apart; then the rows are
    /// shared out to add those in partition order.
    public func times(into c: UnsafeMutablePointer<Float>, ldc: Int, b: UnsafePointer<Float>, ldb: Int, n: Int,
                      kernels: ProductKernels, rowsFinishedLater: Bool = false) {
        let (values, columns, bounds, count) = (values, columns, bounds, count)
        let runs = gemmAddsWholeProducts(k: widestPartition, kernel: kernels.outputWide) ? runs : singles
        partials.sum(into: c, ldc: ldc, rows: count, n: n, runs: runs, threads: threads,
                     rowsAddedLater: rowsFinishedLater) { partition, target, stride, accumulate in
            let range = bounds[partition]..<bounds[partition + 1]
            gemm(c: target, ldc: stride, a: values + range.lowerBound, lda: columns, .none,
                 b: b + range.lowerBound * ldb, ldb: ldb, .none, m: count, n: n, k: range.count,
                 beta: accumulate ? 1 : 0, kernel: kernels.outputWide)
        }
    }

    /// Adds up the partial products of the rows `rows` of the last `times` with `rowsFinishedLater`.
    public func finishRows(_ rows: Range<Int>) { partials.add(rows: rows) }

    /// C = Xᵀ·B: C [columns, n] (stride ldc, overwritten), B [count, n] (stride ldb). Each member
    /// writes its run's rows of C with one GEMM (each element sums over the batch's rows in an
    /// order that depends on their number alone, whatever the runs).
    public func transposedTimes(into c: UnsafeMutablePointer<Float>, ldc: Int, b: UnsafePointer<Float>, ldb: Int,
                                n: Int, kernels: ProductKernels) {
        let (values, columns, bounds, count, runs) = (values, columns, bounds, count, runs)
        Team.shared.run(parts: runs.count, threads: threads) { run in
            let range = bounds[runs[run].lowerBound]..<bounds[runs[run].upperBound]
            gemm(c: c + range.lowerBound * ldc, ldc: ldc, a: values + range.lowerBound, lda: columns, .transposed,
                 b: b, ldb: ldb, .none, m: range.count, n: n, k: count, kernel: kernels.outputWide)
        }
    }
}

/// target[i] = source[i] / 255: bytes of an 8-bit image as the values the network reads.
public func unitFloats(_ target: UnsafeMutablePointer<Float>, _ source: UnsafePointer<UInt8>, count: Int) {
    for index in 0..<count { target[index] = Float(source[index]) / 255 }
}
