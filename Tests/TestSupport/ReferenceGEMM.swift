import Parallel

/// The plain triple-loop GEMM, kept forever as the ground truth the fast kernel is tested against.
/// Same contract as `gemm`: C[m, n] = α·op(A)[m, k]·op(B)[k, n] + β·C; C is not read when β = 0.
/// Accumulates in Double so it is a sharper reference than any Float kernel.
public func referenceGEMM(
    c: UnsafeMutablePointer<Float>, ldc: Int,
    a: UnsafePointer<Float>, lda: Int, _ transA: Transpose,
    b: UnsafePointer<Float>, ldb: Int, _ transB: Transpose,
    m: Int, n: Int, k: Int,
    alpha: Float = 1, beta: Float = 0
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k {
                let aip = transA == .none ? a[i * lda + p] : a[p * lda + i]
                let bpj = transB == .none ? b[p * ldb + j] : b[j * ldb + p]
                sum += Double(aip) * Double(bpj)
            }
            let scaled = Float(Double(alpha) * sum)
            c[i * ldc + j] = beta == 0 ? scaled : scaled + beta * c[i * ldc + j]
        }
    }
}
