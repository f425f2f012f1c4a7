/// Scratch for the partial products of a matrix whose columns are cut into partitions, and their
/// sum: C = Σ_p X_p·B_p, added in partition order (deterministic for a given number of
/// partitions, whatever the threads). The partitions are shared out as runs of consecutive ones,
/// one team part each: the run holding partition 0 adds its partitions' products to C one after
/// the other, each summed in full first (so only a product that can do that may be given a run
/// of several); any other run writes each of its partitions' products apart, and then the rows of
/// C are shared out to add those in order, or left for the thread that reads a row to add
/// (`add(rows:)`).
final class PartialProducts {
    /// Partials of the partitions after the first run, each on its own cache lines.
    private var storage = UnsafeMutablePointer<Float>.allocateCacheAligned(capacity: 0)
    private var capacity = 0
    /// What the last `sum` with `rowsAddedLater` left to add: C, its row stride and width, the
    /// partitions whose products are apart and the distance between their partials.
    private var apart: (c: UnsafeMutablePointer<Float>, ldc: Int, n: Int, partitions: Range<Int>, stride: Int)?

    deinit { storage.deallocate() }

    /// The fewest additions worth a thread of their own in the sum of the partials: about what
    /// a team call costs (0.7–0.8 µs on the Intel Xeon of docs/performance.md).
    static let minimumAdditionsPerThread = 1 << 13

    /// C [rows, n] (stride ldc, overwritten) = the sum over the partitions `0 ..< runs.last.upperBound`
    /// (cut into the consecutive `runs`, the first starting at 0) of `product(partition, target,
    /// stride, accumulate)`, on up to `threads` threads. Each writes its partition's product
    /// [rows, n] to `target` (row stride `stride`): C itself for the first run, or a partial; with
    /// `accumulate` (the first run's partitions after 0), it adds it to C, summed in full first.
    /// With `rowsAddedLater`, C holds only the first run's products on return, and `add(rows:)`
    /// must then add the others' to every row before it is read (by the thread that reads it).
    func sum(into c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, n: Int, runs: [Range<Int>], threads: Int,
             rowsAddedLater: Bool = false,
             _ product: (_ partition: Int, _ target: UnsafeMutablePointer<Float>, _ stride: Int, _ accumulate: Bool) -> Void) {
        precondition(runs.first?.lowerBound == 0)
        let first = runs[0].upperBound, partitions = runs.last!.upperBound
        guard partitions > first else {
            apart = nil
            for partition in runs[0] { product(partition, c, ldc, partition > 0) }
            return
        }
        let stride = (rows * n + 15) / 16 * 16
        if (partitions - first) * stride > capacity {
            storage.deallocate()
            capacity = (partitions - first) * stride
            storage = .allocateCacheAligned(capacity: capacity)
        }
        let partials = storage
        Team.shared.run(parts: runs.count, threads: threads) { run in
            for partition in runs[run] {
                if run == 0 {
                    product(partition, c, ldc, partition > 0)
                } else {
                    product(partition, partials + (partition - first) * stride, n, false)
                }
            }
        }
        apart = (c, ldc, n, first..<partitions, stride)
        guard !rowsAddedLater else { return }
        let minimumRows = max(1, Self.minimumAdditionsPerThread / max(1, n * (partitions - first)))
        parallelFor(count: rows, threads: threads, minimumChunk: minimumRows) { add(rows: $0) }
        apart = nil
    }

    /// Adds the partials the last `sum` with `rowsAddedLater` left apart to the rows `rows` of C,
    /// in partition order (nothing when it left none).
    func add(rows: Range<Int>) {
        guard let (c, ldc, n, partitions, stride) = apart else { return }
        for row in rows {
            let target = c + row * ldc
            for partition in partitions {
                let source = storage + (partition - partitions.lowerBound) * stride + row * n
                for column in 0..<n { target[column] += source[column] }
            }
        }
    }
}
