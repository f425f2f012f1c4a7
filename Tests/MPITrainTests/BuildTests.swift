import Foundation
import Testing

/// What a binary knows about its build: the CPU it was compiled for, checked at start against
/// /proc/cpuinfo (replaced here by a copy in a private mount namespace), and the warning of a
/// debug build.
@Suite(.serialized)
struct BuildTests {
    /// Whether this process may make mount namespaces (root, as on CI).
    static let canMount = (try? run(URL(fileURLWithPath: "/usr/bin/env"), ["unshare", "--mount", "true"]).status) == 0

    /// Runs the release binary with `cpuinfo` in place of /proc/cpuinfo.
    private func runBinary(withCPUInfo cpuinfo: String, _ arguments: [String]) throws -> RunResult {
        let folder = try temporaryFolder("cpuinfo")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("cpuinfo")
        try cpuinfo.write(to: file, atomically: true, encoding: .utf8)
        let script = "mount --bind \"$0\" /proc/cpuinfo && exec \"$@\""
        return try run(URL(fileURLWithPath: "/usr/bin/env"),
                       ["unshare", "--mount", "sh", "-c", script, file.path, Project.binary.path] + arguments)
    }

    @Test(.enabled(if: canMount, "needs mount namespaces (root)"))
    func aCPUWithoutTheCompiledExtensionsGetsOneLineInsteadOfSIGILL() throws {
        let real = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let same = try runBinary(withCPUInfo: real, ["--help"])
        #expect(same.status == 0, "\(same.stderr)")
        // A CPU with no extensions at all: flags "fpu" alone.
        let bare = real.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("flags") ? "flags\t\t: fpu" : String($0) }.joined(separator: "\n")
        let result = try runBinary(withCPUInfo: bare, ["--help"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("mpitrain: error: this binary was compiled for native CPUs and uses ")
                    && result.stderr.contains("which this CPU lacks") && result.stderr.contains("scripts/setup --portable"),
                "\(result.stderr)")
    }

    @Test func aDebugBuildWarnsOnceWhenItTrains() throws {
        let debug = Project.root.appendingPathComponent(".build/debug/mpitrain")
        try #require(FileManager.default.isExecutableFile(atPath: debug.path), "swift build (debug) makes \(debug.path)")
        let arguments = ["--model", "single", "--epochs", "1", "--threads", "1"]
        let slow = try run(debug, arguments, timeout: 300)
        #expect(slow.status == 0, "\(slow.stderr)")
        let warnings = slow.stderr.split(separator: "\n").filter { $0.contains("debug build") }
        #expect(warnings == ["mpitrain: warning: this is a debug build, 100–200× slower to train than a release build; use swift build -c release (or swift run -c release mpitrain …)"])
        let fast = try mpitrain(arguments)
        #expect(fast.status == 0 && !fast.stderr.contains("debug build"), "\(fast.stderr)")
    }
}
