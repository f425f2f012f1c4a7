import Testing
import TestSupport
@testable import Parallel

/// One product to check: dimensions, operand layouts, scalars and padding of the leading dimensions.
struct GEMMCase: CustomStringConvertible, Sendable {
    let m: Int, n: Int, k: Int
    let transA: Transpose, transB: Transpose
    let alpha: Float, beta: Float
    /// Extra elements at the end of every stored row (0 = packed rows).
    let padding: Int

    var description: String {
        "\(m)×\(n)×\(k) \(transA == .none ? "N" : "T")\(transB == .none ? "N" : "T") α=\(alpha) β=\(beta) pad=\(padding)"
    }

    /// Stored shapes: A is [m, k] or [k, m]; B is [k, n] or [n, k]; C is [m, n].
    var lda: Int { (transA == .none ? k : m) + padding }
    var ldb: Int { (transB == .none ? n : k) + padding }
    var ldc: Int { n + padding }
    var aCount: Int { (transA == .none ? m : k) * lda }
    var bCount: Int { (transB == .none ? k : n) * ldb }

    /// Largest difference allowed from the Double-accumulated reference: Float rounding grows
    /// with the number of terms k (values are in [-1, 1), so |Σ| ≤ k).
    var tolerance: Float { 4 * Float.ulpOfOne * Float(k + 1) * max(1, abs(alpha)) + 2 * Float.ulpOfOne * abs(beta) }
}

/// Runs `gemm` and `referenceGEMM` on the same random operands; returns (fast C, reference C).
/// With β = 0, the fast C starts as NaN, which must not leak into the result. Even tiny products
/// are split over `threads` (the public `gemm` would keep them on one thread). `rounded` is applied
/// to each operand element the reference reads (the factors a reduced-precision kernel multiplies).
func runBoth(_ test: GEMMCase, threads: Int, seed: UInt64 = 1, kernel: GEMMKernel? = nil,
             rounded: (Float) -> Float = { $0 }) -> (fast: [Float], reference: [Float]) {
    var values = TestValues(seed: seed)
    let a = values.array(test.aCount), b = values.array(test.bCount)
    let initialC = values.array(test.m * test.ldc)
    var fast = test.beta == 0 ? [Float](repeating: .nan, count: initialC.count) : initialC
    var reference = initialC
    fast.withUnsafeMutableBufferPointer { c in
        gemm(c: c.baseAddress!, ldc: test.ldc, a: a, lda: test.lda, test.transA, b: b, ldb: test.ldb, test.transB,
             m: test.m, n: test.n, k: test.k, alpha: test.alpha, beta: test.beta, threads: threads,
             kernel: kernel ?? GEMMKernel(n: test.n), minimumWorkPerThread: 1)
    }
    reference.withUnsafeMutableBufferPointer { c in
        referenceGEMM(c: c.baseAddress!, ldc: test.ldc, a: a.map(rounded), lda: test.lda, test.transA,
                      b: b.map(rounded), ldb: test.ldb, test.transB,
                      m: test.m, n: test.n, k: test.k, alpha: test.alpha, beta: test.beta)
    }
    return (fast, reference)
}

/// Largest |fast − reference| over the m × n elements of C (padding excluded).
func largestError(_ test: GEMMCase, _ fast: [Float], _ reference: [Float]) -> Float {
    var largest: Float = 0
    for row in 0..<test.m {
        for column in 0..<test.n {
            let index = row * test.ldc + column
            let error = abs(fast[index] - reference[index])
            largest = error.isNaN ? .infinity : max(largest, error)
        }
    }
    return largest
}

/// Small and awkward shapes: single elements, vectors, primes, exact and ragged tiles, several depth slices;
/// n ≤ 16 takes the narrow kernel (SmallGEMM: the output layer's 10 classes).
let gemmShapes: [(m: Int, n: Int, k: Int)] = [
    (1, 1, 1), (1, 100, 17), (100, 1, 17), (67, 129, 31), (8, 32, 17), (9, 33, 19), (16, 64, 600), (7, 31, 1030),
    (10, 256, 17),  // ldb = 256 without padding: B packed even when not transposed
    (32, 10, 128), (33, 128, 10), (7, 16, 3), (130, 17, 16), (5, 40, 1),
]

