import Foundation
import NetCore
import Distributed

/// A failure every rank knows about, already worded for the user: rank 0 prints it once.
struct JobFailure: Error, CustomStringConvertible {
    let description: String
}

/// A collective stalled and this rank reports it (worded for the user); the other ranks are still
/// waiting, so this rank prints it and aborts the job.
struct JobStalled: Error, CustomStringConvertible {
    let description: String
}

/// The run stopped on request and said so; every rank exits with `status` (130, as after Ctrl-C).
struct JobStopped: Error {
    var status: Int32 = 130
}

extension Communicator {
    /// Runs the body of a command on every rank and ends the job the right way when it throws.
    ///
    /// - `JobStopped`: every rank finalises MPI and exits with its status (the message was printed).
    /// - An error every rank knows about (agreed in a collective, or found in all-reduced numbers)
    ///   is printed once, by rank 0, and every rank finalises MPI and exits with status 1.
    /// - Any other error happened on this rank alone: it prints it, naming its rank, and aborts the
    ///   whole job, so no other rank is left waiting in a collective.
    /// - A stall (`JobStalled`, or `CollectiveStalled` outside training): only the reporting rank
    ///   throws it; it prints it without a rank prefix and aborts the job.
    func runJob(_ body: () throws -> Void) -> Never {
        do {
            try body()
            finalize()
            exit(0)
        } catch let stopped as JobStopped {
            finalize()
            exit(stopped.status)
        } catch let error where error is JobStalled || error is CollectiveStalled {
            printError(error is JobStalled ? "\(error)" : "\(error): ending the job")
            abort(code: 1)
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
        error is AgreedFailure || error is JobFailure || error is TrainingError || size == 1
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
            throw JobFailure(description: Int(failed[0]) == size ? failure.message : failure.description)
        }
    }
}
