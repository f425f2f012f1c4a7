import Foundation
import Testing
@testable import NetCore

/// Atomic saves replace regular files only: devices and FIFOs are written through, symbolic links
/// are followed, and nothing else is ever renamed over. Devices are copies made with `mknod` in a
/// temporary folder (root only), never the real /dev.
@Suite struct AtomicFileTests {
    private static let isRoot = getuid() == 0

    /// A character device with the given numbers in `files`' folder (1,3 is /dev/null, 1,7 /dev/full).
    private func device(_ files: TestFiles, _ name: String, major: UInt32, minor: UInt32) throws -> String {
        let path = files.directory.appendingPathComponent(name).path
        try #require(mknod(path, S_IFCHR | 0o666, deviceNumber(major, minor)) == 0, "mknod: \(String(cString: strerror(errno)))")
        return path
    }

    /// glibc's `makedev` (a macro Swift cannot call) for majors below 4096 and minors below 256.
    private func deviceNumber(_ major: UInt32, _ minor: UInt32) -> dev_t { dev_t(major << 8 | minor) }

    private func isDevice(_ path: String, major: UInt32, minor: UInt32) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFCHR && status.st_rdev == deviceNumber(major, minor)
    }

    @Test(.enabled(if: isRoot, "mknod needs root"))
    func aDeviceIsWrittenThroughAndStaysADevice() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let null = try device(files, "null", major: 1, minor: 3), full = try device(files, "full", major: 1, minor: 7)
        try AtomicFile.save(Array("one epoch\n".utf8), to: URL(fileURLWithPath: null))
        #expect(isDevice(null, major: 1, minor: 3))
        let error = try #require(throws: OutputFileError.self) {
            try AtomicFile.save(Array("one epoch\n".utf8), to: URL(fileURLWithPath: full))
        }
        #expect(error.description.contains("write failed: No space left on device"), "\(error)")
        #expect(isDevice(full, major: 1, minor: 7))
        #expect(try FileManager.default.contentsOfDirectory(atPath: files.directory.path).sorted() == ["full", "null"])
    }

    @Test func aSymbolicLinkIsFollowedAndStaysALink() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let target = try files.write("target", Array("old".utf8))
        let link = files.directory.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "target")
        try AtomicFile.save(Array("new".utf8), to: link)
        #expect(FileKind(path: link.path, followingLinks: false) == .symbolicLink)
        #expect(try String(contentsOf: target, encoding: .utf8) == "new")
        let dangling = files.directory.appendingPathComponent("dangling")
        try FileManager.default.createSymbolicLink(atPath: dangling.path, withDestinationPath: "new")
        try AtomicFile.save(Array("created".utf8), to: dangling)
        #expect(FileKind(path: dangling.path, followingLinks: false) == .symbolicLink)
        #expect(try String(contentsOf: files.directory.appendingPathComponent("new"), encoding: .utf8) == "created")
    }

    @Test func aFIFOIsWrittenThroughOrRefusedWithoutAReader() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let fifo = files.directory.appendingPathComponent("fifo")
        try #require(mkfifo(fifo.path, 0o644) == 0)
        let error = try #require(throws: OutputFileError.self) { try AtomicFile.save([1], to: fifo) }
        #expect(error.reason == "it is a FIFO that no process reads", "\(error)")
        let reader = open(fifo.path, O_RDONLY | O_NONBLOCK)
        try #require(reader >= 0)
        defer { close(reader) }
        try AtomicFile.save(Array("line\n".utf8), to: fifo)
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(read(reader, &buffer, 16) == 5)
        #expect(FileKind(path: fifo.path) == .fifo)
    }

    @Test func aFolderIsRefused() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let folder = files.directory.appendingPathComponent("folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        let error = try #require(throws: OutputFileError.self) { try AtomicFile.save([1], to: folder) }
        #expect(error.description == "cannot write \(folder.path): it is a folder, not a file; choose a file path")
    }

    @Test func aLinkLeftAtTheTemporaryNameIsRemovedNotWrittenThrough() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let victim = try files.write("victim", Array("precious".utf8))
        let temporary = files.directory.appendingPathComponent(".out.\(getpid()).tmp")
        try FileManager.default.createSymbolicLink(atPath: temporary.path, withDestinationPath: victim.path)
        try AtomicFile.save(Array("new".utf8), to: files.directory.appendingPathComponent("out"))
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious")
        #expect(try String(contentsOf: files.directory.appendingPathComponent("out"), encoding: .utf8) == "new")
        #expect(FileKind(path: temporary.path, followingLinks: false) == .missing)
    }

    @Test func aLinkAtAProgramChosenNameIsReplacedNotFollowed() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let victim = try files.write("victim", Array("precious".utf8))
        let link = files.directory.appendingPathComponent("best.safetensors")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: victim.path)
        try AtomicFile.save(Array("new".utf8), to: link, links: .replace)
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious")
        #expect(FileKind(path: link.path, followingLinks: false) == .regular)
    }

    /// A 64 KiB tmpfs mounted in `files`' folder (root only); unmounted by the caller.
    private func smallDisk(_ files: TestFiles) throws -> String {
        let mountPoint = files.directory.appendingPathComponent("disk").path
        try #require(mkdir(mountPoint, 0o755) == 0)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mountPoint]
        try mount.run()
        mount.waitUntilExit()
        try #require(mount.terminationStatus == 0, "mount failed")
        return mountPoint
    }

    private func unmount(_ path: String) {
        let umount = Process()
        umount.executableURL = URL(fileURLWithPath: "/bin/umount")
        umount.arguments = [path]
        try? umount.run()
        umount.waitUntilExit()
    }

    @Test(.enabled(if: isRoot, "mounting a tmpfs needs root"))
    func aFullDiskIsNamedAsTheCauseAndTheEarlierSetStays() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let disk = try smallDisk(files)
        defer { unmount(disk) }
        let big = [UInt8](repeating: 7, count: 1 << 20)
        let error = try #require(throws: OutputFileError.self) { try AtomicFile.save(big, to: URL(fileURLWithPath: disk + "/out")) }
        #expect(error.reason == "write failed: No space left on device", "\(error)")

        let earlier = ["report.md", "report.html"].map { URL(fileURLWithPath: disk + "/" + $0) }
        try AtomicFile.saveAll(earlier.map { (Array("earlier \($0.lastPathComponent)".utf8), $0) })
        let set = try #require(throws: OutputFileError.self) {
            try AtomicFile.saveAll([(Array("new".utf8), earlier[0]), (big, earlier[1])])
        }
        #expect(set.reason == "write failed: No space left on device", "\(set)")
        #expect(try earlier.map { try String(contentsOf: $0, encoding: .utf8) } == ["earlier report.md", "earlier report.html"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk).sorted() == ["report.html", "report.md"])
    }
}
