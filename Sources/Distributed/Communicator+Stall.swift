import CMPI
import Foundation

/// A collective that waited longer than `Communicator.stallTimeout` for some ranks.
///
/// Thrown on one rank only, the lowest rank still waiting in the collective, so that one line
/// reports the stall; the other waiting ranks keep waiting until the job is aborted.
public struct CollectiveStalled: Error, CustomStringConvertible, Sendable {
    /// Ranks that neither arrived nor answered the watchdog: stopped, hung, or still computing.
    public let missingRanks: [Int]
    /// The stall timeout that was exceeded, in seconds.
    public let timeout: Double

    /// "rank 1" or "ranks 1, 3".
    public var ranks: String {
        (missingRanks.count == 1 ? "rank " : "ranks ") + missingRanks.map(String.init).joined(separator: ", ")
    }

    /// The timeout as the user wrote it: "2", "0.5".
    public var seconds: String {
        timeout == timeout.rounded() ? String(Int(timeout)) : String(timeout)
    }

    public var description: String {
        "\(ranks) did not reach the collective the others wait in for \(seconds) s (stall timeout)"
    }
}

// MARK: - Waiting with a watchdog

extension Communicator {
    /// Query from a rank whose collective timed out: "are you waiting too?" (payload: its collective number).
    private static let queryTag: Int32 = 1
    /// Answer from a waiting rank (payload: the query's number, echoed).
    private static let answerTag: Int32 = 2
    /// After this long in one collective a rank waits politely: it answers queries and sleeps between tests.
    private static let patience = 0.05
    /// How long a rank whose collective timed out waits for the answers to its query.
    private static let answerWindow = 1.0

    /// Starts a non-blocking collective (`start` fills in its `count` requests) and waits for it to complete.
    ///
    /// The wait tests the request in a loop: yielding the core between tests at first (a step's
    /// allreduce usually completes within microseconds), then, after `patience`, sleeping 1 ms and
    /// answering other ranks' watchdog queries. Past `stallTimeout` it asks every other rank whether
    /// it is waiting too; the ranks that do not answer are missing, and the lowest waiting rank
    /// throws `CollectiveStalled` naming them.
    func collective(_ call: String, file: String = #fileID, line: Int = #line, requests count: Int = 1,
                    _ start: (UnsafeMutablePointer<MPI_Request?>) -> Int32) throws {
        var requests = [MPI_Request?](repeating: cmpi_request_null(), count: count)
        try mpiCheck(call, file: file, line: line) { start(&requests) }
        collectivesStarted += 1
        var done: Int32 = 0
        let isDone = {
            try mpiCheck(call, file: file, line: line) { MPI_Testall(Int32(count), &requests, &done, cmpi_statuses_ignore()) }
            return done != 0
        }
        let begin = Self.monotonicSeconds()
        var deadline = begin + stallTimeout
        while try !isDone() {
            let now = Self.monotonicSeconds()
            guard now - begin > Self.patience else {
                sched_yield()
                continue
            }
            try answerQueries()
            if now >= deadline {
                if let stalled = try missingRanks(done: isDone) { throw stalled }
                deadline = Self.monotonicSeconds() + stallTimeout
            }
            usleep(1000)
        }
    }

    /// Asks every other rank whether it is waiting too and collects the answers for `answerWindow`.
    /// Returns the stall to report, or nil when the collective completed meanwhile, when every rank
    /// answered (nobody is missing), or when a lower rank is waiting too (it reports).
    private func missingRanks(done: () throws -> Bool) throws -> CollectiveStalled? {
        guard let channel = watchdogChannel else { return nil }
        var number = collectivesStarted
        for other in 0..<size where other != rank {
            try mpiCheck("MPI_Send") { MPI_Send(&number, 1, cmpi_int64(), Int32(other), Self.queryTag, channel) }
        }
        var answered: Set<Int> = [rank]
        let until = Self.monotonicSeconds() + Self.answerWindow
        while answered.count < size, Self.monotonicSeconds() < until {
            if try done() { return nil }
            try answerQueries()
            var arrived: Int32 = 0
            var status = MPI_Status()
            try mpiCheck("MPI_Iprobe") { MPI_Iprobe(MPI_ANY_SOURCE, Self.answerTag, channel, &arrived, &status) }
            guard arrived != 0 else {
                usleep(1000)
                continue
            }
            var echoed: Int64 = 0
            try mpiCheck("MPI_Recv") {
                MPI_Recv(&echoed, 1, cmpi_int64(), status.MPI_SOURCE, Self.answerTag, channel, cmpi_status_ignore())
            }
            if echoed == number { answered.insert(Int(status.MPI_SOURCE)) }  // older answers are stale
        }
        let missing = (0..<size).filter { !answered.contains($0) }
        guard !missing.isEmpty, answered.min() == rank, try !done() else { return nil }
        return CollectiveStalled(missingRanks: missing, timeout: stallTimeout)
    }

    /// Answers every pending watchdog query: this rank is alive and waiting in a collective.
    private func answerQueries() throws {
        guard let channel = watchdogChannel else { return }
        while true {
            var pending: Int32 = 0
            var status = MPI_Status()
            try mpiCheck("MPI_Iprobe") { MPI_Iprobe(MPI_ANY_SOURCE, Self.queryTag, channel, &pending, &status) }
            guard pending != 0 else { return }
            var number: Int64 = 0
            try mpiCheck("MPI_Recv") {
                MPI_Recv(&number, 1, cmpi_int64(), status.MPI_SOURCE, Self.queryTag, channel, cmpi_status_ignore())
            }
            try mpiCheck("MPI_Send") { MPI_Send(&number, 1, cmpi_int64(), status.MPI_SOURCE, Self.answerTag, channel) }
        }
    }

    private static func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
