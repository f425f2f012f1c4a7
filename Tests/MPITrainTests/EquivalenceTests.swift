import Foundation
import NetCore
import Testing

/// The proof that the job is data-parallel and not N separate trainings: with the same seed and
/// global batch, 1, 2, 3 and 4 ranks follow the same per-epoch losses and accuracies, up to the
/// order of float summation in the allreduce.
@Suite(.serialized)
struct EquivalenceTests {
    static let models = ["single", "hidden", "multiclass"]

    @Test(arguments: models)
    func ranksOneToFourFollowTheSameCurve(model: String) throws {
        let folder = try temporaryFolder("equivalence")
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["--model", model, "--epochs", "2", "--batch-size", "100", "--seed", "7", "--threads", "1"]

        let singleFile = folder.appendingPathComponent("single-process.jsonl")
        let single = try mpitrain(arguments + ["--metrics", singleFile.path], timeout: 120)
        #expect(single.status == 0, "\(single.stderr)")
        let reference = try readMetrics(singleFile)
        #expect(reference.count == 2)

        for ranks in 1...4 {
            let file = folder.appendingPathComponent("np\(ranks).jsonl")
            let result = try mpirun(ranks: ranks, arguments + ["--metrics", file.path, "--check-sync"], timeout: 180)
            #expect(result.status == 0, "-np \(ranks): \(result.stderr)")
            let epochs = try readMetrics(file)
            #expect(epochs.count == reference.count, "-np \(ranks) wrote \(epochs.count) epochs")
            for (epoch, expected) in zip(epochs, reference) {
                #expect(epoch.ranks == ranks)
                #expect(relativeDifference(epoch.trainLoss, expected.trainLoss) <= 1e-4,
                        "-np \(ranks) epoch \(epoch.epoch): train loss \(epoch.trainLoss) vs \(expected.trainLoss)")
                #expect(relativeDifference(epoch.testLoss, expected.testLoss) <= 1e-4,
                        "-np \(ranks) epoch \(epoch.epoch): test loss \(epoch.testLoss) vs \(expected.testLoss)")
                #expect(abs(epoch.testAccuracy - expected.testAccuracy) <= 0.0005,
                        "-np \(ranks) epoch \(epoch.epoch): accuracy \(epoch.testAccuracy) vs \(expected.testAccuracy)")
                #expect(abs(epoch.trainAccuracy - expected.trainAccuracy) <= 0.0005)
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