let allCases: [GEMMCase] = gemmShapes.flatMap { shape in
    [Transpose.none, .transposed].flatMap { transA in
        [Transpose.none, .transposed].flatMap { transB in
            [(Float(1), Float(0)), (Float(0.5), Float(-1.5))].flatMap { scalars in
                [0, 3].map { padding in
                    GEMMCase(m: shape.m, n: shape.n, k: shape.k, transA: transA, transB: transB,
                             alpha: scalars.0, beta: scalars.1, padding: padding)
                }
            }
        }
    }
}

@Suite("GEMM")
struct GEMMTests {
    @Test("fast GEMM matches the reference", arguments: allCases, [1, 2, 3, 4])
    func matchesReference(_ test: GEMMCase, threads: Int) {
        let (fast, reference) = runBoth(test, threads: threads)
        #expect(largestError(test, fast, reference) <= test.tolerance, "\(test), threads \(threads)")
    }

    @Test("the blocked kernel is right for narrow C too (a layer may be planned either way)",
          arguments: allCases.filter { $0.n <= 16 }, [1, 2])
    func blockedKernelTakesNarrowProducts(_ test: GEMMCase, threads: Int) {
        #expect(GEMMKernel(n: test.n) == .narrow)
        let (fast, reference) = runBoth(test, threads: threads, kernel: .blocked)
        #expect(largestError(test, fast, reference) <= test.tolerance, "\(test), threads \(threads)")
    }

    @Test("the padding beyond n in each row of C is left alone", arguments: [(40, 9), (40, 33), (10, 33)])
    func leavesPaddingAlone(_ shape: (n: Int, k: Int)) {
        let test = GEMMCase(m: 20, n: shape.n, k: shape.k, transA: .none, transB: .none, alpha: 1, beta: 0, padding: 5)
        var c = [Float](repeating: 7, count: test.m * test.ldc)
        var values = TestValues(seed: 3)
        let a = values.array(test.aCount), b = values.array(test.bCount)
        gemm(c: &c, ldc: test.ldc, a: a, lda: test.lda, .none, b: b, ldb: test.ldb, .none, m: test.m, n: test.n, k: test.k)
        let padding = (0..<test.m).flatMap { row in (test.n..<test.ldc).map { c[row * test.ldc + $0] } }
        #expect(padding.allSatisfy { $0 == 7 })
    }

    @Test("results are bit-identical for every thread count", arguments: [
        GEMMCase(m: 130, n: 70, k: 1100, transA: .none, transB: .none, alpha: 1, beta: 0, padding: 0),
        GEMMCase(m: 784, n: 64, k: 64, transA: .transposed, transB: .none, alpha: 1, beta: 1, padding: 0),
        GEMMCase(m: 64, n: 784, k: 64, transA: .none, transB: .transposed, alpha: 1, beta: 0, padding: 2),
        GEMMCase(m: 1000, n: 10, k: 128, transA: .none, transB: .none, alpha: 1, beta: 0, padding: 0),
        GEMMCase(m: 300, n: 128, k: 10, transA: .none, transB: .transposed, alpha: 1, beta: 1, padding: 0),
    ])
    func deterministicAcrossThreads(_ test: GEMMCase) {
        let single = runBoth(test, threads: 1)
        #expect(largestError(test, single.fast, single.reference) <= test.tolerance)
        for threads in [2, 3, 4] {
            let (fast, _) = runBoth(test, threads: threads)
            let differing = (0..<test.m).flatMap { row in (0..<test.n).map { row * test.ldc + $0 } }
                .filter { fast[$0].bitPattern != single.fast[$0].bitPattern }
            #expect(differing.isEmpty, "threads \(threads): \(differing.count) elements differ")
        }
    }

    @Test("β = 1 adds the whole product with the bits of adding a separately stored product, where gemmAddsWholeProducts says so",
          arguments: [(64, 128, 196), (64, 128, 512), (37, 70, 300), (64, 10, 900), (64, 1, 196), (64, 128, 513), (64, 128, 1100)])
    func addsWholeProducts(_ shape: (m: Int, n: Int, k: Int)) {
        let (m, n, k) = shape
        for kernel in [GEMMKernel.blocked] + (n <= SmallGEMM.width ? [.narrow] : []) {
            var values = TestValues(seed: UInt64(k))
            let a = values.array(m * k), b = values.array(k * n), start = values.array(m * n).map { $0 * 1000 }
            var product = [Float](repeating: .nan, count: m * n), added = start
            gemm(c: &product, ldc: n, a: a, lda: k, .none, b: b, ldb: n, .none, m: m, n: n, k: k, kernel: kernel)
            gemm(c: &added, ldc: n, a: a, lda: k, .none, b: b, ldb: n, .none, m: m, n: n, k: k, beta: 1, kernel: kernel)
            let apart = zip(start, product).map { $0 + $1 }
            let same = zip(apart, added).allSatisfy { $0.bitPattern == $1.bitPattern }
            if gemmAddsWholeProducts(k: k, kernel: kernel) {
                #expect(same, "\(kernel) \(m)×\(n)×\(k)")
            } else {
                #expect(k > GEMMBlockSizes.depth && kernel == .blocked)
            }
        }
    }

