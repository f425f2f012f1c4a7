import Foundation
import Testing

/// No job hangs or outlives its launcher: a stopped rank ends the job with one line (the stall
/// watchdog) while a merely slow one does not; the ranks die with the scripts/mpirun wrapper, a
/// stop request ends even a stopped rank, and SIGTERM to one rank stops the job gracefully.
@Suite(.serialized)
struct HangTests {
    /// A 2-rank single-model job under scripts/mpirun, marked by its metrics path, once its first
    /// checkpoint exists; `ranks` are its two mpitrain processes.
    private struct Job {
        let background: BackgroundJob
        let folder: URL
        let marker: String
        let ranks: [Int32]

        init(_ name: String, _ arguments: [String], mpirun options: [String] = []) throws {
            folder = try temporaryFolder(name)
            marker = folder.appendingPathComponent("metrics.jsonl").path
            let background = try BackgroundJob(Project.mpirun, options + ["-np", "2", Project.binary.path, "--model", "single", "--epochs", "400",
                                                                "--checkpoint", folder.path, "--metrics", marker] + arguments)
            let first = folder.appendingPathComponent("epoch-1.safetensors").path
            _ = background.waitFor(timeout: 60) { FileManager.default.fileExists(atPath: first) || !background.isRunning }
            self.background = background
            ranks = mpitrainProcesses(marked: marker)
        }

        var processesLeft: [Int32] { mpitrainProcesses(marked: marker) }

        /// Waits for the wrapper to end; after `timeout` seconds kills every process of the job
        /// (wrapper, mpirun, ranks: an orphaned mpirun would keep the output open) and says so.
        func finish(timeout: Double) -> RunResult {
            let ended = background.waitFor(timeout: timeout) { !background.isRunning }
            if !ended { mpitrainProcesses(marked: marker, anyProgram: true).forEach { kill($0, SIGKILL) } }
            var result = background.finish(timeout: 10)
            result.timedOut = result.timedOut || !ended
            return result
        }

        /// Ends whatever is left of the job (only when a test failed) and removes its folder.
        func cleanUp() {
            mpitrainProcesses(marked: marker, anyProgram: true).forEach { kill($0, SIGKILL) }
            if background.isRunning { kill(background.pid, SIGKILL) }
            _ = background.waitFor(timeout: 10) { !background.isRunning }
            try? FileManager.default.removeItem(at: folder)
        }
    }

    /// Through MPI's allreduce and through the shared-memory one (MPITRAIN_NODE_REDUCTION=1).
    @Test(arguments: ["0", "1"])
    func aStoppedRankEndsTheJobNamingItAndTheCheckpoint(nodeReduction: String) throws {
        let job = try Job("stall", ["--stall-timeout", "2"], mpirun: ["-x", "MPITRAIN_NODE_REDUCTION=\(nodeReduction)"])
        defer { job.cleanUp() }
        try #require(job.ranks.count == 2, "ranks: \(job.ranks)")
        kill(job.ranks[1], SIGSTOP)
        let result = job.finish(timeout: 30)
        #expect(!result.timedOut)
        #expect(result.status == 75)  // EX_TEMPFAIL: what --max-restarts restarts
        let lines = errorLines(result)
        #expect(lines.count == 1, "\(result.stderr)")
        let line = try #require(lines.first)
        let match = line.firstMatch(of: /^mpitrain: error: rank 1 has not reached (?:step \d+ of epoch \d+|the end of epoch \d+) for 2 s \(stall timeout\): ending the job; the last checkpoint is (\S+); resume with: scripts\/mpirun -np 2 .* --resume (\S+)$/)
        let parts = try #require(match, "\(line)")
        #expect(parts.1 == parts.2)
        #expect(FileManager.default.fileExists(atPath: String(parts.1)))
        #expect(job.background.waitFor(timeout: 10) { job.processesLeft.isEmpty }, "processes left: \(job.processesLeft)")
    }

