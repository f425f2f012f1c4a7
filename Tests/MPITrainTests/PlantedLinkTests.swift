import Foundation
import NetCore
import Testing

/// A symbolic link planted where mpitrain creates a file (a lock file, a checkpoint, a report file)
/// never makes it write the file the link points to: lock files are opened with `O_NOFOLLOW` and
/// refused unless they are regular files of this user, files the program names are replaced, not
/// written through. As root in a shared folder, following such a link would overwrite any file.
@Suite(.serialized)
struct PlantedLinkTests {
    /// A folder with `victim` holding "precious".
    private func scene(_ name: String) throws -> (folder: URL, victim: URL) {
        let folder = try temporaryFolder(name)
        let victim = folder.appendingPathComponent("victim")
        try Data("precious\n".utf8).write(to: victim)
        return (folder, victim)
    }

    private func text(_ url: URL) -> String? { try? String(contentsOf: url, encoding: .utf8) }

    /// Trains one epoch with `--checkpoint` into a folder `ck` of `folder` after `plant` has put
    /// something at its lock file's path (given); returns the run and the checkpoint folder.
    private func trainWithPlantedLock(in folder: URL, _ plant: (_ lock: String) throws -> Void) throws
        -> (result: RunResult, checkpoints: String) {
        let checkpoints = folder.appendingPathComponent("ck")
        try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        try plant(checkpoints.appendingPathComponent(".mpitrain.lock").path)
        let result = try mpitrain(["--model", "single", "--epochs", "1", "--checkpoint", checkpoints.path], timeout: 60)
        return (result, checkpoints.path)
    }

    @Test func aLinkAsTheCheckpointLockIsRefusedAndItsTargetKept() throws {
        let (folder, victim) = try scene("lock-link")
        let (result, checkpoints) = try trainWithPlantedLock(in: folder) { lock in
            try FileManager.default.createSymbolicLink(atPath: lock, withDestinationPath: victim.path)
        }
        expectRefused(result, "the lock file \(checkpoints)/.mpitrain.lock for --checkpoint \(checkpoints) is a symbolic link, which mpitrain never follows")
        #expect(text(victim) == "precious\n")
    }

    @Test func aLinkAsTheMetricsLockIsRefusedAndADanglingOneCreatesNothing() throws {
        let (folder, victim) = try scene("metrics-lock-link")
        let lock = folder.appendingPathComponent(".m.jsonl.lock")
        try FileManager.default.createSymbolicLink(atPath: lock.path, withDestinationPath: victim.path)
        let metrics = folder.appendingPathComponent("m.jsonl").path
        let result = try mpitrain(["--model", "single", "--epochs", "1", "--metrics", metrics], timeout: 60)
        expectRefused(result, "is a symbolic link, which mpitrain never follows")
        #expect(text(victim) == "precious\n")

        try FileManager.default.removeItem(at: lock)
        let nowhere = folder.appendingPathComponent("created-by-the-link")
        try FileManager.default.createSymbolicLink(atPath: lock.path, withDestinationPath: nowhere.path)
        let dangling = try mpitrain(["--model", "single", "--epochs", "1", "--metrics", metrics], timeout: 60)
        expectRefused(dangling, "is a symbolic link, which mpitrain never follows")
        #expect(!FileManager.default.fileExists(atPath: nowhere.path))
        #expect(!FileManager.default.fileExists(atPath: metrics))
    }

    @Test func aLockFileThatIsAHardLinkIsRefused() throws {
        let (folder, victim) = try scene("lock-hard-link")
        let (result, _) = try trainWithPlantedLock(in: folder) { lock in
            try #require(link(victim.path, lock) == 0)
        }
        expectRefused(result, "has 2 names (a hard link to another file)")
        #expect(text(victim) == "precious\n")
    }

    @Test func checkpointsReplaceALinkPlantedAtTheirNames() throws {
        let (folder, victim) = try scene("checkpoint-link")
        let checkpoints = folder.appendingPathComponent("ck")
        try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        let planted = checkpoints.appendingPathComponent("epoch-1.safetensors")
        try FileManager.default.createSymbolicLink(atPath: planted.path, withDestinationPath: victim.path)
        let result = try mpitrain(["--model", "single", "--epochs", "1", "--quiet", "--overwrite", "--checkpoint", checkpoints.path], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(text(victim) == "precious\n")
        #expect(FileKind(path: planted.path, followingLinks: false) == .regular)
        #expect(try Checkpoint.read(from: planted).position.epochsCompleted == 1)
    }

    @Test func reportFilesReplaceALinkPlantedAtTheirNames() throws {
        let (folder, victim) = try scene("report-link")
        let metrics = folder.appendingPathComponent("single.jsonl")
        let result = try mpitrain(["--model", "single", "--epochs", "1", "--quiet", "--metrics", metrics.path], timeout: 300)
        try #require(result.status == 0, "\(result.stderr)")
        let out = folder.appendingPathComponent("report")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: out.appendingPathComponent("report.md").path, withDestinationPath: victim.path)
        let report = try mpitrain(["report", "--from", metrics.path, "--out", out.path, "--quiet"], timeout: 60)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(text(victim) == "precious\n")
        #expect(FileKind(path: out.appendingPathComponent("report.md").path, followingLinks: false) == .regular)
    }
}