    /// The order the bits follow, whatever the blocking inside a slice (B's rows read in place a
    /// resident step at a time, the sums waiting in memory between steps, or a packed slice
    /// whole): each element is one chain of fused multiply-adds over a depth slice's p in order
    /// from zero, merged into C slice by slice.
    @Test("each element is a chain of fused multiply-adds over each depth slice in order",
          arguments: [(37, 70, 300), (64, 64, 784), (20, 33, 1100), (9, 40, 129)], [Transpose.none, .transposed])
    func sumsEachSliceInOrder(_ shape: (m: Int, n: Int, k: Int), transA: Transpose) {
        let (m, n, k) = shape, alpha: Float = 0.75
        var values = TestValues(seed: UInt64(k))
        let a = values.array(m * k), b = values.array(k * n)
        // B as stored (read in place, in resident steps) and transposed (packed, a slice at a time).
        for transB in [Transpose.none, .transposed] {
            var c = [Float](repeating: .nan, count: m * n)
            gemm(c: &c, ldc: n, a: a, lda: transA == .none ? k : m, transA, b: b, ldb: transB == .none ? n : k, transB,
                 m: m, n: n, k: k, alpha: alpha, kernel: .blocked)
            var differing = 0
            for i in 0..<m {
                for j in 0..<n {
                    var element: Float = 0
                    for (index, slice) in GEMMBlockSizes.depthSlices(k: k).enumerated() {
                        var sum: Float = 0
                        for p in slice {
                            sum.addProduct(transA == .none ? a[i * k + p] : a[p * m + i], transB == .none ? b[p * n + j] : b[j * k + p])
                        }
                        element = index == 0 ? sum * alpha : element.addingProduct(sum, alpha)
                    }
                    if element.bitPattern != c[i * n + j].bitPattern { differing += 1 }
                }
            }
            #expect(differing == 0, "B \(transB): \(differing) of \(m * n) elements differ")
        }
    }

    @Test("k = 0 gives C = β·C, and zero for β = 0 even over NaN")
    func emptyDepth() {
        var c: [Float] = [1, 2, 3, 4]
        let none: [Float] = [0]
        gemm(c: &c, ldc: 2, a: none, lda: 1, .none, b: none, ldb: 2, .none, m: 2, n: 2, k: 0, beta: 2)
        #expect(c == [2, 4, 6, 8])
        c = [.nan, .nan, .nan, .nan]
        gemm(c: &c, ldc: 2, a: none, lda: 1, .none, b: none, ldb: 2, .none, m: 2, n: 2, k: 0)
        #expect(c == [0, 0, 0, 0])
    }

    @Test("the work split covers C exactly once", arguments: [(1, 1), (8, 32), (67, 129), (784, 64), (32, 784), (2048, 2048)], [1, 2, 3, 4, 7])
    func splitCoversC(_ size: (Int, Int), threads: Int) {
        for packsB in [false, true] {
            checkSplit(GEMMSplit(m: size.0, n: size.1, k: 1 << 20, threads: threads, packsB: packsB), size, threads)
        }
    }

    private func checkSplit(_ split: GEMMSplit, _ size: (Int, Int), _ threads: Int) {
        let (m, n) = size
        #expect(split.parts >= 1 && split.parts <= threads * GEMMSplit.partsPerThread)
        if threads == 1 { #expect(split.parts == 1) }
        var covered = [Int](repeating: 0, count: m * n)
        for part in 0..<split.parts {
            let (rows, columns) = split.rectangle(part, m: m, n: n)
            for row in rows { for column in columns { covered[row * n + column] += 1 } }
        }
        #expect(covered.allSatisfy { $0 == 1 })
    }
}