    /// The shared-memory reduction allocates its window in the first step, in MPI calls that wait
    /// for every rank with no watchdog: a rank held before it was waited for forever. Rank 1 is
    /// stopped as soon as rank 0 announces the run, early in a first step that takes seconds (dense
    /// input, a wide hidden layer, a large batch), so rank 0 reaches the window alone.
    @Test func aRankHeldBeforeTheSharedWindowEndsTheJob() throws {
        let folder = try temporaryFolder("window")
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("stdout"), marker = folder.appendingPathComponent("metrics.jsonl").path
        let command = [Project.mpirun.path, "-x", "MPITRAIN_NODE_REDUCTION=1", "-np", "2", Project.binary.path,
                       "--model", "multiclass", "--hidden", "1000", "--batch-size", "20000", "--input", "dense",
                       "--epochs", "1", "--threads", "1", "--stall-timeout", "2", "--metrics", marker]
        let job = try BackgroundJob(URL(fileURLWithPath: "/bin/sh"), ["-c", #"out="$1"; shift; exec "$@" > "$out""#, "sh", output.path] + command)
        defer {  // only when an expectation failed is anything left
            mpitrainProcesses(marked: marker, anyProgram: true).forEach { kill($0, SIGKILL) }
            if job.isRunning { kill(job.pid, SIGKILL) }
        }
        #expect(job.waitFor(timeout: 60) {
            ((try? String(contentsOf: output, encoding: .utf8)) ?? "").contains("2 ranks × 1 thread") || !job.isRunning
        })
        let ranks = mpitrainProcesses(marked: marker)
        try #require(ranks.count == 2, "ranks: \(ranks)")
        kill(ranks[1], SIGSTOP)
        let ended = job.waitFor(timeout: 20) { !job.isRunning }
        if !ended { mpitrainProcesses(marked: marker, anyProgram: true).forEach { kill($0, SIGKILL) } }
        let result = job.finish(timeout: 10)
        #expect(ended, "the job did not end within 20 s of a 2 s stall timeout: \(result.stderr)")
        #expect(result.status == 75, "\(result.stderr)")
        let lines = errorLines(result)
        #expect(lines.count == 1 && lines[0].hasPrefix("mpitrain: error: rank 1 has not reached step 1 of epoch 1 for 2 s (stall timeout): ending the job"),
                "\(result.stderr)")
        #expect(job.waitFor(timeout: 10) { mpitrainProcesses(marked: marker).isEmpty }, "processes left: \(mpitrainProcesses(marked: marker))")
    }

    @Test func aSlowRankIsWaitedFor() throws {
        let job = try Job("slow", ["--stall-timeout", "6"])
        defer { job.cleanUp() }
        try #require(job.ranks.count == 2, "ranks: \(job.ranks)")
        kill(job.ranks[1], SIGSTOP)
        Thread.sleep(forTimeInterval: 2)
        kill(job.ranks[1], SIGCONT)
        let later = try FileManager.default.contentsOfDirectory(atPath: job.folder.path).count + 2
        #expect(job.background.waitFor(timeout: 60) {
            ((try? FileManager.default.contentsOfDirectory(atPath: job.folder.path).count) ?? 0) >= later
        }, "training did not go on after SIGCONT")
        kill(job.background.pid, SIGINT)
        let result = job.finish(timeout: 30)
        #expect(result.status == 130, "\(result.stderr)")
        #expect(errorLines(result).isEmpty, "\(result.stderr)")
    }

    /// The wrapper killed by kill -9 cannot remove the job's folder (/dev/shm/mpitrain-job.*, its
    /// shared-memory segments); the next job on this machine does, and leaves a live job's alone.
    @Test func killingTheWrapperEndsEveryRank() throws {
        let job = try Job("orphan", [])
        defer { job.cleanUp() }
        try #require(job.ranks.count == 2, "ranks: \(job.ranks)")
        let folder = try #require(environmentVariable("OMPI_MCA_orte_tmpdir_base", ofProcess: job.ranks[0]),
                                  "no job folder in rank \(job.ranks[0])'s environment")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let beside = try run(Project.mpirun, ["-np", "1", "true"])
        #expect(beside.status == 0, "\(beside.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder), "a live job's folder was removed")
        kill(job.background.pid, SIGKILL)
        #expect(job.background.waitFor(timeout: 10) { job.processesLeft.isEmpty }, "processes left: \(job.processesLeft)")
        #expect(FileManager.default.fileExists(atPath: folder))
        let next = try run(Project.mpirun, ["-np", "1", "true"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder), "left behind: \(folder)")
    }

    @Test(arguments: [false, true])
    func aStopRequestEndsAStoppedRank(twice: Bool) throws {
        let job = try Job("stop-stopped", [])
        defer { job.cleanUp() }
        try #require(job.ranks.count == 2, "ranks: \(job.ranks)")
        kill(job.ranks[1], SIGSTOP)
        kill(job.background.pid, SIGTERM)
        if twice {
            Thread.sleep(forTimeInterval: 0.5)
            kill(job.background.pid, SIGTERM)
        }
        let result = job.finish(timeout: twice ? 5 : 20)  // the grace period is 10 s
        #expect(!result.timedOut)
        #expect(result.status == 130, "\(result.stderr)")
        #expect(twice || result.stderr.contains("scripts/mpirun: the job did not stop within 10 s (a rank may be stopped or hung); ending it now"),
                "\(result.stderr)")
        #expect(job.background.waitFor(timeout: 5) { job.processesLeft.isEmpty }, "processes left: \(job.processesLeft)")
    }

    @Test func terminatingOneRankStopsTheJobWithACheckpoint() throws {
        let job = try Job("term-rank", [])
        defer { job.cleanUp() }
        try #require(job.ranks.count == 2, "ranks: \(job.ranks)")
        kill(job.ranks[1], SIGTERM)
        let result = job.finish(timeout: 30)
        #expect(result.status == 130, "\(result.stderr)")
        let note = result.stderr.split(separator: "\n").first { $0.hasPrefix("mpitrain: interrupted ") }
        #expect(note?.contains(#/saved \S+\.safetensors; to resume: scripts\/mpirun -np 2 /#) == true, "\(result.stderr)")
        #expect(job.background.waitFor(timeout: 10) { job.processesLeft.isEmpty }, "processes left: \(job.processesLeft)")
    }
}
