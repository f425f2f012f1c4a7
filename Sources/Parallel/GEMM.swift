import CacheHints

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
/// - `threads`: worker threads to split C over (1 = run on the caller's thread). Small products
///   use fewer threads than asked, since waking a thread costs more than they take.
/// When β = 0, C is not read (it may hold NaN). Every element of C is computed by one thread,
/// summing over k in an order that depends on k alone: the result is bit-identical for every
/// thread count. `kernel` is the one for C's width (`GEMMKernel(n:)`); a layer chooses it once.
public func gemm(
    c: UnsafeMutablePointer<Float>, ldc: Int,
    a: UnsafePointer<Float>, lda: Int, _ transA: Transpose,
    b: UnsafePointer<Float>, ldb: Int, _ transB: Transpose,
    m: Int, n: Int, k: Int,
    alpha: Float = 1, beta: Float = 0,
    threads: Int = 1, kernel: GEMMKernel? = nil
) {
    gemm(c: c, ldc: ldc, a: a, lda: lda, transA, b: b, ldb: ldb, transB, m: m, n: n, k: k,
         alpha: alpha, beta: beta, threads: threads, kernel: kernel ?? GEMMKernel(n: n),
         minimumWorkPerThread: GEMMSplit.minimumWorkPerThread)
}

/// Whether `gemm` with α = 1 and β = 1 adds each element's whole product sum to C with one
/// rounding, the bits of storing the product apart and adding it: when the sum over k is not cut
/// into depth slices (k ≤ `GEMMBlockSizes.depth`), and always with the narrow and bf16 kernels.
func gemmAddsWholeProducts(k: Int, kernel: GEMMKernel) -> Bool {
    kernel != .blocked || k <= GEMMBlockSizes.depth
}

/// `gemm` with the threshold of `GEMMSplit` exposed, so tests can split even tiny products.
func gemm(
    c: UnsafeMutablePointer<Float>, ldc: Int,
    a: UnsafePointer<Float>, lda: Int, _ transA: Transpose,
    b: UnsafePointer<Float>, ldb: Int, _ transB: Transpose,
    m: Int, n: Int, k: Int, alpha: Float, beta: Float, threads: Int, kernel: GEMMKernel, minimumWorkPerThread: Int
) {
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
        scaleMatrix(c, ldc: ldc, rows: m, columns: n, by: beta)
        return
    }
    let operands = GEMMOperands(a: a, lda: lda, transA: transA, b: b, ldb: ldb, transB: transB,
                                alpha: alpha, beta: beta)
    if kernel == .bfloat16Tiles {
        bfloat16TilesGEMM(c: c, ldc: ldc, operands, m: m, n: n, k: k, threads: threads,
                          minimumWorkPerThread: minimumWorkPerThread)
        return
    }
    if kernel == .narrow {
        smallGEMM(c: c, ldc: ldc, operands, m: m, n: n, k: k, threads: threads,
                  minimumWorkPerThread: minimumWorkPerThread)
        return
    }
    let split = GEMMSplit(m: m, n: n, k: k, threads: threads, packsB: !operands.readsBInPlace,
                          minimumWorkPerThread: minimumWorkPerThread)
    Team.shared.run(parts: split.parts, threads: threads) { part in
        let (rows, columns) = split.rectangle(part, m: m, n: n)
        blockedGEMM(c: c, ldc: ldc, operands, rows: rows, columns: columns, k: k)
    }
}

// MARK: - Work split

/// How C is cut into `parts` rectangles along micro-tile boundaries, `rowParts × columnParts`.
///
/// Several parts per thread: the `Team` lets a free thread take the parts of one that
/// started late. When B must be packed and is large, C is cut by columns (each part packs only
/// its own columns of B); otherwise by rows, so that each thread reads and writes the rows of A
/// and C it made or will read next (the examples of its share of a batch).
struct GEMMSplit {
    /// Fewest multiply-adds worth a second thread (≈ 0.7 µs at 100 GFLOP/s; a spinning team
    /// worker takes its part within a microsecond).
    static let minimumWorkPerThread = 1 << 15
    /// Parts per thread, for load balancing.
    static let partsPerThread = 4
    /// The most elements of op(B) that every part packs for itself rather than cut C by columns
    /// (32 KB: an output layer's weights, 128 × 10, are 5 KB).
    static let smallB = 1 << 13

