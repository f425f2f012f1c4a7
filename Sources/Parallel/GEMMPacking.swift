// Packing copies a block of an operand into the contiguous order the micro-kernel reads,
// zero-padding the edges so the kernel always runs on full tiles.

/// Packs the block op(B)[depth, columns] into panels of `microColumns`: panel q is
/// [depth.count, 32] contiguous at `packed + q · depth.count · 32`, columns past the end zero.
///
/// - `b`: B as stored: [k, n] (stride `ldb`) or, transposed, [n, k] (stride `ldb`).
func packB(
    _ packed: UnsafeMutablePointer<Float>,
    b: UnsafePointer<Float>, ldb: Int, _ transB: Transpose,
    depth: Range<Int>, columns: Range<Int>
) {
    let width = GEMMBlockSizes.microColumns
    let kc = depth.count
    var panel = packed
    for panelStart in stride(from: columns.lowerBound, to: columns.upperBound, by: width) {
        let used = min(width, columns.upperBound - panelStart)
        switch transB {
        case .none:
            var source = b + depth.lowerBound * ldb + panelStart
            var destination = panel
            if used == width {
                for _ in 0..<kc {
                    let raw = UnsafeRawPointer(source)
                    let target = UnsafeMutableRawPointer(destination)
                    target.storeBytes(of: raw.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                    target.storeBytes(of: raw.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self),
                                      toByteOffset: 64, as: SIMD16<Float>.self)
                    source += ldb
                    destination += width
                }
            } else {
                for _ in 0..<kc {
                    for column in 0..<used { destination[column] = source[column] }
                    for column in used..<width { destination[column] = 0 }
                    source += ldb
                    destination += width
                }
            }
        case .transposed:
            // B stored [n, k]: each column of op(B) is a contiguous row; write it with stride 32.
            for column in 0..<used {
                let source = b + (panelStart + column) * ldb + depth.lowerBound
                var destination = panel + column
                for p in 0..<kc {
                    destination.pointee = source[p]
                    destination += width
                }
            }
            if used < width {
                for p in 0..<kc {
                    for column in used..<width { panel[p * width + column] = 0 }
                }
            }
        }
        panel += kc * width
    }
}

/// Packs the last, partial row panel of op(A) (rows `rows`, fewer than `microRows`) as
/// [depth.count, 8] contiguous, rows past the end zero, so the kernel reads it with
/// row stride 1 and depth stride 8.
///
/// - `a`: A as stored: [m, k] (stride `lda`) or, transposed, [k, m] (stride `lda`).
func packEdgeRowsOfA(
    _ packed: UnsafeMutablePointer<Float>,
    a: UnsafePointer<Float>, lda: Int, _ transA: Transpose,
    rows: Range<Int>, depth: Range<Int>
) {
    let height = GEMMBlockSizes.microRows
    var destination = packed
    for p in depth {
        for row in 0..<height {
            let i = rows.lowerBound + row
            if i < rows.upperBound {
                destination[row] = transA == .none ? a[i * lda + p] : a[p * lda + i]
            } else {
                destination[row] = 0
            }
        }
        destination += height
    }
}
