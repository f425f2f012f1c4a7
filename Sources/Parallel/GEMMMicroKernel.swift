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

/// Computes one `Tile.count × 32` tile of C in registers (`GEMMBlockSizes.microRows` rows: 8 in
/// sixteen zmm registers with AVX-512, 3 in twelve ymm with AVX2, `ThreeRowsByQuarters`):
/// T[r, 0..<32] = Σ_p A[r, p] · B[p, 0..<32], then merges T into `c` as `update` says.
///
/// - `c`: [rows, 32] tile, row stride `ldc` (a full tile of C, or a scratch tile for edges).
/// - `a`: element (r, p) of the A panel at `a[r * aRowStride + p * aDepthStride]`; read in place.
/// - `b`: a B panel, [depth, 32] with row stride `bRowStride` (32 when packed, ldb when read in place).
/// - `resuming`: the tile's sums so far, [rows, 32] contiguous, to continue from (nil: from zero).
/// - `pausing`: where to leave the sums, [rows, 32] contiguous, instead of merging them into C
///   (which is then not touched); a later call resumes from them. Sums are floats in registers
///   and in memory alike, so a depth run in several calls gives the bits of one call.
@inline(__always)
func microKernel(
    c: UnsafeMutablePointer<Float>, ldc: Int,
    a: UnsafePointer<Float>, aRowStride: Int, aDepthStride: Int,
    b: UnsafePointer<Float>, bRowStride: Int,
    depth: Int, alpha: Float, beta: Float, update: TileUpdate,
    resuming: UnsafePointer<Float>? = nil, pausing: UnsafeMutablePointer<Float>? = nil
) {
    if GEMMBlockSizes.microRows == EightRows.count {
        registerTile(EightRows.self, c: c, ldc: ldc, a: a, aRowStride: aRowStride, aDepthStride: aDepthStride,
                     b: b, bRowStride: bRowStride, depth: depth, alpha: alpha, beta: beta, update: update,
                     resuming: resuming, pausing: pausing)
    } else {
        registerTile(ThreeRowsByQuarters.self, c: c, ldc: ldc, a: a, aRowStride: aRowStride, aDepthStride: aDepthStride,
                     b: b, bRowStride: bRowStride, depth: depth, alpha: alpha, beta: beta, update: update,
                     resuming: resuming, pausing: pausing)
    }
}

/// `microKernel` for a tile of `Tile.count` rows.
@inline(__always)
private func registerTile<Tile: TileRows>(
    _ tile: Tile.Type,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    a: UnsafePointer<Float>, aRowStride: Int, aDepthStride: Int,
    b: UnsafePointer<Float>, bRowStride: Int,
    depth: Int, alpha: Float, beta: Float, update: TileUpdate,
    resuming: UnsafePointer<Float>?, pausing: UnsafeMutablePointer<Float>?
) {
    var sums = Tile()
    if let resuming { sums.load(UnsafeRawPointer(resuming)) }
    var aColumn = a
    var bRow = UnsafeRawPointer(b)
    let bRowBytes = bRowStride &* 4
    for _ in 0..<depth {
        sums.add(aColumn, rowStride: aRowStride, bRow)
        aColumn += aDepthStride
        bRow += bRowBytes
    }
    if let pausing {
        sums.store(UnsafeMutableRawPointer(pausing))
    } else {
        sums.merge(into: UnsafeMutableRawPointer(c), rowBytes: ldc &* 4, alpha, beta, update)
    }
}

// MARK: - Register tiles

/// Rows of a register tile, each 32 floats of C in two `SIMD16<Float>`.
private protocol TileRows {
    /// Rows in the tile.
    static var count: Int { get }
    /// Zeros.
    init()
    /// Row r += A[r]·B's row (32 floats at `b`), where A[r] is `a[r * rowStride]`.
    mutating func add(_ a: UnsafePointer<Float>, rowStride: Int, _ b: UnsafeRawPointer)
    /// Merges row r into C's row at `rows + r * rowBytes` (see `TileUpdate`).
    func merge(into rows: UnsafeMutableRawPointer, rowBytes: Int, _ alpha: Float, _ beta: Float, _ update: TileUpdate)
    /// Replaces the sums by those `store` left at `sums` ([count, 32] floats).
    mutating func load(_ sums: UnsafeRawPointer)
    /// Writes the sums to `sums` as [count, 32] floats.
    func store(_ sums: UnsafeMutableRawPointer)
}

/// One row of a tile.
private struct TileRow: TileRows {
    static var count: Int { 1 }
    var left = SIMD16<Float>(), right = SIMD16<Float>()

    @inline(__always) init() {}

    @inline(__always)
    mutating func add(_ a: UnsafePointer<Float>, rowStride: Int, _ b: UnsafeRawPointer) {
        let broadcast = SIMD16<Float>(repeating: a[0])
        left.addProduct(broadcast, b.loadUnaligned(as: SIMD16<Float>.self))
        right.addProduct(broadcast, b.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
    }

    @inline(__always)
    func merge(into rows: UnsafeMutableRawPointer, rowBytes: Int, _ alpha: Float, _ beta: Float, _ update: TileUpdate) {
        mergeRow(rows, left, right, alpha, beta, update)
    }

    @inline(__always)
    mutating func load(_ sums: UnsafeRawPointer) {
        left = sums.loadUnaligned(as: SIMD16<Float>.self)
        right = sums.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
    }

    @inline(__always)
    func store(_ sums: UnsafeMutableRawPointer) {
        sums.storeBytes(of: left, as: SIMD16<Float>.self)
        sums.storeBytes(of: right, toByteOffset: 64, as: SIMD16<Float>.self)
    }
}

/// The rows of `Upper` above the rows of `Lower`.
private struct StackedRows<Upper: TileRows, Lower: TileRows>: TileRows {
    static var count: Int { Upper.count + Lower.count }
    var upper = Upper(), lower = Lower()

