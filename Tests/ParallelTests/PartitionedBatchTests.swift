import Testing
import TestSupport
import Parallel

@Suite("Column-partitioned batches")
struct PartitionedBatchTests {
    /// 40 8-bit images of 50 pixels, about 70 % zeros, with a few columns far denser than the
    /// rest: their bytes, the values the network reads (byte / 255), and their non-zeros.
    private func examples() throws -> (bytes: [UInt8], values: [Float], sparse: CompressedRows) {
        var values = TestValues(seed: 12)
        let bytes = (0..<40 * 50).map { index -> UInt8 in
            let value = values.next()
            return index % 50 < 5 || abs(value) > 0.7 ? UInt8(abs(value) * 255) : 0
        }
        let sparse = try #require(bytes.withUnsafeBufferPointer { CompressedRows(bytes: $0.baseAddress!, rows: 40, columns: 50) })
        return (bytes, bytes.map { Float($0) / 255 }, sparse)
    }

    @Test("An 8-bit set's non-zeros are the bytes / 255, as read from the values")
    func compressedBytesMatchCompressedValues() throws {
        let (_, values, sparse) = try examples()
        let fromValues = try #require(CompressedRows(dense: values, rows: 40, columns: 50))
        #expect(sparse.rowStarts == fromValues.rowStarts && sparse.columnIndices == fromValues.columnIndices)
        #expect((0..<sparse.nonZeros).allSatisfy { sparse.value($0) == fromValues.value($0) })
    }

