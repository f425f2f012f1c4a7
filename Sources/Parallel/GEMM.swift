/// Whether a GEMM operand is used as stored or transposed.
public enum Transpose: Sendable {
    /// op(X) = X
    case none
    /// op(X) = Xᵀ
    case transposed
}

/// Single-precision, row-major matrix multiply: C = α·op(A)·op(B) + β·C.
///
/// Arguments in the house order: output first, then inputs, then dimensions.
/// - `c`: [m, n], row stride `ldc` ≥ n.
/// - `a`: op(A) is [m, k]; A is stored [m, k] (stride `lda` ≥ k) or, transposed, [k, m] (stride `lda` ≥ m).
/// - `b`: op(B) is [k, n]; B is stored [k, n] (stride `ldb` ≥ n) or, transposed, [n, k] (stride `ldb` ≥ k).
/// - `threads`: worker threads to split C over (1 = run on the caller's thread).
/// When β = 0, C is not read (it may hold NaN).
public func gemm(
    c: UnsafeMutablePointer<Float>, ldc: Int,
    a: UnsafePointer<Float>, lda: Int, _ transA: Transpose,
    b: UnsafePointer<Float>, ldb: Int, _ transB: Transpose,
    m: Int, n: Int, k: Int,
    alpha: Float = 1, beta: Float = 0,
    threads: Int = 1
) {
    referenceGEMM(c: c, ldc: ldc, a: a, lda: lda, transA, b: b, ldb: ldb, transB,
                  m: m, n: n, k: k, alpha: alpha, beta: beta)
}
