import Testing
import Synchronization
import Parallel
import Foundation

@Suite("Thread team")
struct TeamTests {
    /// Counts how often each part ran.
    final class Log: @unchecked Sendable {
        let runs: UnsafeMutablePointer<Atomic<Int>>
        let count: Int

        init(parts: Int) {
            count = parts
            runs = .allocate(capacity: max(1, parts))
            for part in 0..<max(1, parts) { (runs + part).initialize(to: Atomic(0)) }
        }

        deinit { runs.deallocate() }

        func record(_ part: Int) { runs[part].wrappingAdd(1, ordering: .relaxed) }
        var counts: [Int] { (0..<count).map { runs[$0].load(ordering: .relaxed) } }
        /// Whether every part ran exactly once since the last reset; resets the counts.
        func eachOnceThenReset(parts: Int) -> Bool {
            var once = true
            for part in 0..<parts { once = runs[part].exchange(0, ordering: .relaxed) == 1 && once }
            return once
        }
    }

    @Test("Every part runs exactly once, outside and inside a region, for any number of parts and threads",
          arguments: [1, 2, 3, 4, 7, 33, 300])
    func everyPartOnce(threads: Int) {
        for parts in [0, 1, 2, 5, 8, 64, 257] {
            for _ in 0..<10 {
                let log = Log(parts: parts)
                Team.shared.run(parts: parts, threads: threads) { log.record($0) }
                #expect(log.counts.allSatisfy { $0 == 1 }, "\(parts) parts on \(threads) threads")
            }
            Team.shared.region(threads: threads) {
                for _ in 0..<10 {
                    let log = Log(parts: parts)
                    Team.shared.run(parts: parts, threads: threads) { log.record($0) }
                    #expect(log.counts.allSatisfy { $0 == 1 }, "\(parts) parts on \(threads) threads in a region")
                }
            }
        }
    }

    @Test("A call waits for every part, and parts see the leader's writes")
    func callsAreOrdered() {
        let values = UnsafeMutablePointer<Int>.allocate(capacity: 64)
        defer { values.deallocate() }
        values.initialize(repeating: 0, count: 64)
        Team.shared.region(threads: 2) {
            for round in 1...500 {
                Team.shared.run(parts: 64, threads: 2) { part in
                    #expect(values[part] == round - 1)
                    values[part] = round
                }
            }
        }
        #expect((0..<64).allSatisfy { values[$0] == 500 })
    }

    @Test("A call from inside a part runs on that thread, and completes")
    func nestedCalls() {
        let log = Log(parts: 16)
        Team.shared.region(threads: 2) {
            Team.shared.run(parts: 4, threads: 2) { outer in
                Team.shared.run(parts: 4, threads: 2) { inner in log.record(outer * 4 + inner) }
            }
        }
        #expect(log.counts.allSatisfy { $0 == 1 })
    }

    @Test("Followers that have parked wake for the next call; a region opened inside one adds no threads")
    func wakesParkedFollowers() {
        Team.shared.region(threads: 4) {
            for _ in 0..<5 {
                let log = Log(parts: 8)
                Team.shared.region(threads: 3) { Team.shared.run(parts: 8, threads: 4) { log.record($0) } }
                #expect(log.counts.allSatisfy { $0 == 1 })
                usleep(5_000)   // far longer than a follower spins
            }
        }
    }

    @Test("Regions opened by several threads at once: one leads, the others run their parts themselves")
    func concurrentRegions() async {
        await withTaskGroup(of: Bool.self) { group in
            for caller in 0..<4 {
                group.addTask {
                    let log = Log(parts: 37)
                    var once = true
                    Team.shared.region(threads: 2 + caller % 2) {
                        for _ in 0..<2_000 {
                            Team.shared.run(parts: 37, threads: 3) { log.record($0) }
                            once = log.eachOnceThenReset(parts: 37) && once
                        }
                    }
                    return once
                }
            }
            for await once in group { #expect(once) }
        }
    }

    /// A million calls that alternate the number of parts and members (fewer parts than
    /// members, as many, many more) in regions of 2 to 8 threads, with parts that yield the core
    /// or sleep now and then, so members are preempted between any two of their steps. The first
    /// region alternates only (8 parts, 8 threads) and (256 parts, 2 threads) half a million
    /// times: a copy of the WorkerPool this team replaced, whose workers could build a job from
    /// two calls' fields, ran parts twice or crashed on a stale closure in 5 of 6 runs of 250,000
    /// such calls on a quiet 2-core machine.
    @Test("Stress: a million calls of changing widths with injected preemption; every part runs exactly once")
    func stress() {
        let pair = [(parts: 8, threads: 8), (parts: 256, threads: 2)]
        let mixed = pair + [(parts: 1, threads: 2), (parts: 3, threads: 5), (parts: 64, threads: 3), (parts: 2, threads: 2)]
        let log = Log(parts: 256)
        var calls = 0, failures = 0
        for (regionThreads, widths, count) in [(8, pair, 500_000), (2, mixed, 166_667), (3, mixed, 166_667), (8, mixed, 166_666)] {
            Team.shared.region(threads: regionThreads) {
                for call in 0..<count {
                    let (parts, threads) = widths[call % widths.count]
                    let preempt = call % 7
                    Team.shared.run(parts: parts, threads: threads) { part in
                        log.record(part)
                        if part == preempt { sched_yield() }
                        if call % 10_007 == 0, part == 0 { usleep(200) }
                    }
                    if !log.eachOnceThenReset(parts: parts) { failures += 1 }
                    calls += 1
                }
            }
        }
        #expect(calls == 1_000_000)
        #expect(failures == 0, "\(failures) of \(calls) calls ran a part other than once")
    }
}
