import Foundation
import NetCore
import Distributed

/// Why a command ends early, worded for the user in one line, and so how the job ends:
/// `Communicator.runJob` is the one place that turns it into an exit.
enum JobError: Error, CustomStringConvertible {
    /// This rank's input or output cannot be used (a bad value, a missing or busy file).
    case invalid(String)
    /// A failure every rank knows about (agreed in a collective, or seen in all-reduced numbers).
    case failed(String)
    /// A collective stalled and this rank reports it; the other ranks are still waiting. The job
    /// ends with `stalledStatus`.
    case stalled(String)
    /// The run stopped on request and has said so (how to resume): exit status 130, as after Ctrl-C.
    case stopped

    var description: String {
        switch self {
        case .invalid(let message), .failed(let message), .stalled(let message): message
        case .stopped: "stopped on request"
        }
    }
}

extension JobError {
    /// The exit status of a job ended by the stall watchdog: 75 (EX_TEMPFAIL, a failure that may
    /// pass when tried again), which tells `scripts/mpirun --max-restarts` to restart it.
    static let stalledStatus: Int32 = 75
}

extension Communicator {
    /// Runs the body of a command on every rank and ends the job the right way when it throws.
    ///
    /// - `JobError.stopped`: every rank finalises MPI and exits with status 130 (the message was printed).
    /// - An error every rank knows about (`JobError.failed`, an `AgreedFailure`, a `TrainingError`
    ///   found in all-reduced numbers, or any error of a one-rank job) is printed once, by rank 0,
    ///   and every rank finalises MPI and exits with status 1.
    /// - A stall (`JobError.stalled`, or `CollectiveStalled` outside training): only the reporting
    ///   rank throws it; it prints it and aborts the job, status 75 (`JobError.stalledStatus`).
    /// - Any other error happened on this rank alone: it prints it, naming its rank, and aborts the
    ///   whole job, so no other rank is left waiting in a collective.
    func runJob(_ body: () throws -> Void) -> Never {
        do {
            try body()
            finalize()
            exit(0)
        } catch JobError.stopped {
            finalize()
            exit(130)
        } catch JobError.stalled(let message) {
            printError(message)
            abort(code: JobError.stalledStatus)
        } catch let stalled as CollectiveStalled {
            printError("\(stalled): ending the job")
            abort(code: JobError.stalledStatus)
        } catch let error where isAgreed(error) {
            if isRoot { printError(String(describing: error)) }
            finalize()
            exit(1)
        } catch {
            printError(size > 1 ? "rank \(rank): \(error)" : String(describing: error))
            abort(code: 1)
        }
    }

    private func isAgreed(_ error: any Error) -> Bool {
        if case JobError.failed = error { return true }
        return error is AgreedFailure || error is TrainingError || size == 1
    }

    /// `agree`, worded for the user: the failure names the failing rank only when some ranks
    /// succeeded (a missing data folder on every rank is not "rank 0's" problem).
    /// `body` must not run collectives: a rank that throws early would leave the others waiting.
    func agreeing<T>(_ body: () throws -> T) throws -> T {
        var failedHere = false
        do {
            return try agree {
                do { return try body() } catch {
                    failedHere = true
                    throw error
                }
            }
        } catch let failure as AgreedFailure {
            var failed = [failedHere ? 1.0 : 0]
            try allreduceSum(&failed)
            throw JobError.failed(Int(failed[0]) == size ? failure.message : failure.description)
        }
    }
}
