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

    /// Whether `smallGEMM` should take the product instead of the blocked kernel.
    static func handles(n: Int, k: Int) -> Bool { n <= width }
}

/// C = α·op(A)·op(B) + β·C for shapes `SmallGEMM.handles`; arguments as `gemm`'s.
func smallGEMM(c: UnsafeMutablePointer<Float>, ldc: Int, _ operands: GEMMOperands,
               m: Int, n: Int, k: Int, threads: Int, minimumWorkPerThread: Int) {
    precondition(SmallGEMM.handles(n: n, k: k))
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

/// Rows `rows` of C: C[i] = Σ_depth op(A)[i, depth]·packed[depth], four rows at a
/// time with even and odd depths in separate sums: eight FMA chains side by side.
private func narrowRows(_ rows: Range<Int>, c: UnsafeMutablePointer<Float>, ldc: Int, a: StridedMatrix,
                        packed: UnsafePointer<Float>, n: Int, k: Int, _ operands: GEMMOperands) {
    @inline(__always) func packedRow(_ depth: Int) -> SIMD16<Float> {
        UnsafeRawPointer(packed + depth &* SmallGEMM.width).load(as: SIMD16<Float>.self)
    }
    var row = rows.lowerBound
    while row + 4 <= rows.upperBound {
        var even = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
        var odd = even
        var depth = 0
        while depth + 2 <= k {
            let b0 = packedRow(depth), b1 = packedRow(depth + 1)
            even.0.addProduct(a.broadcast(row, depth), b0)
            even.1.addProduct(a.broadcast(row + 1, depth), b0)
            even.2.addProduct(a.broadcast(row + 2, depth), b0)
            even.3.addProduct(a.broadcast(row + 3, depth), b0)
            odd.0.addProduct(a.broadcast(row, depth + 1), b1)
            odd.1.addProduct(a.broadcast(row + 1, depth + 1), b1)
            odd.2.addProduct(a.broadcast(row + 2, depth + 1), b1)
            odd.3.addProduct(a.broadcast(row + 3, depth + 1), b1)
            depth += 2
        }
        if depth < k {
            let b0 = packedRow(depth)
            even.0.addProduct(a.broadcast(row, depth), b0)
            even.1.addProduct(a.broadcast(row + 1, depth), b0)
            even.2.addProduct(a.broadcast(row + 2, depth), b0)
            even.3.addProduct(a.broadcast(row + 3, depth), b0)
        }
        store(even.0 + odd.0, c + row * ldc, count: n, operands)
        store(even.1 + odd.1, c + (row + 1) * ldc, count: n, operands)
        store(even.2 + odd.2, c + (row + 2) * ldc, count: n, operands)
        store(even.3 + odd.3, c + (row + 3) * ldc, count: n, operands)
        row += 4
    }
    // The last rows one at a time, summed exactly as above: any split of the rows gives the same C.
    for row in row..<rows.upperBound {
        var even = SIMD16<Float>(), odd = SIMD16<Float>()
        var depth = 0
        while depth + 2 <= k {
            even.addProduct(a.broadcast(row, depth), packedRow(depth))
            odd.addProduct(a.broadcast(row, depth + 1), packedRow(depth + 1))
            depth += 2
        }
        if depth < k { even.addProduct(a.broadcast(row, depth), packedRow(depth)) }
        store(even + odd, c + row * ldc, count: n, operands)
    }
}

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
