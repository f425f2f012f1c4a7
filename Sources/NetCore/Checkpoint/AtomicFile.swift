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
/// - a symbolic link: the same, on the file it points to (the link stays);
/// - a FIFO or a character device (`/dev/null`, a terminal): written through, in place;
/// - anything else (a folder, a block device, a socket) is refused.
public enum AtomicFile {
    /// Writes `bytes` to `url` as described above; on failure a regular file is left untouched
    /// and no temporary file remains.
    public static func save(_ bytes: [UInt8], to url: URL) throws(OutputFileError) {
        let (target, kind) = try destination(of: url.path)
        switch kind {
        case .missing, .regular:
            try replace(target, with: bytes)
        case .fifo, .characterDevice:
            let descriptor = try openStream(target)
            defer { close(descriptor) }
            guard writeAll(bytes, to: descriptor) else { throw .failed(target, "write failed") }
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
            if errno == ENXIO {
                throw OutputFileError(path: path, reason: "it is a FIFO that no process reads",
                                      remedy: "start its reader first, or choose a file path")
            }
            throw .failed(path, "cannot open it")
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

    /// Temporary file beside `path`, `fsync`, rename over `path`, `fsync` of the folder.
    private static func replace(_ path: String, with bytes: [UInt8]) throws(OutputFileError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .failed(path, "cannot create \(temporary)") }
        guard writeAll(bytes, to: descriptor), fsync(descriptor) == 0 else {
            let error = OutputFileError.failed(path, "write failed")
            close(descriptor)
            unlink(temporary)
            throw error
        }
        guard close(descriptor) == 0, rename(temporary, path) == 0 else {
            let error = OutputFileError.failed(path, "cannot replace it")
            unlink(temporary)
            throw error
        }
        let directory = open(folder, O_RDONLY)
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

    /// A failed system call, with `errno`'s explanation.
    public static func failed(_ path: String, _ what: String) -> OutputFileError {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return OutputFileError(path: path, reason: "\(what): \(String(cString: strerror(errno)))",
                               remedy: "check that \(folder) exists, is writable and has space")
    }
}
