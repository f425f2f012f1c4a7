/// `gemm` for products with a narrow C, n ≤ 16, such as an output layer's with 10 classes:
/// C [batch, 10] = H [batch, 128]·W [128, 10]. The blocked kernel's 8 × 32 register tiles leave
/// most of their lanes idle there, and its packing costs more than the arithmetic.
///
/// op(B) is packed once per call into rows of 16 (zeros past n), so every load is a whole
/// `SIMD16<Float>`; each row of C is one register summed over k, four rows side by side. Rows
/// are split between threads; each element is summed in the order of k by one thread, so
/// results are bit-identical for every thread count. (A shallow product, k ≤ 16, such as the
/// output layer's backward dZ·Wᵀ, gains nothing this way: packing Wᵀ costs what it saves.)
enum SmallGEMM {
    /// The widest C taken here: one register of floats.
    static let width = 16
}

/// C = α·op(A)·op(B) + β·C for C up to `SmallGEMM.width` wide (`GEMMKernel.narrow`); arguments as `gemm`'s.
func smallGEMM(c: UnsafeMutablePointer<Float>, ldc: Int, _ operands: GEMMOperands,
               m: Int, n: Int, k: Int, threads: Int, minimumWorkPerThread: Int) {
    precondition(n <= SmallGEMM.width, "C is \(n) wide: the narrow kernel takes up to \(SmallGEMM.width)")
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: k) { packed in
        let packed = UnsafeMutableRawPointer(packed.baseAddress!).assumingMemoryBound(to: Float.self)
        for depth in 0..<k {
            let row = packed + depth * SmallGEMM.width
            if operands.transB == .none {
                row.initialize(from: operands.b + depth * operands.ldb, count: n)
            } else {
                for column in 0..<n { row[column] = operands.b[column * operands.ldb + depth] }
            }
            (row + n).initialize(repeating: 0, count: SmallGEMM.width - n)
        }
        let a = StridedMatrix(operands)
        let rowsPerThread = max(1, minimumWorkPerThread / max(1, n * k))
        parallelFor(count: m, threads: threads, minimumChunk: rowsPerThread) { rows in
            narrowRows(rows, c: c, ldc: ldc, a: a, packed: packed, n: n, k: k, operands)
        }
    }
}

/// op(A) read in place: element (row, depth) at `base[row * rowStride + depth * depthStride]`.
private struct StridedMatrix {
    let base: UnsafePointer<Float>, rowStride: Int, depthStride: Int

    init(_ operands: GEMMOperands) {
        base = operands.a
        (rowStride, depthStride) = operands.transA == .none ? (operands.lda, 1) : (1, operands.lda)
    }

    @inline(__always)
    func broadcast(_ row: Int, _ depth: Int) -> SIMD16<Float> {
        SIMD16(repeating: base[row &* rowStride &+ depth &* depthStride])
    }
}

/// Rows `rows` of C: C[i] = Σ_depth op(A)[i, depth]·packed[depth], with even and odd depths in
/// separate sums, several rows side by side: four with AVX-512 (eight FMA chains in zmm), two with
/// AVX2 (four rows' eight ymm sums and their loads would spill), then the last rows one at a
/// time. Every row is summed in the same order however the rows are grouped: any split of the
/// rows gives the same C.
private func narrowRows(_ rows: Range<Int>, c: UnsafeMutablePointer<Float>, ldc: Int, a: StridedMatrix,
                        packed: UnsafePointer<Float>, n: Int, k: Int, _ operands: GEMMOperands) {
    let product = NarrowProduct(c: c, ldc: ldc, a: a, packed: packed, n: n, k: k, operands: operands)
    var row = rows.lowerBound
    if RegisterFile.floats >= 512 {
        while row + FourRowSums.count <= rows.upperBound {
            product.rows(FourRowSums.self, from: row)
            row += FourRowSums.count
        }
    }
    while row + TwoRowSums.count <= rows.upperBound {
        product.rows(TwoRowSums.self, from: row)
        row += TwoRowSums.count
    }
    if row < rows.upperBound { product.rows(RowSums.self, from: row) }
}

/// One `narrowRows` call's operands.
private struct NarrowProduct {
    let c: UnsafeMutablePointer<Float>, ldc: Int, a: StridedMatrix, packed: UnsafePointer<Float>, n: Int, k: Int
    let operands: GEMMOperands

