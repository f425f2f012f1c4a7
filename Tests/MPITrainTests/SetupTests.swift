import Foundation
import Testing

/// scripts/setup, run in a scratch copy of the project with stand-ins for the tools it calls, so
/// nothing is installed and no `mpitrain` link on PATH changes.
struct SetupTests {
    /// A scratch project: scripts/setup, a fetch-mnist that does nothing, an earlier release
    /// binary, and a folder of stand-in tools where `swift` runs `swiftScript`.
    private func scratchProject(swiftScript: String) throws -> (root: URL, tools: URL) {
        let root = try temporaryFolder("setup")
        let scripts = root.appendingPathComponent("scripts"), tools = root.appendingPathComponent("tools")
        let release = root.appendingPathComponent(".build/release")
        for folder in [scripts, tools, release] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(at: Project.root.appendingPathComponent("scripts/setup"),
                                         to: scripts.appendingPathComponent("setup"))
        func executable(_ url: URL, _ text: String) throws {
            try ("#!/bin/sh\n" + text + "\n").write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        try executable(scripts.appendingPathComponent("fetch-mnist"), "exit 0")
        try executable(release.appendingPathComponent("mpitrain"), "echo 'the earlier build'")
        for tool in ["pkg-config", "mpirun", "rsvg-convert", "python3", "apt-get", "sudo"] {
            try executable(tools.appendingPathComponent(tool), "exit 0")
        }
        try executable(tools.appendingPathComponent("swift"), swiftScript)
        return (root, tools)
    }

    /// Runs the scratch project's scripts/setup with the stand-in tools first on PATH.
    private func setup(_ root: URL, tools: URL, _ arguments: [String] = []) throws -> RunResult {
        let path = tools.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        return try run(root.appendingPathComponent("scripts/setup"), arguments,
                       environment: ["PATH": path, "HOME": root.path, "MPITRAIN_TARGET_CPU": ""], timeout: 60)
    }

    @Test func aFailedBuildIsNotReportedReadyEvenWithAnEarlierBinary() throws {
        let (root, tools) = try scratchProject(swiftScript: "echo 'error: compile failed' >&2; exit 1")
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try setup(root, tools: tools)
        #expect(result.status != 0)
        #expect(!result.stdout.contains("ready") && !result.stderr.contains("ready"), "\(result.stdout)")
        #expect(result.stdout.contains("error: compile failed"), "the build's errors are shown")
        #expect(result.stderr.contains("the release build failed"), "\(result.stderr)")
    }

    @Test func portableBuildsForX8664V3InItsOwnFolder() throws {
        // The stand-in swift records how it was called, then fails, so nothing is linked.
        let (root, tools) = try scratchProject(swiftScript: "echo \"$MPITRAIN_TARGET_CPU $*\" > \"$HOME/swift-call\"; exit 1")
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try setup(root, tools: tools, ["--portable"])
        let call = try String(contentsOf: root.appendingPathComponent("swift-call"), encoding: .utf8)
        #expect(call == "x86-64-v3 build -c release --scratch-path \(root.path)/.build-portable\n")
        _ = try setup(root, tools: tools)
        let native = try String(contentsOf: root.appendingPathComponent("swift-call"), encoding: .utf8)
        #expect(native == " build -c release --scratch-path \(root.path)/.build\n")
    }
}
