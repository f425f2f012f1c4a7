import Dispatch
import Foundation
import Distributed

/// Ctrl-C (SIGINT), SIGTERM and SIGUSR1 as a request to stop at the next step boundary.
///
/// Under `scripts/mpirun`, Ctrl-C reaches the wrapper, which asks mpirun to forward SIGUSR1 to
/// every rank. Under an MPI launcher SIGTERM keeps its default action: it is how mpirun ends the
/// other ranks after one failed (and it would SIGKILL them a second later anyway). A second
/// signal ends the process at once with status 128 + signal.
final class StopRequest: @unchecked Sendable {
    private static var signals: [Int32] {
        Communicator.launchedByMPI ? [SIGINT, SIGUSR1] : [SIGINT, SIGTERM, SIGUSR1]
    }
    private let lock = NSLock()
    private var requested = false
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "mpitrain.signals")

    /// Starts listening; `announce` runs (on a background queue) when the first signal arrives.
    init(announce: @escaping @Sendable () -> Void) {
        for number in Self.signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [unowned self] in
                // Signals are handled one at a time on `queue`: announce first, then let the trainer see it.
                guard !isRequested else { _exit(128 + number) }
                announce()
                lock.withLock { requested = true }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Whether a stop was requested on this rank.
    var isRequested: Bool { lock.withLock { requested } }
}
