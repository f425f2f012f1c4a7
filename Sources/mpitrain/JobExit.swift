import Foundation
import NetCore
import Parallel

extension Communicator {
    /// Runs the body of a command on every rank and ends the job the right way when it throws.
    ///
    /// - An error every rank knows about (agreed in a collective, or found in all-reduced numbers)
    ///   is printed once, by rank 0, and every rank finalises MPI and exits with status 1.
    /// - Any other error happened on this rank alone: it prints it, naming its rank, and aborts the
    ///   whole job, so no other rank is left waiting in a collective.
    func runJob(_ body: () throws -> Void) -> Never {
        do {
            try body()
            finalize()
            exit(0)
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
        error is AgreedFailure || error is TrainingError || size == 1
    }
}
