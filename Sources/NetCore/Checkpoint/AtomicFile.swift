import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes that readers and crashes see either completely or not at all.
enum AtomicFile {
    /// Writes `bytes` to a hidden temporary file beside `url`, `fsync`s it, renames it over `url`
    /// and `fsync`s the folder; on any failure the temporary file is removed and `url` is untouched.
    static func save(_ bytes: [UInt8], to url: URL) throws(CheckpointError) {
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".\(getpid()).tmp"
        func failure(_ what: String) -> CheckpointError {
            CheckpointError(path: url.path, problem: "cannot be written: \(what): \(String(cString: strerror(errno)))",
                            remedy: "check that \(folder) exists, is writable and has space")
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create \(temporary)") }
        var written = 0
        let complete = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let count = write(descriptor, raw.baseAddress! + written, raw.count - written)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return false }
                written += count
            }
            return fsync(descriptor) == 0
        }
        guard complete else {
            let error = failure("write failed")
            close(descriptor)
            unlink(temporary)
            throw error
        }
        guard close(descriptor) == 0, rename(temporary, url.path) == 0 else {
            let error = failure("cannot replace it")
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
