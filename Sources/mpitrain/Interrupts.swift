import Dispatch
import Foundation
import Distributed

/// Ctrl-C (SIGINT), SIGTERM and SIGUSR1 as a request to stop at the next step boundary.
///
/// Under `scripts/mpirun`, Ctrl-C reaches the wrapper, which asks mpirun to forward SIGUSR1 to
/// every rank. Under an MPI launcher, SIGTERM from the rank's parent (mpirun or its daemon) keeps
/// its default action: it is how mpirun ends the ranks after one failed (and it would SIGKILL
/// them a second later anyway); SIGTERM from anyone else (a user's `kill`, a scheduler) counts
/// as SIGUSR1. A second signal ends the process at once with status 128 + signal.
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
        if Communicator.launchedByMPI { Self.stopOnTerminationFromOthers() }
    }

    /// SIGTERM from the parent process: the default action (the process ends); from anyone else:
    /// SIGUSR1 to this process, a request to stop. Both are async-signal-safe.
    private static func stopOnTerminationFromOthers() {
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = { _, info, _ in
            if let info, info.pointee._sifields._kill.si_pid != getppid() {
                kill(getpid(), SIGUSR1)
            } else {
                signal(SIGTERM, SIG_DFL)
                raise(SIGTERM)
            }
        }
        action.sa_flags = SA_SIGINFO
        sigaction(SIGTERM, &action, nil)
    }

    /// Whether a stop was requested on this rank.
    var isRequested: Bool { lock.withLock { requested } }
}
