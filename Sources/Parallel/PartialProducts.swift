/// Scratch for the partial products of a matrix whose columns are cut into partitions, and their
/// sum: C = Σ_p X_p·B_p, one team member per partition, then the rows of C shared out to add the
/// partials in partition order (deterministic for a given number of partitions, whatever the
/// threads: on one thread, a product that can add itself to C exactly does so, partition after
/// partition, with the same bits and no partials).
final class PartialProducts {
    /// Partials of partitions 1…, each on its own cache lines.
    private var storage = UnsafeMutablePointer<Float>.allocateCacheAligned(capacity: 0)
    private var capacity = 0

    deinit { storage.deallocate() }

    /// C [rows, n] (stride ldc, overwritten) = the sum of `product(p, target, stride, accumulate)`
    /// over the partitions p in order, on up to `threads` threads. Each writes its partial product
    /// [rows, n] to `target` (row stride `stride`): C itself for partition 0; or, when `accumulate`
    /// (only asked of products that `canAccumulate`, on one thread), adds it to C, each element
    /// summed in full first.
    func sum(into c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, n: Int, partitions: Int, threads: Int,
             canAccumulate: Bool,
             _ product: (_ partition: Int, _ target: UnsafeMutablePointer<Float>, _ stride: Int, _ accumulate: Bool) -> Void) {
        guard partitions > 1, threads > 1 || !canAccumulate else {
            for partition in 0..<partitions { product(partition, c, ldc, partition > 0) }
            return
        }
        let stride = (rows * n + 15) / 16 * 16
        if (partitions - 1) * stride > capacity {
            storage.deallocate()
            capacity = (partitions - 1) * stride
            storage = .allocateCacheAligned(capacity: capacity)
        }
        let partials = storage
        Team.shared.run(parts: partitions, threads: threads) { partition in
            if partition == 0 {
                product(0, c, ldc, false)
            } else {
                product(partition, partials + (partition - 1) * stride, n, false)
            }
        }
        parallelFor(count: rows, threads: threads, minimumChunk: 1) { rowRange in
            for row in rowRange {
                let target = c + row * ldc
                for partition in 1..<partitions {
                    let source = partials + (partition - 1) * stride + row * n
                    for column in 0..<n { target[column] += source[column] }
                }
            }
        }
    }
}
