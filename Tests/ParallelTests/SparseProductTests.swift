import Testing
import TestSupport
import Parallel

@Suite("Sparse-rows products")
struct SparseProductTests {
    /// A [rows, columns] matrix with about `density` of its entries non-zero.
    private func sparseMatrix(rows: Int, columns: Int, density: Float, seed: UInt64) -> [Float] {
        var values = TestValues(seed: seed)
        return (0..<rows * columns).map { _ in
            let keep = (values.next() + 1) / 2 < density
            // Quantized like 8-bit pixels: at most 255 distinct non-zero values.
            let value = (values.next() * 127).rounded() / 127
            return keep ? value : 0
        }
    }

    /// The selected rows of `dense` [·, columns] as their own dense matrix [rows.count, columns].
    private func gather(_ dense: [Float], columns: Int, rows: [Int32]) -> [Float] {
        rows.flatMap { dense[Int($0) * columns..<(Int($0) + 1) * columns] }
    }

    private func tolerance(_ k: Int) -> Float { 4 * Float.ulpOfOne * Float(k + 1) }

    @Test("CSR keeps exactly the non-zeros, row by row")
    func compressedRowsRoundTrip() throws {
        let dense = sparseMatrix(rows: 7, columns: 13, density: 0.3, seed: 1)
        let sparse = try #require(CompressedRows(dense: dense, rows: 7, columns: 13))
        var rebuilt = [Float](repeating: 0, count: 7 * 13)
        for row in 0..<7 {
            for entry in sparse.rowStarts[row]..<sparse.rowStarts[row + 1] {
                rebuilt[row * 13 + Int(sparse.columnIndices[entry])] = sparse.value(entry)
            }
        }
        #expect(rebuilt == dense)
        #expect(sparse.distinctValues.allSatisfy { $0 != 0 })
        #expect(Set(sparse.distinctValues).count == sparse.distinctValues.count, "each value stored once")
        #expect(abs(sparse.density - Double(dense.filter { $0 != 0 }.count) / 91) < 1e-12)
    }

