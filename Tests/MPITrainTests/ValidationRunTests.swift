import Foundation
import NetCore
import Testing

/// `--validation`, `--early-stop` and best.safetensors, through the release binary.
@Suite struct ValidationRunTests {
    @Test func theBestCheckpointIsTheEpochOfTheLowestValidationLoss() throws {
        let folder = try temporaryFolder("validation")
        defer { try? FileManager.default.removeItem(at: folder) }
        let metrics = folder.appendingPathComponent("m.jsonl"), checkpoints = folder.appendingPathComponent("ck")
        // lr 3 overshoots: the validation loss falls, then rises, and training stops 2 epochs after its best.
        let result = try mpitrain(["--model", "single", "--epochs", "10", "--lr", "3", "--threads", "1", "--validation", "5000",
                                   "--early-stop", "2", "--checkpoint", checkpoints.path, "--metrics", metrics.path])
        #expect(result.status == 0, "\(result.stderr)")
        let epochs = try readMetrics(metrics)
        let losses = epochs.compactMap(\.validationLoss)
        #expect(losses.count == epochs.count && epochs.allSatisfy { $0.validation == 5000 && $0.validationAccuracy != nil })
        let best = losses.indices.min { losses[$0] < losses[$1] }! + 1
        try #require(epochs.count < 10, "this run should stop early: \(losses)")
        #expect(epochs.count == best + 2, "stops 2 epochs after the best (\(best)): \(losses)")
        #expect(result.stdout.contains("early stop after epoch \(epochs.count): the validation loss has not improved for 2 epochs (best \(String(format: "%.4f", losses[best - 1])) in epoch \(best)"), "\(result.stdout)")
        #expect(result.stdout.contains("final: single after \(epochs.count) epochs"))
        let saved = try Checkpoint.read(from: checkpoints.appendingPathComponent("best.safetensors"))
        #expect(saved.position.epochsCompleted == best && saved.best == BestEpoch(epoch: best, loss: losses[best - 1]))
        #expect(saved.configuration.validation == 5000)
        // 55,000 images are trained on each epoch.
        #expect(epochs.allSatisfy { abs(($0.samplesPerSecond ?? 0) * $0.seconds - 55_000) < 1 })
    }

    @Test func everyRankHoldsOutTheSameImages() throws {
        let folder = try temporaryFolder("validation-ranks")
        defer { try? FileManager.default.removeItem(at: folder) }
        let options = ["--model", "hidden", "--epochs", "2", "--validation", "3000", "--threads", "1"]
        let one = folder.appendingPathComponent("np1.jsonl"), two = folder.appendingPathComponent("np2.jsonl")
        #expect(try mpitrain(options + ["--metrics", one.path]).status == 0)
        let result = try mpirun(ranks: 2, options + ["--metrics", two.path], timeout: 180)
        #expect(result.status == 0, "\(result.stderr)")
        for (a, b) in zip(try readMetrics(one), try readMetrics(two)) {
            let (x, y) = (try #require(a.validationLoss), try #require(b.validationLoss))
            #expect(abs(x - y) / y <= 1e-4, "epoch \(a.epoch): validation loss \(x) vs \(y)")
            #expect(abs(a.validationAccuracy! - b.validationAccuracy!) <= 1.0 / 3000 + 1e-12)
        }
    }

    @Test(arguments: [
        (["--early-stop", "3"], "--early-stop watches the validation loss: add --validation N (e.g. --validation 5000)"),
        (["--validation", "59990"], "--validation 59990 leaves 10 of the 60000 training images, fewer than one batch of 64; hold out at most 59936"),
        (["--validation", "-5"], "--validation -5 must be 0 (none) or a number of training images, e.g. 5000"),
    ])
    func badValidationOptionsAreOneLine(arguments: [String], message: String) throws {
        let result = try mpitrain(["--model", "single", "--epochs", "1"] + arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message) && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}
