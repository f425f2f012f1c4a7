/// How a micro-kernel's register tile T = Σ op(A)·op(B) over one depth slice is merged into C.
enum TileUpdate {
    /// C = α·T (first depth slice, β = 0: C is not read).
    case overwrite
    /// C = β·C + α·T (first depth slice, β ≠ 0).
    case scale
    /// C = C + α·T (later depth slices).
    case accumulate
}

// MARK: - Micro-kernel

/// Computes one `microRows × microColumns` (8 × 32) tile of C in sixteen `SIMD16<Float>` registers:
/// T[r, 0..<32] = Σ_p A[r, p] · B[p, 0..<32], then merges T into `c` as `update` says.
///
/// - `c`: [8, 32] tile, row stride `ldc` (a full tile of C, or a scratch tile for edges).
/// - `a`: element (r, p) of the A panel at `a[r * aRowStride + p * aDepthStride]`; read in place.
/// - `b`: a B panel, [depth, 32] with row stride `bRowStride` (32 when packed, ldb when read in place).
@inline(__always)
func microKernel(
    c: UnsafeMutablePointer<Float>, ldc: Int,
    a: UnsafePointer<Float>, aRowStride: Int, aDepthStride: Int,
    b: UnsafePointer<Float>, bRowStride: Int,
    depth: Int, alpha: Float, beta: Float, update: TileUpdate
) {
    var c00 = SIMD16<Float>(), c01 = SIMD16<Float>()
    var c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
    var c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
    var c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
    var c40 = SIMD16<Float>(), c41 = SIMD16<Float>()
    var c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
    var c60 = SIMD16<Float>(), c61 = SIMD16<Float>()
    var c70 = SIMD16<Float>(), c71 = SIMD16<Float>()
    let rs = aRowStride
    var aColumn = a
    var bRow = UnsafeRawPointer(b)
    let bRowBytes = bRowStride &* 4
    for _ in 0..<depth {
        let b0 = bRow.loadUnaligned(as: SIMD16<Float>.self)
        let b1 = bRow.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
        var broadcast = SIMD16<Float>(repeating: aColumn[0])
        c00.addProduct(broadcast, b0); c01.addProduct(broadcast, b1)
        broadcast = SIMD16<Float>(repeating: aColumn[rs])
        c10.addProduct(broadcast, b0); c11.addProduct(broadcast, b1)
        broadcast = SIMD16<Float>(repeating: aColumn[2 * rs])
        c20.addProduct(broadcast, b0); c21.addProduct(broadcast, b1)
        broadcast = SIMD16<Float>(repeating: aColumn[3 * rs])
        c30.addProduct(broadcast, b0); c31.addProduct(broadcast, b1)
        broadcast = SIMD16<Float>(repeating: aColumn[4 * rs])
        c40.addProduct(broadcast, b0); c41.addProduct(broadcast, b1)
        broadcast = SIMD16<Float>(repeating: aColumn[5 * rs])
        c50.addProduct(broadcast, b0); c51.addProduct(broadcast, b1)
        broadcast = SIMD16<Float>(repeating: aColumn[6 * rs])
        c60.addProduct(broadcast, b0); c61.addProduct(broadcast, b1)
        broadcast = SIMD16<Float>(repeating: aColumn[7 * rs])
        c70.addProduct(broadcast, b0); c71.addProduct(broadcast, b1)
        aColumn += aDepthStride
        bRow += bRowBytes
    }
    let rows = UnsafeMutableRawPointer(c)
    let rowBytes = ldc &* 4
    mergeRow(rows, c00, c01, alpha, beta, update)
    mergeRow(rows + rowBytes, c10, c11, alpha, beta, update)
    mergeRow(rows + 2 &* rowBytes, c20, c21, alpha, beta, update)
    mergeRow(rows + 3 &* rowBytes, c30, c31, alpha, beta, update)
    mergeRow(rows + 4 &* rowBytes, c40, c41, alpha, beta, update)
    mergeRow(rows + 5 &* rowBytes, c50, c51, alpha, beta, update)
    mergeRow(rows + 6 &* rowBytes, c60, c61, alpha, beta, update)
    mergeRow(rows + 7 &* rowBytes, c70, c71, alpha, beta, update)
}

/// Merges one 32-wide row of a register tile into C (see `TileUpdate`).
@inline(__always)
private func mergeRow(
    _ row: UnsafeMutableRawPointer, _ left: SIMD16<Float>, _ right: SIMD16<Float>,
    _ alpha: Float, _ beta: Float, _ update: TileUpdate
) {
    switch update {
    case .overwrite:
        row.storeBytes(of: left * alpha, as: SIMD16<Float>.self)
        row.storeBytes(of: right * alpha, toByteOffset: 64, as: SIMD16<Float>.self)
    case .scale:
        let oldLeft = row.loadUnaligned(as: SIMD16<Float>.self)
        let oldRight = row.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
        row.storeBytes(of: (oldLeft * beta).addingProduct(left, alpha), as: SIMD16<Float>.self)
        row.storeBytes(of: (oldRight * beta).addingProduct(right, alpha), toByteOffset: 64, as: SIMD16<Float>.self)
    case .accumulate:
        let oldLeft = row.loadUnaligned(as: SIMD16<Float>.self)
        let oldRight = row.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
        row.storeBytes(of: oldLeft.addingProduct(left, alpha), as: SIMD16<Float>.self)
        row.storeBytes(of: oldRight.addingProduct(right, alpha), toByteOffset: 64, as: SIMD16<Float>.self)
    }
}
