import Foundation

/// More worker threads on a node than it has cores: the ranks take turns on the cores, and every
/// step's allreduce waits until each of them has been scheduled again (docs/scaling.md).
public struct Oversubscription: Sendable {
    /// Ranks of the job on this node.
    public let ranksOnNode: Int
    /// Worker threads per rank.
    public let threads: Int
    /// The node's cores.
    public let cores: Int

    public init(ranksOnNode: Int, threads: Int, cores: Int) {
        self.ranksOnNode = ranksOnNode
        self.threads = threads
        self.cores = cores
    }

    /// The one-line warning rank 0 prints, or nil when the threads fit the cores.
    public var warning: String? {
        guard ranksOnNode * threads > cores else { return nil }
        let suggestion = ranksOnNode > cores
            ? "scripts/mpirun -np \(cores) … --threads 1, or one process: mpitrain … --threads \(cores)"
            : "--threads \(max(1, cores / ranksOnNode))"
        return "warning: \(count(ranksOnNode, "rank")) × \(count(threads, "thread")) share this node's \(count(cores, "core")), "
            + "so every step waits for ranks to be scheduled again (2–4× the time per epoch of one process, measured); "
            + "use \(suggestion)"
    }

    private func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}
