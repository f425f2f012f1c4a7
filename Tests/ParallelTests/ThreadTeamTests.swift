import Testing
import Synchronization
import Parallel

@Suite("Thread team")
struct ThreadTeamTests {
    /// Numbers the start and end of every item from one counter, so the order can be checked.
    final class Log: @unchecked Sendable {
        let clock = Atomic<Int>(0)
        let runs: UnsafeMutablePointer<(start: Int, end: Int, count: Int)>
        let width: Int

        init(phases: Int, width: Int) {
            self.width = width
            runs = .allocate(capacity: phases * width)
            runs.initialize(repeating: (0, 0, 0), count: phases * width)
        }

        deinit { runs.deallocate() }

        func record(phase: Int, item: Int) {
            let start = clock.wrappingAdd(1, ordering: .sequentiallyConsistent).oldValue
            var spin = 0
            for value in 0..<(item * 50) { spin &+= value }    // uneven items
            let end = clock.wrappingAdd(1 + spin & 0, ordering: .sequentiallyConsistent).oldValue
            runs[phase * width + item].start = start
            runs[phase * width + item].end = end
            runs[phase * width + item].count += 1
        }
    }

    @Test("Every item runs once, and each phase after the one before it has finished", arguments: [1, 2, 3, 4])
    func phasesRunInOrderAndItemsOnce(threads: Int) throws {
        let itemCounts = [threads, 1, 3, threads, 0, 5]
        try ThreadTeam.run(threads: threads) { team in
            for _ in 0..<200 {
                let log = Log(phases: itemCounts.count, width: 5)
                team.runPhases(itemCounts) { phase, item in log.record(phase: phase, item: item) }
                var lastEnd = -1
                for (phase, count) in itemCounts.enumerated() where count > 0 {
                    let runs = (0..<count).map { log.runs[phase * 5 + $0] }
                    #expect(runs.allSatisfy { $0.count == 1 }, "phase \(phase): \(runs)")
                    #expect(runs.map(\.start).min()! > lastEnd, "phase \(phase) started before the one before it ended")
                    lastEnd = runs.map(\.end).max()!
                }
            }
        }
    }

    @Test("The leader's result and error come back")
    func resultAndErrorReturn() throws {
        struct Failure: Error {}
        #expect(try ThreadTeam.run(threads: 2) { _ in 42 } == 42)
        #expect(throws: Failure.self) { try ThreadTeam.run(threads: 2) { _ in throw Failure() } }
    }
}
