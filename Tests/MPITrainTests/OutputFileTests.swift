import Foundation
import NetCore
import Testing

/// Output files are replaced atomically only when they are regular files: a device or FIFO given
/// as `--metrics` is written through and stays what it was, a symbolic link stays a link. The
/// devices are `mknod` copies of /dev/null (1,3) and /dev/full (1,7) in a temporary folder.
@Suite(.serialized)
struct OutputFileTests {
    private static let isRoot = getuid() == 0

    /// A character device `name` in `folder` with the given numbers (glibc's encoding for small ones).
    private func device(_ folder: URL, _ name: String, major: UInt32, minor: UInt32) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try #require(mknod(path, S_IFCHR | 0o666, dev_t(major << 8 | minor)) == 0, "mknod: \(String(cString: strerror(errno)))")
        return path
    }

    private func isDevice(_ path: String, major: UInt32, minor: UInt32) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFCHR && status.st_rdev == dev_t(major << 8 | minor)
    }

    @Test(.enabled(if: isRoot, "mknod needs root"), arguments: [1, 2])
    func metricsOnADeviceAreWrittenThroughAndTheDeviceStays(ranks: Int) throws {
        let folder = try temporaryFolder("metrics-device")
        defer { try? FileManager.default.removeItem(at: folder) }
        let null = try device(folder, "null", major: 1, minor: 3), full = try device(folder, "full", major: 1, minor: 7)

        let toNull = try train(ranks: ranks, ["--model", "single", "--epochs", "1", "--metrics", null], timeout: 60)
        #expect(toNull.status == 0, "\(toNull.stderr)")
        #expect(isDevice(null, major: 1, minor: 3), "--metrics replaced the device")

        let toFull = try train(ranks: ranks, ["--model", "single", "--epochs", "1", "--metrics", full], timeout: 60)
        #expect(!toFull.timedOut)
        #expect(toFull.status == 1)
        let lines = errorLines(toFull)
        #expect(lines.count == 1, "\(toFull.stderr)")
        #expect(lines.first?.contains("cannot write the metrics file \(full): write failed: No space left on device") == true,
                "\(toFull.stderr)")
        #expect(isDevice(full, major: 1, minor: 7), "--metrics replaced the device")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["full", "null"])
    }

    @Test func metricsThroughASymbolicLinkKeepTheLink() throws {
        let folder = try temporaryFolder("metrics-link")
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("runs/metrics.jsonl"), link = folder.appendingPathComponent("latest.jsonl")
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "runs/metrics.jsonl")
        let result = try mpitrain(["--model", "single", "--epochs", "1", "--metrics", link.path], timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileKind(path: link.path, followingLinks: false) == .symbolicLink)
        #expect(try readMetrics(target).map(\.epoch) == [1])
    }

    @Test func metricsIntoAFIFOWithoutAReaderEndWithOneLine() throws {
        let folder = try temporaryFolder("metrics-fifo")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("fifo")
        try #require(mkfifo(fifo.path, 0o644) == 0)
        let result = try mpitrain(["--model", "single", "--epochs", "1", "--metrics", fifo.path], timeout: 60)
        #expect(!result.timedOut)
        #expect(result.status == 1)
        #expect(errorLines(result) == ["mpitrain: error: cannot write the metrics file \(fifo.path): it is a FIFO that no process reads; start its reader first, or choose a file path"],
                "\(result.stderr)")
        #expect(FileKind(path: fifo.path, followingLinks: false) == .fifo)
    }
}
