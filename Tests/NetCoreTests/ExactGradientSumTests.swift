import Testing
@testable import NetCore

/// The exact gradient sum on its own: passes grouped into slots and folded in any grouping give
/// the same bits, statistics are summed, and a gradient out of the fixed-point range is reported.
@Suite struct ExactGradientSumTests {
    let parameters = 1_000

    /// Runs `passes` passes whose buffers hold `fill(pass, i)`, through a sum made for parts of
    /// `largestPart` examples, and returns the buffer after the (one-rank) allreduce and its range flag.
    private func summed(passes: Int, largestPart: Int, stop: Bool = false,
                        fill: (Int, Int) -> Float) throws -> ([Float], Bool) {
        let sum = ExactGradientSum(parameterCount: parameters, largestPart: largestPart)
        sum.reset()
        for pass in 0..<passes {
            let buffer = sum.nextBuffer(threads: 2)
            for i in 0..<parameters { buffer[i] = fill(pass, i) }
            buffer[parameters] = Float(pass) + 0.25       // loss
            buffer[parameters + 1] = Float(pass % 3)      // correct
        }
        var result = [Float](repeating: .nan, count: parameters + Network.statisticsSlots)
        let inRange = try result.withUnsafeMutableBufferPointer {
            try sum.allreduce(into: $0, stop: stop, over: SingleProcess(), threads: 2).inRange
        }
        return (result, inRange)
    }

    @Test func theGroupingOfPassesDoesNotChangeTheBits() throws {
        let value = { (pass: Int, i: Int) in Float(i % 7 - 3) * 0.1 + Float(pass) * 1e-3 }
        // 12 passes: all in slots at once (largest part 12 chunks > 8 slots: folded as 8 + 4),
        // or one slot (folded pass by pass).
        let (grouped, groupedInRange) = try summed(passes: 12, largestPart: 12 * ExactGradientSum.chunk, fill: value)
        let (oneByOne, oneInRange) = try summed(passes: 12, largestPart: 1, fill: value)
        #expect(groupedInRange && oneInRange)
        #expect(grouped.map(\.bitPattern) == oneByOne.map(\.bitPattern))
        #expect(grouped[parameters] == Float((0..<12).map { Double($0) + 0.25 }.reduce(0, +)))
        #expect(grouped[parameters + 1] == Float((0..<12).map { $0 % 3 }.reduce(0, +)))
        #expect(grouped[parameters + 2] == 0)
    }

    @Test func aStopRequestAndAnEmptyPartAreSummed() throws {
        let (result, inRange) = try summed(passes: 0, largestPart: 64, stop: true) { _, _ in 1 }
        #expect(inRange)
        #expect(result[..<parameters].allSatisfy { $0 == 0 } && result[parameters] == 0 && result[parameters + 2] == 1)
    }

    @Test func aGradientBeyondTheRangeIsReported() throws {
        let (_, inRange) = try summed(passes: 3, largestPart: 64) { pass, i in pass == 2 && i == 999 ? 40_000 : 0.5 }
        #expect(!inRange)
        let (lossResult, _) = try summed(passes: 2, largestPart: 64) { _, _ in .nan }
        #expect(lossResult[parameters].isFinite, "a NaN gradient leaves the loss alone; the range flag reports it")
    }
}