    /// An 8-bit image set's non-zeros are found 64 pixels at a time (AVX-512 VBMI2's compress) or
    /// one at a time: runs that start and end inside a block of 64, rows of 150 pixels, all-zero
    /// and all-lit rows, against a plain loop.
    @Test("CSR from bytes keeps each partition's non-zero pixels in column order, values as byte − 1")
    func compressedRowsFromBytes() throws {
        let (rows, columns, bounds) = (9, 150, [0, 37, 100, 101, 150])
        var values = TestValues(seed: 4)
        let bytes = (0..<rows * columns).map { index -> UInt8 in
            let row = index / columns
            if row == 0 { return 0 }
            if row == 1 { return UInt8(index % 255 + 1) }
            return (values.next() + 1) / 2 < 0.3 ? UInt8(index % 255 + 1) : 0
        }
        let nonZeros = bytes.filter { $0 != 0 }.count
        let sparse = try #require(bytes.withUnsafeBufferPointer {
            CompressedRows(bytes: $0.baseAddress!, rows: rows, columns: columns, partitionBounds: bounds, nonZeros: nonZeros)
        })
        var starts = [0], columnIndices: [UInt16] = [], valueIndices: [UInt8] = []
        for row in 0..<rows {
            for partition in 0..<bounds.count - 1 {
                for column in bounds[partition]..<bounds[partition + 1] where bytes[row * columns + column] != 0 {
                    columnIndices.append(UInt16(column))
                    valueIndices.append(bytes[row * columns + column] - 1)
                }
                starts.append(columnIndices.count)
            }
        }
        #expect(sparse.rowStarts == starts)
        #expect(sparse.columnIndices == columnIndices)
        #expect(sparse.valueIndices == valueIndices)
    }

    @Test("CSR refuses what its three-byte entries cannot hold: over 256 distinct values, over 65,536 columns")
    func compressedRowsLimits() {
        let distinct = (1...257).map { Float($0) / 1000 }
        #expect(CompressedRows(dense: distinct, rows: 1, columns: 257) == nil)
        #expect(CompressedRows(dense: Array(distinct.dropLast()), rows: 1, columns: 256)?.distinctValues.count == 256)
        let wide = [Float](repeating: 0, count: CompressedRows.maximumColumns + 1)
        #expect(CompressedRows(dense: wide, rows: 1, columns: wide.count) == nil)
        #expect(CompressedRows(dense: wide, rows: 1, columns: wide.count - 1) != nil)
    }

    @Test("A grouping holds up to 65,536 rows (a byte per row and column); layers with larger batches take Xᵀ·B by rows")
    func groupingLimit() throws {
        let count = ColumnGrouping.maximumRows, columns = 3
        // Row r has a single entry, 1 in column r % 3.
        var dense = [Float](repeating: 0, count: count * columns)
        for row in 0..<count { dense[row * columns + row % columns] = 1 }
        let sparse = try #require(CompressedRows(dense: dense, rows: count, columns: columns))
        let batch = SparseBatch()
        (0..<count).map { Int32($0) }.withUnsafeBufferPointer { batch.gather($0, from: sparse) }
        let grouping = ColumnGrouping()
        let grouped = grouping.group(batch.rows)
        for column in 0..<columns {
            var named: [Int] = []
            grouped.forEachEntry(inColumn: column) { row, _ in named.append(row) }
            #expect(named == Array(stride(from: column, to: count, by: columns)))
        }
        withExtendedLifetime(grouping) {}
        #expect(SparseTransposedKernel(n: 64, batch: count) == .byColumns)
        #expect(SparseTransposedKernel(n: 64, batch: count + 1) == .byRows)
        #expect(SparseTransposedKernel(n: 63, batch: 64) == .byRows)
    }

    @Test("A gathered batch holds the chosen rows in order, and a range view reads rows in place")
    func gatheredRowsAndRangeViews() throws {
        let dense = sparseMatrix(rows: 9, columns: 11, density: 0.3, seed: 7)
        let sparse = try #require(CompressedRows(dense: dense, rows: 9, columns: 11))
        func densified(_ rows: SparseRows) -> [Float] {
            var result = [Float](repeating: 0, count: rows.count * rows.columns)
            for row in 0..<rows.count {
                for entry in rows.entries(row) {
                    #expect(rows.columnRange.contains(rows.column(entry)))
                    result[row * rows.columns + rows.column(entry)] = rows.value(entry)
                }
            }
            return result
        }
        let batch = SparseBatch()
        let cut = CompressedRows(sparse, partitionBounds: [0, 2, 5, 5, 11])
        for chosen in [[Int32](arrayLiteral: 4, 0, 8, 4), [2], [8, 7, 6, 5, 4, 3, 2, 1, 0, 1]] {
            chosen.withUnsafeBufferPointer { batch.gather($0, from: sparse) }
            let expected = gather(dense, columns: 11, rows: chosen)
            #expect(densified(batch.rows) == expected)
            // A run of consecutive partitions of a cut set: each partition's segments, or the whole
            // run's, its columns only.
            func inColumns(_ partitions: Range<Int>) -> [Float] {
                let columns = cut.partitionBounds[partitions.lowerBound]..<cut.partitionBounds[partitions.upperBound]
                return expected.indices.map { columns.contains($0 % 11) ? expected[$0] : 0 }
            }
            for run in [0..<4, 1..<3, 2..<3, 3..<4] {
                chosen.withUnsafeBufferPointer { batch.gather($0, from: cut, partitions: run) }
                #expect(densified(batch.rows) == inColumns(run), "run \(run)")
                for partition in run {
                    #expect(densified(batch.rows(partition: partition)) == inColumns(partition..<partition + 1),
                            "partition \(partition) of run \(run)")
                }
                if run.count > 1 {
                    #expect(densified(batch.rows(partitions: run.dropFirst())) == inColumns(run.dropFirst()))
                }
            }
        }
        sparse.withRows(3..<7) { #expect(densified($0) == Array(dense[33..<77])) }
    }

    @Test("A[rows]·B and A[rows]ᵀ·B match the reference GEMM on the gathered rows",
          arguments: [(1, 1, 1), (5, 784, 64), (64, 784, 64), (64, 784, 128), (33, 50, 10), (17, 31, 1), (9, 20, 81),
                     (100, 300, 130), (20, 40, 255)],
          [1, 2, 3])
    func matchesReference(_ shape: (Int, Int, Int), threads: Int) throws {
        let (count, k, n) = shape
        let total = count * 2 + 3
        let denseA = sparseMatrix(rows: total, columns: k, density: 0.2, seed: 3)
        let sparse = try #require(CompressedRows(dense: denseA, rows: total, columns: k))
        // A shuffled selection with a repeat, as a minibatch of example indices.
        let rows = (0..<count).map { Int32(($0 * 7 + 2) % total) }
        let gathered = gather(denseA, columns: k, rows: rows)
        var values = TestValues(seed: 11)
        let ldb = n + 3, ldc = n + 2
        let weights = values.array(k * ldb)          // [k, n], stride ldb
        let upstream = values.array(count * ldb)     // [count, n], stride ldb

        let batch = SparseBatch()
        rows.withUnsafeBufferPointer { batch.gather($0, from: sparse) }

        var product = [Float](repeating: .nan, count: count * ldc)
        sparseTimesDense(c: &product, ldc: ldc, a: batch.rows, b: weights, ldb: ldb, n: n, threads: threads)
        var expected = [Float](repeating: 0, count: count * ldc)
        referenceGEMM(c: &expected, ldc: ldc, a: gathered, lda: k, .none, b: weights, ldb: ldb, .none,
                      m: count, n: n, k: k)
        for i in 0..<count {
            for j in 0..<n {
                #expect(abs(product[i * ldc + j] - expected[i * ldc + j]) <= tolerance(k), "forward (\(i), \(j))")
            }
        }

        let grouping = ColumnGrouping()   // owns the storage `columns` views
        let columns = grouping.group(batch.rows)
        var expectedTransposed = [Float](repeating: 0, count: k * ldc)
        referenceGEMM(c: &expectedTransposed, ldc: ldc, a: gathered, lda: k, .transposed, b: upstream, ldb: ldb, .none,
                      m: k, n: n, k: count)
        // Overwriting, and accumulating as a plain SGD step does (C = alpha·Aᵀ·B + C); by rows and by columns.
        let start = values.array(k * ldc), alpha: Float = -0.375
        for byColumns in [false, true] {
            var transposed = [Float](repeating: .nan, count: k * ldc), stepped = start
            if byColumns {
                sparseTransposedTimesDense(c: &transposed, ldc: ldc, a: columns, b: upstream, ldb: ldb, n: n)
                sparseTransposedTimesDense(c: &stepped, ldc: ldc, a: columns, b: upstream, ldb: ldb, n: n,
                                           alpha: alpha, beta: 1)
            } else {
                sparseTransposedTimesDense(c: &transposed, ldc: ldc, a: batch.rows, b: upstream, ldb: ldb, n: n)
                sparseTransposedTimesDense(c: &stepped, ldc: ldc, a: batch.rows, b: upstream, ldb: ldb, n: n,
                                           alpha: alpha, beta: 1)
            }
            for p in 0..<k {
                for j in 0..<n {
                    let index = p * ldc + j
                    #expect(abs(transposed[index] - expectedTransposed[index]) <= tolerance(count),
                            "backward by \(byColumns ? "columns" : "rows") (\(p), \(j))")
                    #expect(abs(stepped[index] - (start[index] + alpha * expectedTransposed[index])) <= tolerance(count),
                            "accumulated by \(byColumns ? "columns" : "rows") (\(p), \(j))")
                }
            }
        }
        withExtendedLifetime(grouping) {}
    }

    @Test("Grouping a batch by column keeps every entry once, rows ascending within each column")
    func groupingByColumn() throws {
        let dense = sparseMatrix(rows: 30, columns: 17, density: 0.3, seed: 12)
        let sparse = try #require(CompressedRows(dense: dense, rows: 30, columns: 17))
        let rows: [Int32] = [4, 29, 0, 4, 13, 7, 22, 1]
        let range = 3..<14
        let batch = SparseBatch()
        rows.withUnsafeBufferPointer { batch.gather($0, from: CompressedRows(sparse, columns: range)) }
        let grouping = ColumnGrouping()
        grouping.group(batch.rows)
        let columns = grouping.columns
        #expect(columns.rows == rows.count && columns.columnRange == range)
        var seen = 0
        for column in range {
            var entries: [(row: Int, value: Float)] = []
            columns.forEachEntry(inColumn: column) { entries.append(($0, $1)) }
            seen += entries.count
            #expect(zip(entries.dropFirst(), entries).allSatisfy { $0.row > $1.row })
            for entry in entries {
                #expect(entry.value == dense[Int(rows[entry.row]) * 17 + column])
            }
            let expected = rows.filter { dense[Int($0) * 17 + column] != 0 }.count
            #expect(entries.count == expected, "column \(column)")
        }
        #expect(seen == batch.rows.rowStarts[rows.count])
    }

    @Test("Xᵀ·B by columns sums each column's entries in row order in two chains, even and odd entries, for batches of any number of 64-row words")
    func groupedSumOrder() throws {
        let n = 64
        for count in [1, 63, 64, 65, 129, 200] {
            let dense = sparseMatrix(rows: count, columns: 40, density: 0.4, seed: UInt64(count))
            let sparse = try #require(CompressedRows(dense: dense, rows: count, columns: 40))
            let batch = SparseBatch()
            (0..<count).map { Int32($0) }.withUnsafeBufferPointer { batch.gather($0, from: sparse) }
            var values = TestValues(seed: 9)
            let b = values.array(count * n)
            var product = [Float](repeating: .nan, count: 40 * n)
            let grouping = ColumnGrouping()
            sparseTransposedTimesDense(c: &product, ldc: n, a: grouping.group(batch.rows), b: b, ldb: n, n: n)
            withExtendedLifetime(grouping) {}
            for column in 0..<40 {
                let rows = (0..<count).filter { dense[$0 * 40 + column] != 0 }
                for lane in 0..<n {
                    var even: Float = 0, odd: Float = 0
                    for (k, row) in rows.enumerated() {
                        if k % 2 == 0 {
                            even.addProduct(dense[row * 40 + column], b[row * n + lane])
                        } else {
                            odd.addProduct(dense[row * 40 + column], b[row * n + lane])
                        }
                    }
                    #expect(product[column * n + lane] == even + odd, "\(count) rows, column \(column), lane \(lane)")
                }
            }
        }
    }

    /// The single neuron's products take a row's entries sixteen at a time (AVX-512 gathers, or
    /// lane by lane in the same order on other CPUs, so both give these bits).
    @Test("One column wide, A·B sums sixteen lanes by fused multiply-adds, then adds the lanes in halves; Aᵀ·B adds each rounded product in row order",
          arguments: [1, 3])
    func oneColumnOrder(ld: Int) throws {
        let widths = [0, 1, 15, 16, 17, 40, 150, 784]
        let dense = widths.enumerated().flatMap { row, count in
            (0..<784).map { column -> Float in column < count ? Float((row * 31 + column * 7) % 255 + 1) / 255 : 0 }
        }
        let sparse = try #require(CompressedRows(dense: dense, rows: widths.count, columns: 784))
        let batch = SparseBatch()
        (0..<widths.count).map { Int32($0) }.withUnsafeBufferPointer { batch.gather($0, from: sparse) }
        var values = TestValues(seed: 5)
        let b = values.array(784 * ld), upstream = values.array(widths.count * ld)
        var product = [Float](repeating: .nan, count: widths.count * ld)
        sparseTimesDense(c: &product, ldc: ld, a: batch.rows, b: b, ldb: ld, n: 1)
        let start = values.array(784 * ld), alpha: Float = -0.375
        var stepped = start
        sparseTransposedTimesDense(c: &stepped, ldc: ld, a: batch.rows, b: upstream, ldb: ld, n: 1,
                                   alpha: alpha, beta: 1)
        var expectedStep = start
        for (row, count) in widths.enumerated() {
            var lanes = [Float](repeating: 0, count: 16)
            for block in stride(from: 0, to: max(count, 1), by: 16) {
                for lane in 0..<16 {
                    let column = block + lane, present = column < count
                    lanes[lane].addProduct(present ? dense[row * 784 + column] : 0,
                                           present ? b[column * ld] : 0)
                }
            }
            for half in [8, 4, 2, 1] { for lane in 0..<half { lanes[lane] = lanes[lane] + lanes[lane + half] } }
            #expect(product[row * ld].bitPattern == lanes[0].bitPattern, "A·B, row of \(count) entries")
            let factor = alpha * upstream[row * ld]
            for column in 0..<count {
                let step = dense[row * 784 + column] * factor
                expectedStep[column * ld] = expectedStep[column * ld] + step
            }
        }
        #expect(zip(stepped, expectedStep).allSatisfy { $0.bitPattern == $1.bitPattern }, "Aᵀ·B by rows")
    }

    @Test("A·B is bit-identical for every thread count")
    func threadCountDoesNotChangeResults() throws {
        let denseA = sparseMatrix(rows: 300, columns: 784, density: 0.19, seed: 5)
        let sparse = try #require(CompressedRows(dense: denseA, rows: 300, columns: 784))
        let rows = (0..<256).map { Int32(($0 * 37) % 300) }
        let batch = SparseBatch()
        rows.withUnsafeBufferPointer { batch.gather($0, from: sparse) }
        var values = TestValues(seed: 2)
        let weights = values.array(784 * 128)
        func run(_ threads: Int) -> [Float] {
            var forward = [Float](repeating: 0, count: 256 * 128)
            sparseTimesDense(c: &forward, ldc: 128, a: batch.rows, b: weights, ldb: 128, n: 128, threads: threads)
            return forward
        }
        let one = run(1)
        for threads in 2...4 { #expect(run(threads) == one) }
    }
}

