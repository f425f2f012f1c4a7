import Foundation
import Testing
import Distributed

/// More threads than cores on a node: one warning line from rank 0, none otherwise.
@Suite(.serialized)
struct OversubscriptionTests {
    static let cores = ProcessInfo.processInfo.activeProcessorCount
    /// The most threads --threads takes.
    static let maximumThreads = 256
    /// A model that runs on every thread it is given (the single neuron runs on one).
    static let run = ["--model", "hidden", "--epochs", "1", "--batch-size", "600"]

    @Test func ranksTimesThreadsBeyondTheCoresPrintOneWarningLine() throws {
        let threads = String(min(Self.cores, Self.maximumThreads))
        let result = try mpirun(ranks: 2, Self.run + ["--threads", threads])
        #expect(result.status == 0, "\(result.stderr)")
        let warnings = result.stderr.split(separator: "\n").filter { $0.contains("warning:") }
        #expect(warnings.count == 1, "\(result.stderr)")
        #expect(warnings.first?.hasPrefix("mpitrain: warning: 2 ranks × \(threads) thread") == true, "\(result.stderr)")
        #expect(warnings.first?.contains("share this node's \(Self.cores) core") == true, "\(result.stderr)")
    }

    @Test func threadsWithinTheCoresAndTheSingleProcessPrintNoWarning() throws {
        if Self.cores >= 2 {
            let fits = try mpirun(ranks: 2, Self.run + ["--threads", "1"])
            #expect(fits.status == 0, "\(fits.stderr)")
            #expect(!fits.stderr.contains("warning:"), "\(fits.stderr)")
        }
        let single = try mpitrain(Self.run + ["--threads", String(min(2 * Self.cores, Self.maximumThreads))])
        #expect(single.status == 0, "\(single.stderr)")
        #expect(!single.stderr.contains("warning:"), "\(single.stderr)")
    }

    /// The single neuron runs on one thread whatever --threads asks: no warning, and the first line says so.
    @Test func theSingleNeuronRunsOnOneThreadAndSaysSo() throws {
        let asked = String(min(Self.cores + 1, Self.maximumThreads))
        let result = try mpirun(ranks: 2, ["--model", "single", "--epochs", "1", "--batch-size", "600", "--threads", asked])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("warning:"), "\(result.stderr)")
        #expect(result.stdout.contains("| 2 ranks × 1 thread (of \(asked) asked: a model this small runs faster on one)"),
                "\(result.stdout)")
    }

    @Test func theWarningSaysWhatToRunInstead() {
        let ranks = Oversubscription(ranksOnNode: 4, threads: 1, cores: 2).warning ?? ""
        #expect(ranks.contains("4 ranks × 1 thread share this node's 2 cores"))
        #expect(ranks.hasSuffix("use scripts/mpirun -np 2 … --threads 1, or one process: mpitrain … --threads 2"))
        let threads = Oversubscription(ranksOnNode: 2, threads: 2, cores: 2).warning ?? ""
        #expect(threads.hasSuffix("use --threads 1"))
        #expect(Oversubscription(ranksOnNode: 2, threads: 1, cores: 2).warning == nil)
        #expect(!(ranks + threads).contains("\n"))
    }
}
