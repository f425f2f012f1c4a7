import Foundation
import NetCore
import Testing

/// Nothing a user already has is lost: a resumed run with --overwrite keeps the metrics of the
/// epochs before it, `export` never writes over its own input, a report folder is held by one
/// report at a time and replaced as a whole set, and a write error names its real cause.
@Suite(.serialized)
struct KeptOutputTests {
    @Test func aResumedRunWithOverwriteKeepsTheEarlierEpochsMetrics() throws {
        let folder = try temporaryFolder("resume-overwrite")
        let metrics = folder.appendingPathComponent("m.jsonl"), checkpoints = folder.appendingPathComponent("ck")
        let common = ["--model", "single", "--epochs", "4", "--quiet", "--metrics", metrics.path, "--checkpoint", checkpoints.path]
        let first = try mpitrain(common, timeout: 120)
        try #require(first.status == 0, "\(first.stderr)")
        let before = try readMetrics(metrics)
        let resumed = try mpitrain(common + ["--overwrite", "--resume", checkpoints.appendingPathComponent("epoch-2.safetensors").path], timeout: 120)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let after = try readMetrics(metrics)
        #expect(after.map(\.epoch) == [1, 2, 3, 4])
        #expect(Array(after.prefix(2)) == Array(before.prefix(2)), "the records up to the checkpoint were rewritten")
        #expect(after.map(\.testLoss) == before.map(\.testLoss), "resume is bit-exact, so the records agree")
    }

    @Test func exportRefusesToWriteOverItsInputByAnyName() throws {
        let folder = try temporaryFolder("export-self")
        let checkpoint = folder.appendingPathComponent("ck.safetensors")
        try HostileFiles.checkpoint().encoded().withUnsafeBytes { try Data($0).write(to: checkpoint) }
        let original = try Data(contentsOf: checkpoint)
        let symbolic = folder.appendingPathComponent("link.safetensors"), hard = folder.appendingPathComponent("hard.safetensors")
        try FileManager.default.createSymbolicLink(atPath: symbolic.path, withDestinationPath: checkpoint.path)
        try #require(link(checkpoint.path, hard.path) == 0)
        for out in [checkpoint.path, symbolic.path, hard.path, folder.path + "/./ck.safetensors"] {
            let result = try mpitrain(["export", "--format", "pytorch", checkpoint.path, out, "--overwrite"], timeout: 60)
            expectRefused(result, "\(out) is the checkpoint \(checkpoint.path) itself; choose another file to export to")
            #expect(try Data(contentsOf: checkpoint) == original)
        }
    }

    /// A report's metrics file: one short single-neuron run.
    private func metricsFile(_ folder: URL) throws -> URL {
        let metrics = folder.appendingPathComponent("single.jsonl")
        let result = try mpitrain(["--model", "single", "--epochs", "1", "--quiet", "--metrics", metrics.path], timeout: 300)
        try #require(result.status == 0, "\(result.stderr)")
        return metrics
    }

    @Test func aReportFolderInUseIsRefused() throws {
        let folder = try temporaryFolder("report-lock")
        let metrics = try metricsFile(folder)
        let out = folder.appendingPathComponent("report")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let lock = open(out.appendingPathComponent(".mpitrain.lock").path, O_RDWR | O_CREAT, 0o644)
        try #require(lock >= 0 && flock(lock, LOCK_EX) == 0)
        _ = pwrite(lock, "PID 1 on host elsewhere\n", 24, 0)
        let refused = try mpitrain(["report", "--from", metrics.path, "--out", out.path], timeout: 60)
        close(lock)
        expectRefused(refused, "--out \(out.path) is in use by another mpitrain run (PID 1 on host elsewhere); wait for it to end, or choose another --out folder")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == [".mpitrain.lock"])
        let written = try mpitrain(["report", "--from", metrics.path, "--out", out.path, "--quiet"], timeout: 60)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(".mpitrain.lock").path), "the lock is left")
    }

    private static let isRoot = getuid() == 0

    /// Mounts a tmpfs at `path` with `options` (root only).
    private func mount(_ path: String, _ options: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try run(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", options, "tmpfs", path])
        try #require(result.status == 0, "\(result.stderr)")
    }

    private func unmount(_ path: String) {
        _ = try? run(URL(fileURLWithPath: "/bin/umount"), [path])
    }

    @Test(.enabled(if: isRoot, "mounting a tmpfs needs root"))
    func aReportOnAFullDiskLeavesTheEarlierSetAndOnAReadOnlyOneSaysSo() throws {
        let folder = try temporaryFolder("report-disk")
        let metrics = try metricsFile(folder)
        let disk = folder.appendingPathComponent("disk").path
        try mount(disk, "size=20k")
        defer { unmount(disk) }
        let earlier = ["report.md", "report.html", "loss.svg"].map { URL(fileURLWithPath: disk + "/" + $0) }
        for file in earlier { try Data("earlier".utf8).write(to: file) }
        let full = try mpitrain(["report", "--from", metrics.path, "--out", disk], timeout: 60)
        expectRefused(full, "No space left on device")
        #expect(try earlier.map { try String(contentsOf: $0, encoding: .utf8) } == ["earlier", "earlier", "earlier"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk).sorted() == ["loss.svg", "report.html", "report.md"])

        let readOnly = folder.appendingPathComponent("read-only").path
        try mount(readOnly, "ro,size=64k")
        defer { unmount(readOnly) }
        for out in [readOnly, readOnly + "/report"] {
            let result = try mpitrain(["report", "--from", metrics.path, "--out", out], timeout: 60)
            expectRefused(result, "Read-only file system")
        }
    }
}