@Suite("Column slices of a sparse matrix")
struct SparseColumnSliceTests {
    @Test("Slices split each row's entries by column, and their products add up to the whole",
          arguments: [[0, 13], [0, 5, 13], [0, 0, 7, 13], [0, 4, 9, 13]])
    func slicesAddUp(bounds: [Int]) throws {
        let columns = 13, n = 20
        var values = TestValues(seed: 9)
        let dense = (0..<6 * columns).map { index -> Float in
            let value = values.next()
            return index % 3 == 0 ? 0 : value
        }
        let sparse = try #require(CompressedRows(dense: dense, rows: 6, columns: columns))
        let rows: [Int32] = [5, 2, 2, 0, 4]
        let whole = SparseBatch()
        rows.withUnsafeBufferPointer { whole.gather($0, from: sparse) }
        let b = values.array(columns * n), upstream = values.array(rows.count * n)
        var full = [Float](repeating: 0, count: rows.count * n), summed = full
        sparseTimesDense(c: &full, ldc: n, a: whole.rows, b: b, ldb: n, n: n)
        var transposed = [Float](repeating: .nan, count: columns * n), transposedByRows = transposed
        var entries = 0
        for slice in 0..<(bounds.count - 1) {
            let range = bounds[slice]..<bounds[slice + 1]
            let part = CompressedRows(sparse, columns: range)
            #expect(part.rows == sparse.rows && part.columns == columns && part.columnRange == range)
            #expect(part.columnIndices.allSatisfy { range.contains(Int($0)) })
            entries += part.nonZeros
            let batch = SparseBatch()
            rows.withUnsafeBufferPointer { batch.gather($0, from: part) }
            #expect(batch.rows.columnRange == range)
            var share = [Float](repeating: 0, count: rows.count * n)
            sparseTimesDense(c: &share, ldc: n, a: batch.rows, b: b, ldb: n, n: n)
            for index in summed.indices { summed[index] += share[index] }
            let grouping = ColumnGrouping()
            sparseTransposedTimesDense(c: &transposed, ldc: n, a: grouping.group(batch.rows), b: upstream, ldb: n, n: n)
            withExtendedLifetime(grouping) {}
            sparseTransposedTimesDense(c: &transposedByRows, ldc: n, a: batch.rows, b: upstream, ldb: n, n: n)
        }
        #expect(entries == sparse.nonZeros, "every entry in exactly one slice")
        for (a, e) in zip(summed, full) { #expect(abs(a - e) <= 1e-5) }
        var expectedTransposed = [Float](repeating: 0, count: columns * n)
        let grouping = ColumnGrouping()
        sparseTransposedTimesDense(c: &expectedTransposed, ldc: n, a: grouping.group(whole.rows), b: upstream,
                                   ldb: n, n: n)
        withExtendedLifetime(grouping) {}
        #expect(transposed == expectedTransposed, "each slice writes exactly its rows, with the whole product's sums")
        #expect(transposedByRows.allSatisfy { !$0.isNaN }, "by rows too, each slice writes its rows")
        for (a, e) in zip(transposedByRows, expectedTransposed) { #expect(abs(a - e) <= 1e-5) }
    }
}
