import Testing
import Synchronization
import Parallel
import Foundation

@Suite("Worker pool")
struct WorkerPoolTests {
    /// Counts how often each part ran and on which thread.
    final class Log: @unchecked Sendable {
        let runs: UnsafeMutablePointer<Atomic<Int>>
        let count: Int

        init(parts: Int) {
            count = parts
            runs = .allocate(capacity: parts)
            for part in 0..<parts { (runs + part).initialize(to: Atomic(0)) }
        }

        deinit { runs.deallocate() }

        func record(_ part: Int) { runs[part].wrappingAdd(1, ordering: .relaxed) }
        var counts: [Int] { (0..<count).map { runs[$0].load(ordering: .relaxed) } }
    }

    @Test("Every part runs exactly once, for any number of parts and threads, call after call",
          arguments: [1, 2, 3, 4, 7, 33, 300])
    func everyPartOnce(threads: Int) {
        for parts in [0, 1, 2, 5, 8, 64, 257] {
            for _ in 0..<20 {
                let log = Log(parts: parts)
                WorkerPool.shared.run(parts: parts, threads: threads) { log.record($0) }
                #expect(log.counts.allSatisfy { $0 == 1 }, "\(parts) parts on \(threads) threads")
            }
        }
    }

    @Test("A call waits for every part, and parts see the caller's writes")
    func callsAreOrdered() {
        let values = UnsafeMutablePointer<Int>.allocate(capacity: 64)
        defer { values.deallocate() }
        values.initialize(repeating: 0, count: 64)
        for round in 1...500 {
            WorkerPool.shared.run(parts: 64, threads: 2) { part in
                #expect(values[part] == round - 1)
                values[part] = round
            }
        }
        #expect((0..<64).allSatisfy { values[$0] == 500 })
    }

    @Test("A call from inside a part runs on that thread, and completes")
    func nestedCalls() {
        let log = Log(parts: 16)
        WorkerPool.shared.run(parts: 4, threads: 2) { outer in
            WorkerPool.shared.run(parts: 4, threads: 2) { inner in log.record(outer * 4 + inner) }
        }
        #expect(log.counts.allSatisfy { $0 == 1 })
    }

    @Test("Workers that have parked wake for the next call")
    func wakesParkedWorkers() throws {
        for _ in 0..<5 {
            let log = Log(parts: 8)
            WorkerPool.shared.run(parts: 8, threads: 4) { log.record($0) }
            #expect(log.counts.allSatisfy { $0 == 1 })
            usleep(5_000)   // far longer than a worker spins
        }
    }
}
