import Testing
import Parallel

@Suite("Element-wise helpers")
struct ColumnSumsTests {
    @Test("columnSums sums each column in row order, for every thread count",
          arguments: [(1, 1), (3, 10), (64, 64), (1024, 784), (2000, 10), (5, 3000)], [1, 2, 3, 4])
    func columnSumsMatchLoop(_ size: (Int, Int), threads: Int) {
        let (rows, columns) = size
        let ld = columns + 1
        var values = TestValues(seed: 9)
        let matrix = values.array(rows * ld), previous = values.array(columns)
        var expected = [Float](repeating: 0, count: columns), expectedAccumulated = previous
        for row in 0..<rows {
            for column in 0..<columns {
                expected[column] += matrix[row * ld + column]
                expectedAccumulated[column] += matrix[row * ld + column]
            }
        }
        var sums = [Float](repeating: .nan, count: columns)
        columnSums(&sums, matrix: matrix, ld: ld, rows: rows, columns: columns, accumulate: false, threads: threads)
        #expect(sums == expected)
        var accumulated = previous
        columnSums(&accumulated, matrix: matrix, ld: ld, rows: rows, columns: columns, accumulate: true, threads: threads)
        #expect(accumulated == expectedAccumulated)
    }

    @Test("parallelFor visits every index exactly once, in chunks of at least minimumChunk",
          arguments: [0, 1, 5, 100, 1001], [1, 2, 3, 4])
    func parallelForCoversRange(count: Int, threads: Int) {
        let visits = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
        defer { visits.deallocate() }
        visits.initialize(repeating: 0)
        let chunkSizes = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
        defer { chunkSizes.deallocate() }
        chunkSizes.initialize(repeating: 0)
        parallelFor(count: count, threads: threads, minimumChunk: 10) { range in
            for index in range { visits[index] += 1 }
            chunkSizes[range.lowerBound] = range.count
        }
        #expect(visits.prefix(count).allSatisfy { $0 == 1 })
        let chunks = chunkSizes.prefix(count).filter { $0 > 0 }
        #expect(chunks.count <= threads)
        #expect(count < 10 || chunks.allSatisfy { $0 >= 10 })
    }
}
