import Testing
import Parallel

@Suite("Exact fixed-point sums")
struct FixedPointTests {
    /// The reference: each addend rounded to the nearest multiple of 2⁻³⁶ (ties to even), in Int64.
    private func integer(_ x: Float) -> Int64 {
        Int64((Double(x) * 0x1p36).rounded(.toNearestOrEven))
    }

    /// Addends of every magnitude up to the limit, with runs of zeros, exact ties and a tail.
    private func addends(_ rows: Int, _ count: Int, seed: UInt64) -> [Float] {
        var values = TestValues(seed: seed)
        return (0..<rows * count).map { index in
            let x = values.next()
            switch index % 11 {
            case 0, 1, 2, 3, 4, 5, 6, 7: return index % 97 < 16 ? 0 : x * Float(1 << (index % 15))
            case 8: return x * 1e-9
            case 9: return Float(index % 5) * 0x1p-37   // halfway between multiples of 2⁻³⁶
            default: return x * 32000
            }
        }
    }

    @Test("accumulate equals the Int64 sum of the rounded addends, on any number of threads",
          arguments: [1, 2, 5, 8], [1, 2, 3])
    func accumulateMatchesReference(addends rows: Int, threads: Int) {
        let count = 70_001, stride = 70_016
        let rowsOfValues = addends(rows, count, seed: UInt64(rows))
        var values = [Float](repeating: 0, count: rows * stride)
        for row in 0..<rows { for i in 0..<count { values[row * stride + i] = rowsOfValues[row * count + i] } }
        let start = (0..<count).map { Int64($0) << 20 }
        var expected = start
        for row in 0..<rows { for i in 0..<count { expected[i] += integer(values[row * stride + i]) } }
        var sums = start, replaced = start, floats = [Float](repeating: .nan, count: count)
        #expect(FixedPoint.accumulate(values, addends: rows, stride: stride, into: &sums, count: count, threads: threads))
        #expect(sums == expected)
        #expect(FixedPoint.accumulate(values, addends: rows, stride: stride, into: &replaced, count: count,
                                      replacing: true, threads: threads))
        #expect(zip(replaced, zip(expected, start)).allSatisfy { $0 == $1.0 - $1.1 }, "replacing starts from zero")
        #expect(FixedPoint.sum(values, addends: rows, stride: stride, into: &floats, count: count, threads: threads))
        var unpacked = [Float](repeating: .nan, count: count)
        FixedPoint.unpack(replaced, into: &unpacked, count: count, threads: threads)
        #expect(floats.map(\.bitPattern) == unpacked.map(\.bitPattern), "sum = accumulate, then unpack")
        #expect(unpacked.indices.allSatisfy { unpacked[$0] == Float(Double(replaced[$0]) * 0x1p-36) })
    }

    @Test func theOrderOfAddendsDoesNotChangeTheBits() {
        let count = 1_003
        let values = addends(6, count, seed: 3)
        func total(_ order: [Int]) -> [Int64] {
            var sums = [Int64](repeating: 0, count: count)
            for row in order {
                let inRange = values.withUnsafeBufferPointer {
                    FixedPoint.accumulate($0.baseAddress! + row * count, addends: 1, stride: count, into: &sums,
                                          count: count, threads: 1)
                }
                #expect(inRange)
            }
            return sums
        }
        #expect(total([0, 1, 2, 3, 4, 5]) == total([5, 3, 1, 0, 4, 2]))
        // Floats would not: the same addends summed in float in two orders.
        let forward = (0..<count).map { i in (0..<6).reduce(Float(0)) { $0 + values[$1 * count + i] } }
        let backward = (0..<count).map { i in (0..<6).reversed().reduce(Float(0)) { $0 + values[$1 * count + i] } }
        #expect(forward != backward, "the test's addends must be ones whose float sum depends on the order")
    }

    @Test("an addend at the limit, infinite or NaN is reported",
          arguments: [Float(32768), -32768, .infinity, -.infinity, .nan, 1e30])
    func outOfRangeIsReported(bad: Float) {
        for position in [0, 13, 1_000, 1_006] {   // in a block of eight, and in the tail
            var values = [Float](repeating: 0.5, count: 1_007)
            values[position] = bad
            var sums = [Int64](repeating: 0, count: values.count), floats = [Float](repeating: 0, count: values.count)
            #expect(!FixedPoint.accumulate(values, addends: 1, stride: values.count, into: &sums, count: values.count,
                                           threads: 2), "\(bad) at \(position)")
            #expect(!FixedPoint.sum(values, addends: 1, stride: values.count, into: &floats, count: values.count,
                                    threads: 1), "\(bad) at \(position)")
        }
        var justInside = [Float](repeating: 32767.998, count: 9), sums = [Int64](repeating: 0, count: 9)
        #expect(FixedPoint.accumulate(&justInside, addends: 1, stride: 9, into: &sums, count: 9, threads: 1))
    }

    @Test func sumsBeyondTwoToThe51UnpackExactly() {
        let sums: [Int64] = [1 << 52, -(1 << 55) + 3, 1 << 62, 5, -7, 1 << 51, -(1 << 51), 123_456_789_012_345]
        var floats = [Float](repeating: .nan, count: sums.count)
        FixedPoint.unpack(sums, into: &floats, count: sums.count, threads: 1)
        #expect(floats == sums.map { Float(Double($0) * 0x1p-36) })
    }
}
