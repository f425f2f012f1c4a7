import Foundation

/// More worker threads on a node than it has cores: the ranks take turns on the cores, and every
/// step's allreduce waits until each of them has been scheduled again (docs/scaling.md).
struct Oversubscription {
    /// Ranks of the job on this node.
    let ranksOnNode: Int
    /// Worker threads per rank.
    let threads: Int
    /// The node's cores.
    let cores: Int

    /// The one-line warning rank 0 prints, or nil when the threads fit the cores.
    var warning: String? {
        guard ranksOnNode * threads > cores else { return nil }
        let suggestion = ranksOnNode > cores
            ? "scripts/mpirun -np \(cores) … --threads 1, or one process: mpitrain … --threads \(cores)"
            : "--threads \(max(1, cores / ranksOnNode))"
        return "warning: \(count(ranksOnNode, "rank")) × \(count(threads, "thread")) share this node's \(count(cores, "core")), "
            + "so every step waits for ranks to be scheduled again (2–3× the time per epoch of one process, measured); "
            + "use \(suggestion)"
    }

    private func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}
