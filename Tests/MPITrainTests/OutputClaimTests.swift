import Foundation
import Testing

/// A run never silently replaces another run's output: a checkpoint folder or metrics file in use
/// by a running job is refused (naming its PID and host), an existing metrics file needs
/// `--overwrite`, and a resumed run does not overwrite the later checkpoints of its folder.
@Suite(.serialized)
struct OutputClaimTests {
    @Test(arguments: [1, 2])
    func aSecondRunOnTheSameOutputsIsRefusedWhileTheFirstRuns(ranks: Int) throws {
        let folder = try temporaryFolder("claims")
        defer { try? FileManager.default.removeItem(at: folder) }
        let metrics = folder.appendingPathComponent("metrics.jsonl"), checkpoints = folder.appendingPathComponent("ck")
        let first = try startTraining(ranks: ranks, ["--model", "single", "--epochs", "400", "--metrics", metrics.path,
                                                     "--checkpoint", checkpoints.path])
        #expect(first.waitFor(timeout: 60) { FileManager.default.fileExists(atPath: metrics.path) })
        let holders = ranks == 1 ? [first.pid] : mpitrainProcesses(marked: metrics.path)
        try #require(holders.count == ranks, "ranks: \(holders)")
        var host = [UInt8](repeating: 0, count: 256)
        gethostname(&host, 255)
        let hostName = String(decoding: host.prefix { $0 != 0 }, as: UTF8.self)
        let holderNames = holders.map { "PID \($0) on host \(hostName)" }

        for (option, path, noun) in [("--metrics", metrics.path, "file"), ("--checkpoint", checkpoints.path, "folder")] {
            let other = option == "--metrics" ? ["--checkpoint", folder.appendingPathComponent("other").path]
                                              : ["--metrics", folder.appendingPathComponent("other.jsonl").path]
            let second = try train(ranks: ranks, ["--model", "single", "--epochs", "1", option, path] + other, timeout: 60)
            #expect(!second.timedOut)
            #expect(second.status == 1)
            let lines = errorLines(second)
            #expect(lines.count == 1, "\(second.stderr)")
            // Rank 0 alone holds the locks, so under mpirun the agreed failure names it.
            let line = (lines.first ?? "").replacingOccurrences(of: "error: rank 0: ", with: "error: ")
            #expect(line.hasPrefix("mpitrain: error: \(option) \(path) is in use by another mpitrain run (PID "), "\(line)")
            #expect(holderNames.contains { line.contains("(\($0))") }, "\(line) names none of \(holderNames)")
            #expect(line.hasSuffix("; wait for it to end, or choose another \(option) \(noun)"), "\(line)")
            #expect(!second.stdout.contains("epoch 1/"))
        }
        #expect(first.isRunning, "the refused runs disturbed the first")
        kill(first.pid, ranks == 1 ? SIGINT : SIGTERM)
        let result = first.finish(timeout: 30)
        #expect(result.status == 130, "\(result.stderr)")
        #expect(try readMetrics(metrics).count >= 1)
        #expect(!FileManager.default.fileExists(atPath: checkpoints.appendingPathComponent(".mpitrain.lock").path), "lock file left")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(".metrics.jsonl.lock").path), "lock file left")
    }

    @Test func aNewRunDoesNotReplaceAnExistingMetricsFileWithoutOverwrite() throws {
        let folder = try temporaryFolder("metrics-exists")
        defer { try? FileManager.default.removeItem(at: folder) }
        let metrics = folder.appendingPathComponent("metrics.jsonl")
        let first = try mpitrain(["--model", "single", "--epochs", "1", "--seed", "2", "--metrics", metrics.path], timeout: 60)
        #expect(first.status == 0, "\(first.stderr)")
        let kept = try Data(contentsOf: metrics)
        let second = try mpitrain(["--model", "single", "--epochs", "1", "--metrics", metrics.path], timeout: 60)
        #expect(second.status == 1)
        #expect(errorLines(second) == ["mpitrain: error: --metrics \(metrics.path) already exists (1 epoch of an earlier run); pass --overwrite to replace it, or choose another --metrics file (a --resume run continues its own file)"],
                "\(second.stderr)")
        #expect(try Data(contentsOf: metrics) == kept)
        let replaced = try mpitrain(["--model", "single", "--epochs", "1", "--metrics", metrics.path, "--overwrite"], timeout: 60)
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(try readMetrics(metrics).map(\.seed) == [1])
    }

    @Test(arguments: [1, 2])
    func aResumedRunDoesNotOverwriteItsFoldersLaterCheckpoints(ranks: Int) throws {
        let folder = try temporaryFolder("later-checkpoints")
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = ["--model", "single", "--epochs", "3", "--checkpoint", folder.path]
        let first = try train(ranks: ranks, settings, timeout: 60)
        #expect(first.status == 0, "\(first.stderr)")
        let later = try ["epoch-2.safetensors", "epoch-3.safetensors"].map { try Data(contentsOf: folder.appendingPathComponent($0)) }
        let resume = ["--resume", folder.appendingPathComponent("epoch-1.safetensors").path]
        let refused = try train(ranks: ranks, settings + resume, timeout: 60)
        #expect(refused.status == 1)
        #expect(errorLines(refused).map { $0.replacingOccurrences(of: "error: rank 0: ", with: "error: ") } == ["mpitrain: error: --checkpoint \(folder.path) already holds checkpoints after the one this run resumes from (epoch-2.safetensors, epoch-3.safetensors); move them away or choose another --checkpoint folder (--overwrite replaces them as the run reaches them)"],
                "\(refused.stderr)")
        #expect(try ["epoch-2.safetensors", "epoch-3.safetensors"].map { try Data(contentsOf: folder.appendingPathComponent($0)) } == later)
        let fresh = try train(ranks: ranks, settings, timeout: 60)
        #expect(fresh.status == 1)
        #expect(errorLines(fresh).first?.contains("already holds checkpoints of an earlier run (epoch-1.safetensors, epoch-2.safetensors, epoch-3.safetensors)") == true,
                "\(fresh.stderr)")
        let overwritten = try train(ranks: ranks, settings + resume + ["--overwrite"], timeout: 60)
        #expect(overwritten.status == 0, "\(overwritten.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
                == ["epoch-1.safetensors", "epoch-2.safetensors", "epoch-3.safetensors"])
    }

    @Test func aResumedRunRefusesAnotherRunsMetricsFile() throws {
        let folder = try temporaryFolder("resume-other-metrics")
        defer { try? FileManager.default.removeItem(at: folder) }
        let metrics = folder.appendingPathComponent("other.jsonl")
        let trained = try mpitrain(["--model", "single", "--epochs", "1", "--checkpoint", folder.path], timeout: 60)
        #expect(trained.status == 0, "\(trained.stderr)")
        let other = try mpitrain(["--model", "single", "--epochs", "1", "--seed", "9", "--metrics", metrics.path], timeout: 60)
        #expect(other.status == 0, "\(other.stderr)")
        let resumed = try mpitrain(["--model", "single", "--epochs", "2", "--metrics", metrics.path,
                                    "--resume", folder.appendingPathComponent("epoch-1.safetensors").path], timeout: 60)
        #expect(resumed.status == 1)
        #expect(errorLines(resumed) == ["mpitrain: error: --metrics \(metrics.path) holds another run (single model, seed 9, batch size 64) than the one this run resumes; pass --overwrite to replace it, or choose another --metrics file"],
                "\(resumed.stderr)")
    }
}
