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
}