    let rowParts: Int
    let columnParts: Int
    var parts: Int { rowParts * columnParts }

    init(m: Int, n: Int, k: Int, threads: Int, packsB: Bool,
         minimumWorkPerThread: Int = Self.minimumWorkPerThread) {
        let rowPanels = (m + GEMMBlockSizes.microRows - 1) / GEMMBlockSizes.microRows
        let columnPanels = (n + GEMMBlockSizes.microColumns - 1) / GEMMBlockSizes.microColumns
        let work = m * n * k, minimumWork = max(1, minimumWorkPerThread)
        var wanted = 1
        if threads > 1 && work >= 2 * minimumWork {
            wanted = min(threads * Self.partsPerThread, max(threads, Self.partsPerThread * work / minimumWork))
        }
        if packsB && k * n > Self.smallB {
            columnParts = min(wanted, columnPanels)
            rowParts = min(max(1, wanted / columnParts), rowPanels)
        } else {
            rowParts = min(wanted, rowPanels)
            columnParts = min(max(1, wanted / rowParts), columnPanels)
        }
    }

    /// The rows and columns of C that part `index` computes.
    func rectangle(_ index: Int, m: Int, n: Int) -> (rows: Range<Int>, columns: Range<Int>) {
        let rows = Self.share(index / columnParts, of: rowParts, extent: m, tile: GEMMBlockSizes.microRows)
        let columns = Self.share(index % columnParts, of: columnParts, extent: n, tile: GEMMBlockSizes.microColumns)
        return (rows, columns)
    }

    /// Share `index` of `count` nearly equal runs of whole tiles covering 0..<extent.
    private static func share(_ index: Int, of count: Int, extent: Int, tile: Int) -> Range<Int> {
        let tiles = (extent + tile - 1) / tile
        let start = index * tiles / count * tile
        let end = (index + 1) * tiles / count * tile
        return min(start, extent)..<min(end, extent)
    }
}

// MARK: - Blocked driver

/// The inputs of one GEMM call, bundled for the per-thread driver.
struct GEMMOperands: @unchecked Sendable {
    let a: UnsafePointer<Float>, lda: Int, transA: Transpose
    let b: UnsafePointer<Float>, ldb: Int, transB: Transpose
    let alpha: Float, beta: Float

    /// Whether the micro-kernel reads full 32-column panels of B where they are stored, unpacked:
    /// B not transposed, and rows less than 4 KiB apart, so a panel does not cross many pages.
    var readsBInPlace: Bool { transB == .none && ldb < 1024 }
}

