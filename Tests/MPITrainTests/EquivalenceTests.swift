import Foundation
import NetCore
import Testing

/// The proof that the job is data-parallel and not N separate trainings: with the same seed and
/// global batch, 1, 2, 3 and 4 ranks follow the same per-epoch losses and accuracies, up to the
/// order of float summation in the allreduce; and one process gives the very same bits on 1, 2,
/// 3 or 4 threads (threads change who computes a partition or share, never how they are added).
/// With `--reproducible` the ranks give the very same bits too: `ReproducibleTests`.
@Suite(.serialized)
struct EquivalenceTests {
    /// The lab's three models, a deep one (three hidden layers with mixed activations), and a
    /// regularised one: AdamW, dropout on both hidden layers and the input, and elastic distortions, whose
    /// masks and distortions follow the examples, not the ranks or threads.
    static let models = ["single", "hidden", "multiclass", "deep", "regularised"]

    @Test(arguments: models)
    func ranksAndThreadsFollowTheSameCurve(model: String) throws {
        let folder = try temporaryFolder("equivalence")
        defer { try? FileManager.default.removeItem(at: folder) }
        // lr 0.1 for every model: at multiclass's default 0.5, two epochs grow the runs' rounding
        // differences to 5e-3 of the test loss (measured, -np 3), too near a wrong sum to tell.
        let network = switch model {
        case "deep": ["--model", "multiclass", "--hidden", "64,32,16", "--activation", "relu,tanh,sigmoid", "--lr", "0.1"]
        case "regularised": ["--model", "multiclass", "--hidden", "64,32", "--optimizer", "adamw", "--lr", "0.002",
                             "--dropout", "0.5,0.2", "--input-dropout", "0.2", "--augment", "elastic"]
        default: ["--model", model, "--lr", "0.1"]
        }
        let arguments = network + ["--epochs", "2", "--batch-size", "100", "--seed", "7", "--threads", "1"]

        let singleFile = folder.appendingPathComponent("single-process.jsonl")
        let single = try mpitrain(arguments + ["--metrics", singleFile.path], timeout: 120)
        #expect(single.status == 0, "\(single.stderr)")
        let reference = try readMetrics(singleFile)
        #expect(reference.count == 2)

        // (ranks, threads per rank); 0 ranks: a single process without mpirun.
        for (ranks, threads) in [(1, 1), (2, 1), (3, 1), (4, 1), (0, 2), (0, 3), (0, 4), (2, 2)] {
            let file = folder.appendingPathComponent("np\(ranks)x\(threads).jsonl")
            let options = arguments.dropLast(2) + ["--threads", String(threads), "--metrics", file.path]
            let result = ranks == 0 ? try mpitrain(Array(options), timeout: 120)
                : try mpirun(ranks: ranks, options + ["--check-sync"], timeout: 180)
            let name = "-np \(ranks) × \(threads) threads"
            #expect(result.status == 0, "\(name): \(result.stderr)")
            let epochs = try readMetrics(file)
            // One process: the same bits whatever the threads; ranks: the allreduce's order.
            let lossTolerance = ranks == 0 ? 0 : 1e-4
            #expect(epochs.count == reference.count, "\(name) wrote \(epochs.count) epochs")
            for (epoch, expected) in zip(epochs, reference) {
                #expect(epoch.ranks == max(ranks, 1))
                #expect(relativeDifference(epoch.trainLoss, expected.trainLoss) <= lossTolerance,
                        "\(name) epoch \(epoch.epoch): train loss \(epoch.trainLoss) vs \(expected.trainLoss)")
                #expect(relativeDifference(epoch.testLoss, expected.testLoss) <= lossTolerance,
                        "\(name) epoch \(epoch.epoch): test loss \(epoch.testLoss) vs \(expected.testLoss)")
                #expect(abs(epoch.testAccuracy - expected.testAccuracy) <= (ranks == 0 ? 0 : 0.0005),
                        "\(name) epoch \(epoch.epoch): accuracy \(epoch.testAccuracy) vs \(expected.testAccuracy)")
                #expect(abs(epoch.trainAccuracy - expected.trainAccuracy) <= (ranks == 0 ? 0 : 0.0005))
            }
            // Only rank 0 speaks: one header, one line per epoch, no duplicates from other ranks.
            #expect(result.stdoutLines.filter { $0.hasPrefix("epoch ") }.count == 2, "\(result.stdout)")
            #expect(result.stdoutLines.filter { $0.hasPrefix("mpitrain: ") }.count == 1)
        }
    }

    @Test func aSecondRunWithTheSameSeedIsBitIdentical() throws {
        let folder = try temporaryFolder("equivalence")
        defer { try? FileManager.default.removeItem(at: folder) }
        func losses(seed: Int, _ name: String) throws -> [[Double]] {
            let file = folder.appendingPathComponent(name)
            let result = try mpitrain(["--model", "hidden", "--epochs", "2", "--seed", String(seed), "--threads", "2",
                                       "--metrics", file.path])
            #expect(result.status == 0, "\(result.stderr)")
            return try readMetrics(file).map { [$0.trainLoss, $0.testLoss, $0.trainAccuracy, $0.testAccuracy] }
        }
        let first = try losses(seed: 3, "first.jsonl")
        #expect(first.count == 2)
        #expect(try losses(seed: 3, "second.jsonl") == first, "same seed and threads must give bit-identical numbers")
        #expect(try losses(seed: 4, "other.jsonl") != first, "a different seed must give a different run")
    }

    private func relativeDifference(_ a: Double, _ b: Double) -> Double {
        abs(a - b) / max(abs(b), 1e-12)
    }
}
