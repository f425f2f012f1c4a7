import Foundation
import Testing

/// A failure on one rank ends every rank with a non-zero status, says which rank and why, and
/// leaves no process behind.
@Suite(.serialized)
struct FaultTests {
    /// `scripts/mpirun -np 1 mpitrain A : -np 1 mpitrain B`: each rank gets its own arguments.
    private func mpmd(_ rank0: [String], _ rank1: [String]) throws -> RunResult {
        let binary = Project.binary.path
        return try run(Project.mpirun, ["-np", "1", binary] + rank0 + [":", "-np", "1", binary] + rank1, timeout: 60)
    }

    @Test func badFileOnOneRankOnly() throws {
        let bad = try DataFolders.make("rank1", [DataFolders.names[1]: [0, 0, 8, 1]])
        let common = ["--model", "single", "--epochs", "1"]
        let result = try mpmd(common + ["--data", DataFolders.good.path], common + ["--data", bad.path])
        #expect(!result.timedOut)
        #expect(result.status == 1)
        let lines = errorLines(result)
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("mpitrain: error: rank 1: \(bad.path)/train-labels-idx1-ubyte: truncated") == true, "\(result.stderr)")
    }

    @Test func ranksStartedWithDifferentSettingsStopTogether() throws {
        let result = try mpmd(["--model", "single", "--epochs", "1"], ["--model", "single", "--epochs", "2"])
        #expect(!result.timedOut)
        #expect(result.status == 1)
        #expect(errorLines(result).count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("rank 1: this rank was started with other training settings than rank 0"), "\(result.stderr)")
    }

    /// Ranks given data sets of one shape, differing in one label or in size, refuse to start.
    @Test(arguments: ["one label", "fewer test images"])
    func ranksWithDifferentDataRefuseToStart(difference: String) throws {
        let other: URL
        if difference == "one label" {
            var labels = try DataFolders.bytes(DataFolders.names[1])
            labels[8] = (labels[8] + 1) % 10
            other = try DataFolders.make("other-label", [DataFolders.names[1]: labels])
        } else {
            let images = try DataFolders.bytes(DataFolders.names[2]), labels = try DataFolders.bytes(DataFolders.names[3])
            other = try DataFolders.make("fewer-test", [
                DataFolders.names[2]: DataFolders.idx(magic: 0x803, dimensions: [5000, 28, 28], elements: Array(images[16..<16 + 5000 * 784])),
                DataFolders.names[3]: DataFolders.idx(magic: 0x801, dimensions: [5000], elements: Array(labels[8..<8 + 5000])),
            ])
        }
        defer { try? FileManager.default.removeItem(at: other) }
        let common = ["--model", "single", "--epochs", "1"]
        let result = try mpmd(common + ["--data", DataFolders.good.path], common + ["--data", other.path])
        #expect(!result.timedOut)
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        let line = try #require(errorLines(result).first, "\(result.stderr)")
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count - 1)
        let host = String(cString: name)
        #expect(line.contains(/^mpitrain: error: the ranks read different data: rank 0 on host \S+ read \S+ \(CRC-32 [0-9A-F]{8}, 60000 training and 10000 test images\), rank 1 on host \S+ read \S+ \(CRC-32 [0-9A-F]{8}, 60000 training and \d+ test images\); give every rank the same data set/),
                "\(line)")
        #expect(line.contains("rank 1 on host \(host)") && line.contains(other.path), "\(line)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
    }

    @Test func killingOneRankEndsTheJob() throws {
        let folder = try temporaryFolder("kill")
        let metrics = folder.appendingPathComponent("metrics.jsonl")
        let job = try BackgroundJob(Project.mpirun, ["-np", "2", Project.binary.path, "--model", "single",
                                                     "--epochs", "400", "--metrics", metrics.path])
        let marker = metrics.path
        #expect(job.waitFor(timeout: 60) { FileManager.default.fileExists(atPath: metrics.path) })
        let ranks = mpitrainProcesses(marked: marker)
        try #require(ranks.count == 2, "ranks: \(ranks)")
        kill(ranks[1], SIGKILL)
        let result = job.finish(timeout: 30)
        #expect(!result.timedOut)
        #expect(result.status != 0)
        #expect(result.stderr.contains("scripts/mpirun: the job was ended because a process died from signal 9 (KILL)"), "\(result.stderr)")
        #expect(!result.stderr.contains("stopping after the current step"), "\(result.stderr)")
        #expect(job.waitFor(timeout: 10) { mpitrainProcesses(marked: marker).isEmpty }, "processes left: \(mpitrainProcesses(marked: marker))")
    }

    @Test func anErrorOnRankZeroAloneAbortsTheJob() throws {
        let folder = try temporaryFolder("abort")
        let output = folder.appendingPathComponent("out", isDirectory: true)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let metrics = output.appendingPathComponent("metrics.jsonl")
        let job = try BackgroundJob(Project.mpirun, ["-np", "2", Project.binary.path, "--model", "single",
                                                     "--epochs", "400", "--metrics", metrics.path])
        #expect(job.waitFor(timeout: 60) { FileManager.default.fileExists(atPath: metrics.path) })
        // The metrics folder becomes a file: rank 0's next write fails, on rank 0 only.
        try FileManager.default.removeItem(at: output)
        try Data("not a folder".utf8).write(to: output)
        let result = job.finish(timeout: 30)
        #expect(!result.timedOut)
        #expect(result.status == 1)
        let lines = errorLines(result)
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("mpitrain: error: rank 0: cannot write the metrics file \(metrics.path): ") == true, "\(result.stderr)")
        #expect(job.waitFor(timeout: 10) { mpitrainProcesses(marked: metrics.path).isEmpty })
    }

    @Test(arguments: [1, 2])
    func divergenceStopsAndKeepsTheLastGoodCheckpoint(ranks: Int) throws {
        let folder = try temporaryFolder("diverge")
        let good = try train(ranks: ranks, ["--model", "single", "--epochs", "1", "--checkpoint", folder.path], timeout: 60)
        #expect(good.status == 0, "\(good.stderr)")
        let checkpoint = folder.appendingPathComponent("epoch-1.safetensors")
        let before = try Data(contentsOf: checkpoint)
        let result = try train(ranks: ranks, ["--model", "single", "--epochs", "3", "--lr", "1e38", "--checkpoint", folder.path,
                                               "--resume", checkpoint.path], timeout: 60)
        #expect(result.status == 1)
        let lines = errorLines(result)
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(lines.first == "mpitrain: error: training diverged in epoch 2, step 2: the loss is NaN or infinite; try a smaller --lr than 1e+38; the last good checkpoint, \(checkpoint.path), is kept",
                "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["epoch-1.safetensors"])
        #expect(try Data(contentsOf: checkpoint) == before)
    }

    /// A learning rate far too large can keep the loss finite (binary cross-entropy from logits
    /// never overflows) while it grows by orders of magnitude: that is divergence too.
    @Test(arguments: [1, 2])
    func anExplodingLossStopsLikeANaN(ranks: Int) throws {
        let folder = try temporaryFolder("explode")
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try train(ranks: ranks, ["--model", "single", "--epochs", "3", "--lr", "1e30", "--checkpoint", folder.path],
                               timeout: 60)
        #expect(result.status == 1)
        let lines = errorLines(result)
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("mpitrain: error: training diverged in epoch 1, step 2: the loss grew to ") == true
                && lines.first?.hasSuffix("over 69 (a hundred times the loss of guessing); try a smaller --lr than 1e+30") == true,
                "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".safetensors") }.isEmpty)
        let large = try train(ranks: ranks, ["--model", "single", "--epochs", "1", "--lr", "3"], timeout: 60)
        #expect(large.status == 0, "a large learning rate that still learns is not divergence: \(large.stderr)")
    }
}