    @inline(__always) init() {}

    @inline(__always)
    mutating func add(_ a: UnsafePointer<Float>, rowStride: Int, _ b: UnsafeRawPointer) {
        upper.add(a, rowStride: rowStride, b)
        lower.add(a + Upper.count &* rowStride, rowStride: rowStride, b)
    }

    @inline(__always)
    func merge(into rows: UnsafeMutableRawPointer, rowBytes: Int, _ alpha: Float, _ beta: Float, _ update: TileUpdate) {
        upper.merge(into: rows, rowBytes: rowBytes, alpha, beta, update)
        lower.merge(into: rows + Upper.count &* rowBytes, rowBytes: rowBytes, alpha, beta, update)
    }

    @inline(__always)
    mutating func load(_ sums: UnsafeRawPointer) {
        upper.load(sums)
        lower.load(sums + Upper.count &* 128)
    }

    @inline(__always)
    func store(_ sums: UnsafeMutableRawPointer) {
        upper.store(sums)
        lower.store(sums + Upper.count &* 128)
    }
}

private typealias TwoRows = StackedRows<TileRow, TileRow>
private typealias FourRows = StackedRows<TwoRows, TwoRows>
private typealias EightRows = StackedRows<FourRows, FourRows>

/// Three rows for AVX2, as twelve 8-float registers, summed a quarter of the columns at a time:
/// the sums, the three rows' broadcasts and one quarter of B's row fill the 16 ymm registers
/// exactly. (Three rows of two `SIMD16` each, B's row loaded whole beside them, need 17, and
/// the one spilled sum went through the stack on every depth step: half the speed.)
private struct ThreeRowsByQuarters: TileRows {
    static var count: Int { 3 }
    /// Row r's quarter q is `sums[4 · r + q]`.
    var sums = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(),
                SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(),
                SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())

    @inline(__always) init() {}

    @inline(__always)
    mutating func add(_ a: UnsafePointer<Float>, rowStride: Int, _ b: UnsafeRawPointer) {
        let a0 = SIMD8<Float>(repeating: a[0])
        let a1 = SIMD8<Float>(repeating: a[rowStride])
        let a2 = SIMD8<Float>(repeating: a[2 &* rowStride])
        var quarter = b.loadUnaligned(as: SIMD8<Float>.self)
        sums.0.addProduct(a0, quarter); sums.4.addProduct(a1, quarter); sums.8.addProduct(a2, quarter)
        quarter = b.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
        sums.1.addProduct(a0, quarter); sums.5.addProduct(a1, quarter); sums.9.addProduct(a2, quarter)
        quarter = b.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
        sums.2.addProduct(a0, quarter); sums.6.addProduct(a1, quarter); sums.10.addProduct(a2, quarter)
        quarter = b.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
        sums.3.addProduct(a0, quarter); sums.7.addProduct(a1, quarter); sums.11.addProduct(a2, quarter)
    }

    @inline(__always)
    func merge(into rows: UnsafeMutableRawPointer, rowBytes: Int, _ alpha: Float, _ beta: Float, _ update: TileUpdate) {
        let s = sums
        mergeRow(rows, joined(s.0, s.1), joined(s.2, s.3), alpha, beta, update)
        mergeRow(rows + rowBytes, joined(s.4, s.5), joined(s.6, s.7), alpha, beta, update)
        mergeRow(rows + 2 &* rowBytes, joined(s.8, s.9), joined(s.10, s.11), alpha, beta, update)
    }

    @inline(__always)
    mutating func load(_ sums: UnsafeRawPointer) {
        func quarter(_ index: Int) -> SIMD8<Float> { sums.loadUnaligned(fromByteOffset: 32 &* index, as: SIMD8<Float>.self) }
        self.sums = (quarter(0), quarter(1), quarter(2), quarter(3), quarter(4), quarter(5),
                     quarter(6), quarter(7), quarter(8), quarter(9), quarter(10), quarter(11))
    }

    @inline(__always)
    func store(_ sums: UnsafeMutableRawPointer) {
        let s = self.sums
        func put(_ quarter: SIMD8<Float>, _ index: Int) { sums.storeBytes(of: quarter, toByteOffset: 32 &* index, as: SIMD8<Float>.self) }
        put(s.0, 0); put(s.1, 1); put(s.2, 2); put(s.3, 3); put(s.4, 4); put(s.5, 5)
        put(s.6, 6); put(s.7, 7); put(s.8, 8); put(s.9, 9); put(s.10, 10); put(s.11, 11)
    }

    @inline(__always)
    private func joined(_ low: SIMD8<Float>, _ high: SIMD8<Float>) -> SIMD16<Float> {
        SIMD16(lowHalf: low, highHalf: high)
    }
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
