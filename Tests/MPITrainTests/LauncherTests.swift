import Foundation
import Testing

/// scripts/mpirun says in one line why mpirun could not run a job, instead of passing on its
/// banners or calling an exit status a signal.
@Suite(.serialized)
struct LauncherTests {
    @Test func aMisspelledProgramIsNamed() throws {
        let result = try run(Project.mpirun, ["-np", "2", "mpitrian", "--model", "single"], timeout: 60)
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("scripts/mpirun: mpirun could not run the job: mpirun was unable to find the specified executable file") == true,
                "\(result.stderr)")
        #expect(lines.first?.hasSuffix("Executable: mpitrian)") == true, "\(result.stderr)")
    }

    @Test func anUnknownHostIsNamed() throws {
        let folder = try temporaryFolder("hostfile")
        defer { try? FileManager.default.removeItem(at: folder) }
        let hostfile = folder.appendingPathComponent("hosts")
        try Data("no-such-host.invalid slots=2\n".utf8).write(to: hostfile)
        let result = try run(Project.mpirun, ["--hostfile", hostfile.path, "-np", "2", Project.binary.path, "--model", "single"],
                             timeout: 60)
        #expect(result.status != 0)
        // ssh's own line (it names the host; it ends in \r\n), then mpirun's reason.
        let lines = result.stderr.split(whereSeparator: \.isNewline).map(String.init)
        #expect((1...2).contains(lines.count), "\(result.stderr)")
        #expect(lines.last?.hasPrefix("scripts/mpirun: mpirun could not run the job: ") == true, "\(result.stderr)")
        #expect(!result.stderr.contains("signal"), "\(result.stderr)")
    }

    @Test func aClosedOutputPipeEndsTheJobWithOneLine() throws {
        let shell = URL(fileURLWithPath: "/bin/bash")
        let command = "\"$0\" -np 2 \"$1\" --model single --epochs 400 | head -2"
        let result = try run(shell, ["-c", command, Project.mpirun.path, Project.binary.path], timeout: 60)
        #expect(!result.timedOut)
        #expect(result.stdoutLines.count == 2)
        #expect(result.stderr == "scripts/mpirun: the output was closed (broken pipe); the job was ended\n")
    }

    /// In a terminal (a pty, through `script`), a rank's standard error passes the wrapper's filter
    /// line by line: rank 0's oversubscription warning, written before training, arrives while the
    /// job still runs, before its last epoch's line (Debian's mawk read the filter's pipe in blocks,
    /// so it came at the end). Not "before the first epoch's line": mpirun forwards a rank's standard
    /// output and standard error through separate pipes, and on a busy machine it has passed on a
    /// whole short epoch's output before the warning (and, at 20 epochs of 2 ranks summing through
    /// shared memory, all 20 once in a CI run): 60 epochs, a few seconds.
    @Test func standardErrorReachesATerminalAsItIsWritten() throws {
        let threads = String(ProcessInfo.processInfo.activeProcessorCount)  // 2 ranks × that: oversubscribed
        let command = [Project.mpirun.path, "-np", "2", Project.binary.path, "--model", "hidden", "--epochs", "60", "--threads", threads]
            .map { "'\($0)'" }.joined(separator: " ")
        let result = try run(URL(fileURLWithPath: "/usr/bin/script"), ["-qefc", command, "/dev/null"], timeout: 180)
        #expect(result.status == 0, "\(result.stdout)")
        let lines = result.stdout.split(whereSeparator: \.isNewline).map(String.init)
        let warning = lines.firstIndex { $0.hasPrefix("mpitrain: warning: 2 ranks × \(threads) threads share this node's") }
        let lastEpoch = lines.firstIndex { $0.hasPrefix("epoch 60/60") }
        #expect(warning != nil && lastEpoch != nil, "\(result.stdout)")
        if let warning, let lastEpoch { #expect(warning < lastEpoch, "\(result.stdout)") }
    }

    /// `kill -9` of mpirun itself: the wrapper removes what the job left, its ranks' shared-memory
    /// segments (/dev/shm/vader_segment.* on main) and mpirun's session directory (/tmp/ompi.*).
    @Test func killingMpirunLeavesNoFilesBehind() throws {
        let folder = try temporaryFolder("mpirun-kill")
        defer { try? FileManager.default.removeItem(at: folder) }
        let marker = folder.appendingPathComponent("metrics.jsonl").path
        let job = try BackgroundJob(Project.mpirun, ["-np", "2", Project.binary.path, "--model", "single", "--epochs", "400", "--metrics", marker])
        defer {  // only when an expectation failed is anything left
            mpitrainProcesses(marked: marker, anyProgram: true).forEach { kill($0, SIGKILL) }
            if job.isRunning { kill(job.pid, SIGKILL) }
        }
        #expect(job.waitFor(timeout: 60) { FileManager.default.fileExists(atPath: marker) || !job.isRunning })
        let ranks = mpitrainProcesses(marked: marker)
        try #require(ranks.count == 2, "ranks: \(ranks)")
        // The job's files: the segments the ranks map, and the session directory they were given.
        var files = Set<String>()
        for rank in ranks {
            let maps = (try? String(contentsOfFile: "/proc/\(rank)/maps", encoding: .utf8)) ?? ""
            files.formUnion(maps.split(separator: "\n").compactMap { line in
                line.split(separator: " ", omittingEmptySubsequences: true).last.map(String.init).flatMap { $0.contains("vader_segment") ? $0 : nil }
            })
            if let location = environmentVariable("OMPI_FILE_LOCATION", ofProcess: rank) {
                // .../pid.<mpirun>/<job>/<rank>: the job's session directory is two levels up.
                files.insert(URL(fileURLWithPath: location).deletingLastPathComponent().deletingLastPathComponent().path)
            }
        }
        #expect(files.contains { $0.contains("vader_segment") } && files.contains { $0.contains("/pid.") }, "\(files)")
        let mpirun = mpitrainProcesses(marked: marker, anyProgram: true).filter {
            (try? String(contentsOfFile: "/proc/\($0)/comm", encoding: .utf8))?.hasPrefix("mpirun") == true
        }
        try #require(mpirun.count == 1, "mpirun: \(mpirun)")
        kill(mpirun[0], SIGKILL)
        let result = job.finish(timeout: 30)
        #expect(!result.timedOut)
        let left = files.filter { FileManager.default.fileExists(atPath: $0) }
        #expect(left.isEmpty, "left behind: \(left.sorted())")
        // Every rank ends within seconds of its launcher (a loaded machine may need a moment).
        #expect(job.waitFor(timeout: 10) { mpitrainProcesses(marked: marker, anyProgram: true).isEmpty },
                "still running: \(mpitrainProcesses(marked: marker, anyProgram: true))")
    }
}