    @Test("Partitions compressed straight from the bytes equal the cut of the whole matrix", arguments: [1, 2, 3, 4])
    func partitionsFromBytesEqualTheCutMatrix(count: Int) throws {
        let (bytes, _, sparse) = try examples()
        let cut = ColumnPartitionedRows(sparse, partitions: count)
        let direct = try #require(bytes.withUnsafeBufferPointer { pixels in
            ColumnPartitionedRows(bytes: pixels.baseAddress!, rows: 40, columns: 50,
                                  perColumn: ColumnPartitionedRows.nonZeros(perColumnOf: pixels.baseAddress!, rows: 40, columns: 50),
                                  partitions: count)
        })
        #expect(direct.bounds == cut.bounds)
        let (a, b) = (direct.matrix, cut.matrix)
        #expect(a.rowStarts == b.rowStarts && a.columnIndices == b.columnIndices && a.valueIndices == b.valueIndices)
        #expect(a.columnRange == b.columnRange && a.distinctValues == b.distinctValues)
    }

    @Test("Partitions keep every entry once, each row's in order, in column ranges holding nearly equal shares",
          arguments: [1, 2, 3, 4])
    func partitionsCoverTheMatrix(count: Int) throws {
        let (_, _, sparse) = try examples()
        let set = ColumnPartitionedRows(sparse, partitions: count), matrix = set.matrix
        #expect(set.bounds.first == 0 && set.bounds.last == 50 && set.bounds == set.bounds.sorted())
        #expect(matrix.columnIndices == sparse.columnIndices && matrix.valueIndices == sparse.valueIndices)
        #expect(matrix.rowStarts.count == 40 * count + 1)
        for row in 0..<40 {
            #expect(matrix.rowStarts[row * count] == sparse.rowStarts[row], "row \(row) starts where it did")
        }
        for index in 0..<count {
            let range = set.bounds[index]..<set.bounds[index + 1]
            let segments = (0..<40).map { matrix.rowStarts[$0 * count + index]..<matrix.rowStarts[$0 * count + index + 1] }
            #expect(segments.allSatisfy { $0.allSatisfy { range.contains(Int(matrix.columnIndices[$0])) } })
            let entries = segments.map(\.count).reduce(0, +)
            #expect(entries <= sparse.nonZeros / count + 40, "share of partition \(index)")
        }
    }

    /// The batch's rows of the examples: seven rows, one twice.
    private static let rows: [Int32] = [7, 0, 39, 12, 12, 5, 33, 18, 2, 27, 21]

    @Test("Sparse: X·B and Xᵀ·B equal the reference GEMM on the gathered rows, for every partition count and width, each member's run of partitions gathered by one or more threads",
          arguments: [1, 2, 3], [1, 10, 64, 130])
    func sparseProductsMatchTheReference(partitions: Int, n: Int) throws {
        let (_, dense, sparse) = try examples()
        for threads in 1...3 {
            let batch = PartitionedSparseBatch(partitions: partitions, threads: threads)
            Self.rows.withUnsafeBufferPointer { batch.gather($0, from: ColumnPartitionedRows(sparse, partitions: partitions)) }
            #expect(batch.columns == 50)
            checkProducts(of: batch, examples: dense, n: n, seed: 5)
        }
    }

    @Test("Dense: X·B and Xᵀ·B equal the reference GEMM on the gathered rows, for every partition count and width",
          arguments: [1, 2, 3], [1, 10, 64, 130])
    func denseProductsMatchTheReference(partitions: Int, n: Int) throws {
        let (bytes, dense, _) = try examples()
        let batch = PartitionedDenseBatch(columns: 50, partitions: partitions)
        #expect(batch.bounds.first == 0 && batch.bounds.last == 50 && batch.bounds.count == partitions + 1)
        #expect(batch.bounds.dropLast().allSatisfy { $0 % 16 == 0 }, "partitions start on cache lines")
        Self.rows.withUnsafeBufferPointer { rows in bytes.withUnsafeBufferPointer { batch.gather(rows, from: $0.baseAddress!) } }
        checkProducts(of: batch, examples: dense, n: n, seed: 6)
    }

    /// `batch`'s X·B and Xᵀ·B against the reference GEMM on the rows `rows` of `examples` [·, 50].
    private func checkProducts(of batch: any PartitionedBatch, examples: [Float], n: Int, seed: UInt64) {
        #expect(batch.count == Self.rows.count)
        let gathered = Self.rows.flatMap { examples[Int($0) * 50..<(Int($0) + 1) * 50] }
        var values = TestValues(seed: seed)
        let b = values.array(50 * n), upstream = values.array(Self.rows.count * n)

        var product = [Float](repeating: .nan, count: Self.rows.count * n), expected = product
        let kernels = ProductKernels(inputs: 50, outputs: n, batch: batch.count)
        batch.times(into: &product, ldc: n, b: b, ldb: n, n: n, kernels: kernels, rowsFinishedLater: false)
        referenceGEMM(c: &expected, ldc: n, a: gathered, lda: 50, .none, b: b, ldb: n, .none,
                      m: Self.rows.count, n: n, k: 50)
        for (a, e) in zip(product, expected) { #expect(abs(a - e) <= 1e-5 * max(1, abs(e))) }
        // The partial products added up later, row range by row range: the same bits.
        var finishedLater = [Float](repeating: .nan, count: product.count)
        batch.times(into: &finishedLater, ldc: n, b: b, ldb: n, n: n, kernels: kernels, rowsFinishedLater: true)
        let half = Self.rows.count / 2
        batch.finishRows(half..<Self.rows.count)
        batch.finishRows(0..<half)
        #expect(finishedLater == product, "rows finished later")

        var transposed = [Float](repeating: .nan, count: 50 * n), expectedTransposed = transposed
        batch.transposedTimes(into: &transposed, ldc: n, b: upstream, ldb: n, n: n, kernels: kernels)
        referenceGEMM(c: &expectedTransposed, ldc: n, a: gathered, lda: 50, .transposed, b: upstream, ldb: n, .none,
                      m: 50, n: n, k: Self.rows.count)
        for (a, e) in zip(transposed, expectedTransposed) { #expect(abs(a - e) <= 1e-5 * max(1, abs(e))) }
    }
}