    /// Rows `first ..< first + Sums.count` of C.
    @inline(__always)
    func rows<Sums: NarrowRowSums>(_ sums: Sums.Type, from first: Int) {
        var even = Sums(), odd = Sums()
        var depth = 0
        while depth + 2 <= k {
            even.add(a, row: first, depth: depth, packedRow(depth))
            odd.add(a, row: first, depth: depth + 1, packedRow(depth + 1))
            depth += 2
        }
        if depth < k { even.add(a, row: first, depth: depth, packedRow(depth)) }
        even.store(adding: odd, into: c, ldc: ldc, row: first, count: n, operands)
    }

    @inline(__always)
    private func packedRow(_ depth: Int) -> SIMD16<Float> {
        UnsafeRawPointer(packed + depth &* SmallGEMM.width).load(as: SIMD16<Float>.self)
    }
}

/// Sums of `count` consecutive rows of a narrow C, one `SIMD16<Float>` each.
private protocol NarrowRowSums {
    static var count: Int { get }
    /// Zeros.
    init()
    /// Row r's sum += op(A)[row + r, depth]·b.
    mutating func add(_ a: StridedMatrix, row: Int, depth: Int, _ b: SIMD16<Float>)
    /// C's rows `row ..< row + count` = α·(self + other) + β·C (see `store`).
    func store(adding other: Self, into c: UnsafeMutablePointer<Float>, ldc: Int, row: Int, count: Int,
               _ operands: GEMMOperands)
}

private struct RowSums: NarrowRowSums {
    static var count: Int { 1 }
    var sum = SIMD16<Float>()

    @inline(__always) init() {}

    @inline(__always)
    mutating func add(_ a: StridedMatrix, row: Int, depth: Int, _ b: SIMD16<Float>) {
        sum.addProduct(a.broadcast(row, depth), b)
    }

    @inline(__always)
    func store(adding other: Self, into c: UnsafeMutablePointer<Float>, ldc: Int, row: Int, count: Int,
               _ operands: GEMMOperands) {
        Parallel.store(sum + other.sum, c + row * ldc, count: count, operands)
    }
}

/// The rows of `Upper` followed by those of `Lower`.
private struct StackedRowSums<Upper: NarrowRowSums, Lower: NarrowRowSums>: NarrowRowSums {
    static var count: Int { Upper.count + Lower.count }
    var upper = Upper(), lower = Lower()

    @inline(__always) init() {}

    @inline(__always)
    mutating func add(_ a: StridedMatrix, row: Int, depth: Int, _ b: SIMD16<Float>) {
        upper.add(a, row: row, depth: depth, b)
        lower.add(a, row: row + Upper.count, depth: depth, b)
    }

    @inline(__always)
    func store(adding other: Self, into c: UnsafeMutablePointer<Float>, ldc: Int, row: Int, count: Int,
               _ operands: GEMMOperands) {
        upper.store(adding: other.upper, into: c, ldc: ldc, row: row, count: count, operands)
        lower.store(adding: other.lower, into: c, ldc: ldc, row: row + Upper.count, count: count, operands)
    }
}

private typealias TwoRowSums = StackedRowSums<RowSums, RowSums>
private typealias FourRowSums = StackedRowSums<TwoRowSums, TwoRowSums>

/// target[0 ..< count] = α·sum + β·target (target not read when β = 0).
@inline(__always)
private func store(_ sum: SIMD16<Float>, _ target: UnsafeMutablePointer<Float>, count: Int, _ operands: GEMMOperands) {
    var value = sum * operands.alpha
    if count == SmallGEMM.width {
        if operands.beta != 0 {
            value.addProduct(SIMD16(repeating: operands.beta), UnsafeRawPointer(target).loadUnaligned(as: SIMD16<Float>.self))
        }
        UnsafeMutableRawPointer(target).storeBytes(of: value, as: SIMD16<Float>.self)
        return
    }
    withUnsafeBytes(of: &value) { lanes in
        let lanes = lanes.assumingMemoryBound(to: Float.self)
        for lane in 0..<count {
            target[lane] = operands.beta == 0 ? lanes[lane] : lanes[lane] + operands.beta * target[lane]
        }
    }
}
