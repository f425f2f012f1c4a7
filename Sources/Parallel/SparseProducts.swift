/// Products of selected rows of a sparse matrix with a dense one: the two products a dense layer
/// needs with its input when the input is sparse. Arguments in the house order: output first,
/// then inputs, then dimensions. Each C element is summed by one thread in the order of A's
/// entries, so results are deterministic and do not depend on `threads`.
///
/// `rows` names `count` rows of A (indices into `a`), so a minibatch is a list of example
/// indices and is never copied.

/// The fewest selected rows worth a thread of their own in `sparseRowsTimesDense`: a batch-64
/// step takes tens of microseconds, about what handing work to a second thread costs.
let sparseRowsPerThread = 128

/// C = A[rows]·B: C [count, n] (stride ldc, overwritten), B [a.columns, n] (stride ldb).
public func sparseRowsTimesDense(
    c: UnsafeMutablePointer<Float>, ldc: Int,
    a: CompressedRows, rows: UnsafePointer<Int32>, count: Int,
    b: UnsafePointer<Float>, ldb: Int,
    n: Int, threads: Int = 1
) {
    a.rowStarts.withUnsafeBufferPointer { starts in
        a.columnIndices.withUnsafeBufferPointer { columns in
            a.values.withUnsafeBufferPointer { values in
                let starts = starts.baseAddress!, columns = columns.baseAddress!, values = values.baseAddress!
                parallelFor(count: count, threads: threads, minimumChunk: sparseRowsPerThread) { chunk in
                    for i in chunk {
                        let row = Int(rows[i])
                        let entries = starts[row]..<starts[row + 1]
                        let cRow = c + i * ldc
                        forEachColumnBlock(n) { column, width in
                            var sum = Accumulator(width: width)
                            sum.addRows(entries, values: values, columns: columns, b: b + column, ldb: ldb)
                            sum.store(to: cRow + column)
                        }
                    }
                }
            }
        }
    }
}

/// C = A[rows]ᵀ·B: C [a.columns, n] (stride ldc, overwritten), B [count, n] (stride ldb).
/// Each example's row of B is held in registers and scattered into the rows of C its non-zeros
/// name. Runs on the caller's thread: splitting C's columns over two threads measured 2–3×
/// slower at the lab's shapes (batch 256, 128 columns) than one.
public func sparseRowsTransposedTimesDense(
    c: UnsafeMutablePointer<Float>, ldc: Int,
    a: CompressedRows, rows: UnsafePointer<Int32>, count: Int,
    b: UnsafePointer<Float>, ldb: Int,
    n: Int
) {
    for row in 0..<a.columns { (c + row * ldc).update(repeating: 0, count: n) }
    a.rowStarts.withUnsafeBufferPointer { starts in
        a.columnIndices.withUnsafeBufferPointer { columns in
            a.values.withUnsafeBufferPointer { values in
                let starts = starts.baseAddress!, columns = columns.baseAddress!, values = values.baseAddress!
                for i in 0..<count {
                    let row = Int(rows[i])
                    let bRow = b + i * ldb
                    forEachColumnBlock(n) { column, width in
                        Accumulator(loading: bRow + column, width: width)
                            .scatter(starts[row]..<starts[row + 1], values: values, columns: columns,
                                     c: c + column, ldc: ldc)
                    }
                }
            }
        }
    }
}

// MARK: - Register blocks

/// Calls `body(column, width)` for consecutive column blocks of `n`: 64 wide (four registers), then
/// 16 wide, then the last 1–15 columns.
@inline(__always)
private func forEachColumnBlock(_ n: Int, _ body: (Int, Int) -> Void) {
    var column = 0
    while n - column >= Accumulator.maximumWidth {
        body(column, Accumulator.maximumWidth)
        column += Accumulator.maximumWidth
    }
    while n - column >= 16 {
        body(column, 16)
        column += 16
    }
    if column < n { body(column, n - column) }
}

/// Up to 64 floats of one row in four `SIMD16<Float>` registers; `width` is 64, 16 or 1–15.
/// Each operation branches on the width once, outside its loop over the sparse entries.
private struct Accumulator {
    static let maximumWidth = 64
    let width: Int
    var v0 = SIMD16<Float>(), v1 = SIMD16<Float>(), v2 = SIMD16<Float>(), v3 = SIMD16<Float>()

    @inline(__always)
    init(width: Int) {
        self.width = width
    }

    @inline(__always)
    init(loading source: UnsafePointer<Float>, width: Int) {
        self.width = width
        switch width {
        case 64: v0 = load(source); v1 = load(source + 16); v2 = load(source + 32); v3 = load(source + 48)
        case 16: v0 = load(source)
        default: for lane in 0..<width { v0[lane] = source[lane] }
        }
    }

