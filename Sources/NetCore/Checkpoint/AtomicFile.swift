import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes that readers and crashes see either completely or not at all, for regular
/// files only: nothing is ever renamed over a device, a FIFO or a symbolic link.
///
/// - a regular file, or a path that does not exist yet: written to a temporary file beside it,
///   `fsync`ed and renamed over it;
/// - a symbolic link: the same, on the file it points to (the link stays) when the user named the
///   path (`links: .follow`); the link itself is replaced when the program chose the name inside
///   a folder (`links: .replace`: checkpoints, report files), so a link planted there cannot make
///   the program overwrite the file it points to;
/// - a FIFO or a character device (`/dev/null`, a terminal): written through, in place;
/// - anything else (a folder, a block device, a socket) is refused.
///
/// The temporary file is always created anew (`O_EXCL | O_NOFOLLOW`): a file or link left at its
/// name is removed first, never written through or truncated.
public enum AtomicFile {
    /// What a save does with a symbolic link at its path.
    public enum Links: Sendable {
        /// Writes the file the link points to (a path the user named, e.g. `--metrics`).
        case follow
        /// Replaces the link with the file (a name the program chose inside a folder).
        case replace
    }

    /// Writes `bytes` to `url` as described above; on failure a regular file is left untouched
    /// and no temporary file remains.
    public static func save(_ bytes: [UInt8], to url: URL, links: Links = .follow) throws(OutputFileError) {
        var (target, kind) = (url.path, FileKind(path: url.path, followingLinks: false))
        if links == .follow { (target, kind) = try destination(of: url.path) }
        if kind == .symbolicLink { kind = .missing }   // `.replace`: the link itself is renamed over
        switch kind {
        case .missing, .regular:
            try replace(target, with: bytes)
        case .fifo, .characterDevice:
            let descriptor = try openStream(target)
            defer { close(descriptor) }
            guard writeAll(bytes, to: descriptor) else { throw .failed(target, "write failed", errno) }
        default:
            throw OutputFileError(path: url.path, reason: "it is \(kind), not a file", remedy: "choose a file path")
        }
    }

    /// Where a write to `path` lands: `path` itself or, for a symbolic link, the file it points
    /// to (which may not exist yet); with that file's kind.
    public static func destination(of path: String) throws(OutputFileError) -> (path: String, kind: FileKind) {
        var path = path
        for _ in 0..<40 {
            let kind = FileKind(path: path, followingLinks: false)
            guard kind == .symbolicLink else { return (path, kind) }
            guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { break }
            path = link.hasPrefix("/") ? link : URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(link).path
        }
        throw OutputFileError(path: path, reason: "its symbolic links cannot be followed (a loop?)",
                              remedy: "choose a file path")
    }

    /// Opens a FIFO or character device for writing; a FIFO that no process reads is refused
    /// at once instead of blocking.
    public static func openStream(_ path: String) throws(OutputFileError) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENXIO {
                throw OutputFileError(path: path, reason: "it is a FIFO that no process reads",
                                      remedy: "start its reader first, or choose a file path")
            }
            throw .failed(path, "cannot open it", code)
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        return descriptor
    }

    /// Writes all of `bytes` to `descriptor`; false on an error (in `errno`).
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        bytes.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let count = write(descriptor, raw.baseAddress! + written, raw.count - written)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return false }
                written += count
            }
            return true
        }
    }

    /// Writes a set of files that belong together (a report) so that either all of them replace
    /// the earlier ones or none does: every file is written to its temporary file first, and only
    /// when all are on disk are they renamed into place. Symbolic links at the paths are replaced
    /// (the names are the program's); on failure no temporary file remains and the earlier files
    /// are untouched.
    public static func saveAll(_ files: [(bytes: [UInt8], url: URL)]) throws(OutputFileError) {
        var written: [(temporary: String, path: String)] = []
        do throws(OutputFileError) {
            for (bytes, url) in files {
                let kind = FileKind(path: url.path, followingLinks: false)
                guard [.missing, .regular, .symbolicLink].contains(kind) else {
                    throw OutputFileError(path: url.path, reason: "it is \(kind), not a file", remedy: "move it away")
                }
                written.append((try writeTemporary(url.path, bytes), url.path))
            }
        } catch {
            for file in written { unlink(file.temporary) }
            throw error
        }
        for (index, file) in written.enumerated() where rename(file.temporary, file.path) != 0 {
            let error = OutputFileError.failed(file.path, "cannot replace it", errno)
            for rest in written[index...] { unlink(rest.temporary) }
            throw error
        }
        if let path = written.first?.path { syncFolder(of: path) }
    }

    /// Temporary file beside `path`, `fsync`, rename over `path`, `fsync` of the folder.
    private static func replace(_ path: String, with bytes: [UInt8]) throws(OutputFileError) {
        let temporary = try writeTemporary(path, bytes)
        guard rename(temporary, path) == 0 else {
            let error = OutputFileError.failed(path, "cannot replace it", errno)
            unlink(temporary)
            throw error
        }
        syncFolder(of: path)
    }

    /// Writes `bytes` to a new temporary file beside `path` and flushes it to disk; returns its path.
    private static func writeTemporary(_ path: String, _ bytes: [UInt8]) throws(OutputFileError) -> String {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().path + "/." + url.lastPathComponent + ".\(getpid()).tmp"
        unlink(temporary)   // a file or link left there is removed, never written through
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .failed(path, "cannot create \(temporary)", errno) }
        guard writeAll(bytes, to: descriptor), fsync(descriptor) == 0 else {
            let error = OutputFileError.failed(path, "write failed", errno)
            close(descriptor)
            unlink(temporary)
            throw error
        }
        guard close(descriptor) == 0 else {
            let error = OutputFileError.failed(path, "write failed", errno)
            unlink(temporary)
            throw error
        }
        return temporary
    }

    /// Flushes the folder holding `path`, so its renames survive a crash.
    private static func syncFolder(of path: String) {
        let directory = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}

/// Why an output file cannot be written, in one line: the path, what is wrong, what to do.
public struct OutputFileError: Error, CustomStringConvertible, Sendable {
    /// The file concerned.
    public let path: String
    /// Why, e.g. "it is a folder, not a file" or "write failed: No space left on device".
    public let reason: String
    /// What to do about it.
    public let remedy: String

    /// `cannot write PATH: REASON; REMEDY`.
    public var description: String { "cannot write \(path): \(reason); \(remedy)" }

    /// A failed system call, with the explanation of `code`: the `errno` the caller read right
    /// after the call, before anything else (building a path, a string) could change it.
    public static func failed(_ path: String, _ what: String, _ code: Int32) -> OutputFileError {
        let reason = "\(what): \(String(cString: strerror(code)))"
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return OutputFileError(path: path, reason: reason, remedy: "check that \(folder) exists, is writable and has space")
    }
}
