/// C = op(A)·op(B), overwritten, with the depth (k) cut between threads: for products whose C is
/// small and whose depth is long, such as a layer's weight gradient xᵀ·dz summed over a batch.
///
/// Arguments as `gemm`'s (α = 1, β = 0). The depth is cut into `threads` contiguous runs, run r
/// summed by `Team` member r (the member that made those rows of the batch in the
/// row-by-row passes before it, so each thread reads operands from its own cache), into C for
/// the first run and into a partial C for each other; then the partials are added to C in run
/// order. Results are deterministic for a given `threads`, and equal `gemm`'s up to the order of
/// the sums. Falls back to `gemm` when one thread is asked for or the depth is shorter than the
/// runs would be worth.
public func depthSplitGEMM(
    c: UnsafeMutablePointer<Float>, ldc: Int,
    a: UnsafePointer<Float>, lda: Int, _ transA: Transpose,
    b: UnsafePointer<Float>, ldb: Int, _ transB: Transpose,
    m: Int, n: Int, k: Int, threads: Int
) {
    let runs = min(threads, k / DepthSplit.minimumDepth)
    guard runs > 1, m > 0, n > 0 else {
        gemm(c: c, ldc: ldc, a: a, lda: lda, transA, b: b, ldb: ldb, transB, m: m, n: n, k: k, threads: threads)
        return
    }
    let partials = UnsafeMutablePointer<Float>.allocateCacheAligned(capacity: (runs - 1) * m * n)
    defer { partials.deallocate() }
    Team.shared.run(parts: runs, threads: runs) { run in
        let depth = evenPart(run, of: runs, count: k)
        // op(A)[:, depth] and op(B)[depth, :] where they are stored.
        let aRun = transA == .none ? a + depth.lowerBound : a + depth.lowerBound * lda
        let bRun = transB == .none ? b + depth.lowerBound * ldb : b + depth.lowerBound
        let (target, stride) = run == 0 ? (c, ldc) : (partials + (run - 1) * m * n, n)
        gemm(c: target, ldc: stride, a: aRun, lda: lda, transA, b: bRun, ldb: ldb, transB,
             m: m, n: n, k: depth.count)
    }
    for run in 1..<runs {
        let partial = partials + (run - 1) * m * n
        for row in 0..<m {
            let target = c + row * ldc, source = partial + row * n
            for column in 0..<n { target[column] += source[column] }
        }
    }
}

/// Limits of `depthSplitGEMM`.
enum DepthSplit {
    /// The shortest run of the depth worth a thread of its own.
    static let minimumDepth = 16
}
