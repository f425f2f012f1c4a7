import Foundation
import NetCore
import Testing

/// `--reproducible`: gradients summed exactly over fixed chunks, so 1–4 ranks × 1–3 threads give
/// the very same bits as one process: the same losses and accuracies in every epoch and the same
/// parameters (and momentum) in the last checkpoint, at the default learning rate 0.5, also after a
/// resume at another rank count; settings it cannot sum exactly are refused.
@Suite(.serialized)
struct ReproducibleTests {
    /// The default multiclass net and a deep one with mixed activations.
    static let networks = [
        ["--model", "multiclass"],
        ["--model", "multiclass", "--hidden", "64,32,16", "--activation", "relu,tanh,sigmoid"],
    ]

    /// What a run ends with: every epoch's numbers, and the last checkpoint's tensors.
    struct Outcome: Equatable {
        var epochs: [[Double]]
        var tensors: [String: SafeTensors.Tensor]
    }

    @Test(arguments: networks)
    func everyRankAndThreadCountGivesTheSameBits(network: [String]) throws {
        let folder = try temporaryFolder("reproducible")
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = network + ["--epochs", "3", "--seed", "1", "--reproducible", "--quiet"]
        let reference = try outcome(arguments + ["--threads", "1"], ranks: 0, in: folder, name: "single")
        #expect(reference.epochs.count == 3 && reference.tensors.count >= 4)
        // 0 ranks: one process without mpirun.
        for ranks in 0...4 {
            for threads in 1...3 where ranks > 0 || threads > 1 {
                let name = "np\(ranks)x\(threads)"
                let result = try outcome(arguments + ["--threads", String(threads)], ranks: ranks, in: folder, name: name)
                #expect(result.epochs == reference.epochs, "\(name): \(result.epochs) vs one process \(reference.epochs)")
                #expect(result.tensors == reference.tensors, "\(name): the parameters differ from one process's")
            }
        }
    }

    @Test func resumingAtAnotherRankCountGivesTheSameBits() throws {
        let folder = try temporaryFolder("reproducible-resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["--model", "multiclass", "--epochs", "3", "--seed", "1", "--reproducible", "--quiet", "--threads", "1"]
        let reference = try outcome(arguments, ranks: 0, in: folder, name: "single")
        // The same run on 2 ranks, continued from its second epoch's checkpoint on 3 ranks.
        let first = folder.appendingPathComponent("np2", isDirectory: true)
        let started = try mpirun(ranks: 2, arguments + ["--checkpoint", first.path], timeout: 180)
        #expect(started.status == 0, "\(started.stderr)")
        let resumed = try outcome(arguments + ["--resume", first.appendingPathComponent("epoch-2.safetensors").path],
                                  ranks: 3, in: folder, name: "np3-resumed")
        #expect(resumed.epochs.last == reference.epochs.last, "epoch 3 after resuming on 3 ranks")
        #expect(resumed.tensors == reference.tensors, "the parameters after resuming on 3 ranks differ")
    }

    @Test func settingsItCannotSumExactlyAreRefused() throws {
        let bfloat16 = try mpitrain(["--reproducible", "--allreduce-precision", "bf16", "--epochs", "1"])
        #expect(bfloat16.status != 0)
        #expect(bfloat16.stderr.contains("--reproducible") && bfloat16.stderr.contains("bf16"), "\(bfloat16.stderr)")
        let huge = try mpitrain(["--reproducible", "--batch-size", "200000", "--epochs", "1"])
        #expect(huge.status != 0)
        #expect(huge.stderr.contains("at most 131072 examples"), "\(huge.stderr)")
    }

    /// Trains with `arguments` on `ranks` ranks (0: one process without mpirun), writing the
    /// metrics and checkpoints under `folder/name`.
    private func outcome(_ arguments: [String], ranks: Int, in folder: URL, name: String) throws -> Outcome {
        let metrics = folder.appendingPathComponent("\(name).jsonl")
        let checkpoints = folder.appendingPathComponent(name, isDirectory: true)
        let options = arguments + ["--metrics", metrics.path, "--checkpoint", checkpoints.path]
        let result = ranks == 0 ? try mpitrain(options, timeout: 180) : try mpirun(ranks: ranks, options, timeout: 240)
        #expect(result.status == 0, "\(name): \(result.stderr)")
        let epochs = try readMetrics(metrics)
        #expect(epochs.allSatisfy { $0.summation == "exact" && $0.ranks == max(ranks, 1) })
        let last = try Checkpoint.read(from: checkpoints.appendingPathComponent("epoch-\(epochs.last?.epoch ?? 0).safetensors"))
        return Outcome(epochs: epochs.map { [$0.trainLoss, $0.trainAccuracy, $0.testLoss, $0.testAccuracy] },
                       tensors: last.tensors)
    }
}
