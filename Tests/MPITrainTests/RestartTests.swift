import Foundation
import NetCore
import Testing

/// `scripts/mpirun --max-restarts N`: a job whose ranks die is started again from its newest
/// checkpoint, and because resume is bit-exact it ends exactly as a run nobody interrupted.
@Suite(.serialized)
struct RestartTests {
    /// The chaos test: a 20-epoch 2-rank run, a checkpoint every epoch, one of its ranks
    /// `kill -9`ed at three random moments (a random rank, a random time into a random epoch).
    /// The hidden-layer model's epochs (≈ 0.08 s) are long enough that a kill up to 0.1 s after an
    /// epoch's checkpoint meets a running job; the single neuron's (≈ 0.03 s) were not, always.
    @Test func aRunWhoseRanksAreKilledEndsAsAnUninterruptedOne() throws {
        let folder = try temporaryFolder("chaos")
        defer { try? FileManager.default.removeItem(at: folder) }
        let common = ["--model", "hidden", "--epochs", "20", "--seed", "7", "--quiet"]
        let plain = folder.appendingPathComponent("plain", isDirectory: true), chaos = folder.appendingPathComponent("chaos", isDirectory: true)
        let uninterrupted = try mpirun(ranks: 2, common + ["--checkpoint", plain.path, "--metrics", plain.path + ".jsonl"])
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")

        let marker = chaos.path + ".jsonl"
        let job = try BackgroundJob(Project.mpirun, ["--max-restarts", "5", "-np", "2", Project.binary.path]
                                                    + common + ["--checkpoint", chaos.path, "--metrics", marker])
        defer {  // only when an expectation failed is anything left
            mpitrainProcesses(marked: marker, anyProgram: true).forEach { kill($0, SIGKILL) }
            if job.isRunning { kill(job.pid, SIGKILL) }
        }
        // Three epochs at least three apart, so each kill meets the ranks of a new start.
        let first = Int.random(in: 2...6), second = first + Int.random(in: 3...6), third = second + Int.random(in: 3...6)
        var killed: [Int32] = []
        for epoch in [first, second, third] {
            let checkpoint = chaos.appendingPathComponent("epoch-\(epoch).safetensors").path
            var ranks: [Int32] = []
            #expect(job.waitFor(timeout: 60) {
                ranks = mpitrainProcesses(marked: marker).filter { !killed.contains($0) }
                return FileManager.default.fileExists(atPath: checkpoint) && ranks.count == 2 || !job.isRunning
            }, "epoch \(epoch) was not reached")
            Thread.sleep(forTimeInterval: Double.random(in: 0..<0.1))
            let victim = try #require(ranks.randomElement(), "no ranks at epoch \(epoch)")
            kill(victim, SIGKILL)
            killed += ranks
            // The rest of the old job ends before the next one is looked for.
            #expect(job.waitFor(timeout: 30) { mpitrainProcesses(marked: marker).allSatisfy { !ranks.contains($0) } })
        }
        let result = job.finish(timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        let restarts = result.stderr.split(separator: "\n").filter { $0.hasPrefix("scripts/mpirun: ") }
        #expect(restarts.count == 3, "\(result.stderr)")
        for (number, line) in restarts.enumerated() {
            #expect(line.hasPrefix("scripts/mpirun: a process died from signal 9 (KILL); restart \(number + 1) of 5, from \(chaos.path)/epoch-")
                    && line.hasSuffix(".safetensors"), "\(line)")
        }

        let expected = try readMetrics(URL(fileURLWithPath: plain.path + ".jsonl")), got = try readMetrics(URL(fileURLWithPath: marker))
        #expect(got.map(\.epoch) == Array(1...20))
        #expect(got.map { [$0.trainLoss, $0.testLoss, $0.trainAccuracy, $0.testAccuracy] }
                == expected.map { [$0.trainLoss, $0.testLoss, $0.trainAccuracy, $0.testAccuracy] })
        let plainEnd = try Checkpoint.read(from: plain.appendingPathComponent("epoch-20.safetensors"))
        let chaosEnd = try Checkpoint.read(from: chaos.appendingPathComponent("epoch-20.safetensors"))
        #expect(chaosEnd.tensors == plainEnd.tensors, "the restarted run's final parameters differ from the uninterrupted run's")
        print("chaos test: killed after epochs \(first), \(second), \(third); final parameters' checksum (FNV-1a 64) "
              + "uninterrupted \(checksum(plainEnd)), restarted \(checksum(chaosEnd))")
    }

    /// FNV-1a (64 bits) over every tensor's bytes, in name order, as 16 hex digits.
    private func checksum(_ checkpoint: Checkpoint) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for name in checkpoint.tensors.keys.sorted() {
            for byte in checkpoint.tensors[name]!.bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
        return String(hash, radix: 16)
    }

    /// A stopped rank is found by the stall watchdog (exit status 75) and the job is restarted
    /// from its newest checkpoint; it then completes.
    @Test func aStalledJobIsRestarted() throws {
        let folder = try temporaryFolder("stall-restart")
        defer { try? FileManager.default.removeItem(at: folder) }
        let marker = folder.path + ".jsonl"
        let job = try BackgroundJob(Project.mpirun, ["--max-restarts", "1", "-np", "2", Project.binary.path, "--model", "single",
                                                    "--epochs", "6", "--stall-timeout", "2", "--quiet",
                                                    "--checkpoint", folder.path, "--metrics", marker])
        defer {  // only when an expectation failed is anything left
            mpitrainProcesses(marked: marker, anyProgram: true).forEach { kill($0, SIGKILL) }
            if job.isRunning { kill(job.pid, SIGKILL) }
        }
        var ranks: [Int32] = []
        #expect(job.waitFor(timeout: 60) {
            ranks = mpitrainProcesses(marked: marker)
            return FileManager.default.fileExists(atPath: folder.appendingPathComponent("epoch-2.safetensors").path) || !job.isRunning
        })
        try #require(ranks.count == 2, "ranks: \(ranks)")
        kill(ranks[1], SIGSTOP)
        let result = job.finish(timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("mpitrain: error: ") || $0.hasPrefix("scripts/mpirun: ") }
        #expect(lines.count == 2 && lines[0].contains("(stall timeout): ending the job")
                && lines[1].hasPrefix("scripts/mpirun: a rank stalled; restart 1 of 1, from \(folder.path)/epoch-"), "\(result.stderr)")
        #expect(try readMetrics(URL(fileURLWithPath: marker)).map(\.epoch) == Array(1...6))
    }

    @Test func restartsNeedACheckpointFolder() throws {
        let result = try run(Project.mpirun, ["--max-restarts", "3", "-np", "2", Project.binary.path, "--model", "single"], timeout: 30)
        #expect(result.status == 2)
        #expect(result.stderr == "scripts/mpirun: --max-restarts restarts the job from its newest checkpoint: add mpitrain's --checkpoint DIR (a checkpoint every epoch by default)\n")
        let bad = try run(Project.mpirun, ["--max-restarts", "x", "-np", "2", Project.binary.path, "--checkpoint", "/tmp"], timeout: 30)
        #expect(bad.status == 2)
        #expect(bad.stderr == "scripts/mpirun: --max-restarts 'x' must be a whole number of restarts from 0 to 9999, e.g. --max-restarts 3\n")
    }
}