/// Computes the rectangle `rows × columns` of C on the calling thread (loop structure in
/// `GEMMBlockSizes`). A is read in place; B too when `readsBInPlace`, otherwise it is packed
/// block by block into a workspace (edge panels narrower than 32 columns are always packed).
func blockedGEMM(c: UnsafeMutablePointer<Float>, ldc: Int, _ operands: GEMMOperands,
                 rows: Range<Int>, columns: Range<Int>, k: Int) {
    guard !rows.isEmpty, !columns.isEmpty else { return }
    let slices = GEMMBlockSizes.depthSlices(k: k)
    let tileRows = GEMMBlockSizes.microRows, tileColumns = GEMMBlockSizes.microColumns
    let blockColumns = min(GEMMBlockSizes.columns, (columns.count + tileColumns - 1) / tileColumns * tileColumns)
    let workspace = GEMMWorkspace(depth: slices[0].count, columns: blockColumns)
    defer { workspace.deallocate() }
    let (a, lda, transA) = (operands.a, operands.lda, operands.transA)
    let inPlace = operands.readsBInPlace

    for (sliceIndex, depth) in slices.enumerated() {
        let update: TileUpdate = sliceIndex > 0 ? .accumulate : (operands.beta == 0 ? .overwrite : .scale)
        let residentSteps = GEMMBlockSizes.residentSteps(depth: depth.count, readsBInPlace: inPlace)
        for blockStart in stride(from: columns.lowerBound, to: columns.upperBound, by: GEMMBlockSizes.columns) {
            let block = blockStart..<min(blockStart + GEMMBlockSizes.columns, columns.upperBound)
            if inPlace {
                let edgeColumns = block.count % tileColumns
                let edge = (block.upperBound - edgeColumns)..<block.upperBound
                packB(workspace.packedB + (block.count / tileColumns) * depth.count * tileColumns,
                      b: operands.b, ldb: operands.ldb, operands.transB, depth: depth, columns: edge)
            } else {
                packB(workspace.packedB, b: operands.b, ldb: operands.ldb, operands.transB, depth: depth, columns: block)
            }
            for rowBlockStart in stride(from: rows.lowerBound, to: rows.upperBound, by: GEMMBlockSizes.rows) {
                let rowBlock = rowBlockStart..<min(rowBlockStart + GEMMBlockSizes.rows, rows.upperBound)
                if rowBlock.count % tileRows != 0 {
                    let edge = (rowBlock.upperBound - rowBlock.count % tileRows)..<rowBlock.upperBound
                    packEdgeRowsOfA(workspace.edgeRowsOfA, a: a, lda: lda, transA, rows: edge, depth: depth)
                }
                for (panelIndex, panelStart) in stride(from: block.lowerBound, to: block.upperBound, by: tileColumns).enumerated() {
                    let panelColumns = min(tileColumns, block.upperBound - panelStart)
                    let panel: UnsafePointer<Float>, panelStride: Int
                    if inPlace && panelColumns == tileColumns {
                        (panel, panelStride) = (operands.b + depth.lowerBound * operands.ldb + panelStart, operands.ldb)
                    } else {
                        (panel, panelStride) = (UnsafePointer(workspace.packedB + panelIndex * depth.count * tileColumns), tileColumns)
                    }
                    // The panel's rows a step at a time, each step over every row panel, so that
                    // a step's rows of B stay in L1; the tiles' sums wait between steps.
                    for (stepIndex, step) in residentSteps.enumerated() {
                        let last = stepIndex == residentSteps.count - 1
                        for (tileIndex, rowStart) in stride(from: rowBlock.lowerBound, to: rowBlock.upperBound, by: tileRows).enumerated() {
                            let panelRows = min(tileRows, rowBlock.upperBound - rowStart)
                            let aPanel: UnsafePointer<Float>, rowStride: Int, depthStride: Int
                            if panelRows < tileRows {
                                (aPanel, rowStride, depthStride) = (UnsafePointer(workspace.edgeRowsOfA), 1, tileRows)
                            } else if transA == .none {
                                (aPanel, rowStride, depthStride) = (a + rowStart * lda + depth.lowerBound, lda, 1)
                            } else {
                                (aPanel, rowStride, depthStride) = (a + depth.lowerBound * lda + rowStart, 1, lda)
                            }
                            let sums = workspace.tileSums + tileIndex * tileRows * tileColumns
                            let (resuming, pausing) = (stepIndex > 0 ? UnsafePointer(sums) : nil, last ? nil : sums)
                            let (stepA, stepB) = (aPanel + step.lowerBound * depthStride, panel + step.lowerBound * panelStride)
                            let cTile = c + rowStart * ldc + panelStart
                            if !last || (panelRows == tileRows && panelColumns == tileColumns) {
                                if last { prefetchTile(cTile, ldc: ldc, rows: panelRows) }
                                microKernel(c: cTile, ldc: ldc, a: stepA, aRowStride: rowStride, aDepthStride: depthStride,
                                            b: stepB, bRowStride: panelStride, depth: step.count, alpha: operands.alpha,
                                            beta: operands.beta, update: update, resuming: resuming, pausing: pausing)
                            } else {
                                // Edge tile: run the same kernel on a full scratch tile, copy the valid part.
                                let scratch = workspace.edgeTile
                                if update != .overwrite {
                                    copyTile(scratch, ldDestination: tileColumns, cTile, ldSource: ldc,
                                             rows: panelRows, columns: panelColumns)
                                }
                                microKernel(c: scratch, ldc: tileColumns, a: stepA, aRowStride: rowStride,
                                            aDepthStride: depthStride, b: stepB, bRowStride: panelStride, depth: step.count,
                                            alpha: operands.alpha, beta: operands.beta, update: update, resuming: resuming)
                                copyTile(cTile, ldDestination: ldc, scratch, ldSource: tileColumns,
                                         rows: panelRows, columns: panelColumns)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Scratch memory of one thread's share of a GEMM call.
struct GEMMWorkspace {
    /// One packed block of B: [depth, columns] as panels of `microColumns`.
    let packedB: UnsafeMutablePointer<Float>
    /// The partial last row panel of A, packed: [depth, microRows].
    let edgeRowsOfA: UnsafeMutablePointer<Float>
    /// A full register tile for edges: [microRows, microColumns].
    let edgeTile: UnsafeMutablePointer<Float>
    /// The sums of a row block's tiles between resident steps: [rows, microColumns].
    let tileSums: UnsafeMutablePointer<Float>
    private let storage: UnsafeMutableRawPointer

    init(depth: Int, columns: Int) {
        let bCount = depth * columns
        let aCount = depth * GEMMBlockSizes.microRows
        let tileCount = GEMMBlockSizes.microRows * GEMMBlockSizes.microColumns
        let sumsCount = GEMMBlockSizes.rows * GEMMBlockSizes.microColumns
        let aOffset = (bCount + 15) / 16 * 16, tileOffset = aOffset + (aCount + 15) / 16 * 16
        let sumsOffset = tileOffset + tileCount
        storage = .allocate(byteCount: (sumsOffset + sumsCount) * 4, alignment: 64)
        let floats = storage.bindMemory(to: Float.self, capacity: sumsOffset + sumsCount)
        packedB = floats
        edgeRowsOfA = floats + aOffset
        edgeTile = floats + tileOffset
        tileSums = floats + sumsOffset
    }

    func deallocate() { storage.deallocate() }
}

// MARK: - Small helpers

/// Starts loading the `rows × 32` tile of C at `tile` into the caches without waiting, so that
/// the merge at the end of the micro-kernel's last depth run finds C's rows there: C is read and
/// written once per depth slice, and a large C is in memory by then.
@inline(__always)
private func prefetchTile(_ tile: UnsafeMutablePointer<Float>, ldc: Int, rows: Int) {
    for row in 0..<rows {
        mpitrain_prefetch(tile + row &* ldc)
        mpitrain_prefetch(tile + row &* ldc + 16)
    }
}

/// Copies `rows × columns` floats between two row-major matrices.
private func copyTile(_ destination: UnsafeMutablePointer<Float>, ldDestination: Int,
                      _ source: UnsafePointer<Float>, ldSource: Int, rows: Int, columns: Int) {
    for row in 0..<rows {
        (destination + row * ldDestination).update(from: source + row * ldSource, count: columns)
    }
}

/// C = β·C for the degenerate k = 0 product (C is not read when β = 0).
private func scaleMatrix(_ c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, by beta: Float) {
    for row in 0..<rows {
        let line = c + row * ldc
        for column in 0..<columns { line[column] = beta == 0 ? 0 : beta * line[column] }
    }
}