    /// self += Σ_entry values[entry] · b[columns[entry] · ldb ..< + width]
    @inline(__always)
    mutating func addRows(_ entries: Range<Int>, values: UnsafePointer<Float>, columns: UnsafePointer<Int32>,
                          b: UnsafePointer<Float>, ldb: Int) {
        switch width {
        case 64:
            // Even and odd entries go to separate registers: eight independent FMA chains hide
            // the FMA latency that four would leave exposed.
            var s0 = v0, s1 = v1, s2 = v2, s3 = v3
            var t0 = SIMD16<Float>(), t1 = SIMD16<Float>(), t2 = SIMD16<Float>(), t3 = SIMD16<Float>()
            var entry = entries.lowerBound
            while entry + 1 < entries.upperBound {
                let even = SIMD16<Float>(repeating: values[entry]), odd = SIMD16<Float>(repeating: values[entry + 1])
                let evenRow = b + Int(columns[entry]) &* ldb, oddRow = b + Int(columns[entry + 1]) &* ldb
                s0.addProduct(even, load(evenRow)); s1.addProduct(even, load(evenRow + 16))
                s2.addProduct(even, load(evenRow + 32)); s3.addProduct(even, load(evenRow + 48))
                t0.addProduct(odd, load(oddRow)); t1.addProduct(odd, load(oddRow + 16))
                t2.addProduct(odd, load(oddRow + 32)); t3.addProduct(odd, load(oddRow + 48))
                entry += 2
            }
            if entry < entries.upperBound {
                let factor = SIMD16<Float>(repeating: values[entry])
                let row = b + Int(columns[entry]) &* ldb
                s0.addProduct(factor, load(row)); s1.addProduct(factor, load(row + 16))
                s2.addProduct(factor, load(row + 32)); s3.addProduct(factor, load(row + 48))
            }
            v0 = s0 + t0; v1 = s1 + t1; v2 = s2 + t2; v3 = s3 + t3
        case 16:
            var s0 = v0
            for entry in entries {
                s0.addProduct(SIMD16<Float>(repeating: values[entry]), load(b + Int(columns[entry]) &* ldb))
            }
            v0 = s0
        default:
            // Plain memory for the 1–15 tail columns: indexing a SIMD register lane by lane in the
            // inner loop costs an insert and an extract per element (softmax regression, 10 columns:
            // 0.50 s per epoch that way, 0.09 s this way).
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 16) { buffer in
                let sums = buffer.baseAddress!
                sums.initialize(repeating: 0, count: 16)
                for entry in entries {
                    let scale = values[entry], row = b + Int(columns[entry]) &* ldb
                    for lane in 0..<width { sums[lane] += scale * row[lane] }
                }
                v0 += SIMD16(UnsafeBufferPointer(start: sums, count: 16))
            }
        }
    }

    /// c[columns[entry] · ldc ..< + width] += values[entry] · self, for every entry
    @inline(__always)
    func scatter(_ entries: Range<Int>, values: UnsafePointer<Float>, columns: UnsafePointer<Int32>,
                 c: UnsafeMutablePointer<Float>, ldc: Int) {
        switch width {
        case 64:
            for entry in entries {
                let factor = SIMD16<Float>(repeating: values[entry])
                let row = c + Int(columns[entry]) &* ldc
                storeVector(load(row).addingProduct(factor, v0), row)
                storeVector(load(row + 16).addingProduct(factor, v1), row + 16)
                storeVector(load(row + 32).addingProduct(factor, v2), row + 32)
                storeVector(load(row + 48).addingProduct(factor, v3), row + 48)
            }
        case 16:
            for entry in entries {
                let row = c + Int(columns[entry]) &* ldc
                storeVector(load(row).addingProduct(SIMD16<Float>(repeating: values[entry]), v0), row)
            }
        default:
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 16) { buffer in
                let source = buffer.baseAddress!
                for lane in 0..<16 { source[lane] = v0[lane] }
                for entry in entries {
                    let scale = values[entry], row = c + Int(columns[entry]) &* ldc
                    for lane in 0..<width { row[lane] += scale * source[lane] }
                }
            }
        }
    }

    /// target[0 ..< width] = self
    @inline(__always)
    func store(to target: UnsafeMutablePointer<Float>) {
        switch width {
        case 64: storeVector(v0, target); storeVector(v1, target + 16); storeVector(v2, target + 32); storeVector(v3, target + 48)
        case 16: storeVector(v0, target)
        default: for lane in 0..<width { target[lane] = v0[lane] }
        }
    }
}

@inline(__always)
private func load(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
private func storeVector(_ value: SIMD16<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD16<Float>.self)
}
