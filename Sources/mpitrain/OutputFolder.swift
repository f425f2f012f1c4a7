import Foundation
import NetCore

/// The checks rank 0 makes before training that it can write its output files, so a bad path
/// fails at once with one line instead of after the first epoch.
enum OutputFolder {
    /// Creates `folder` (and its parents) if missing, and checks that a file can be created in it.
    static func prepare(_ folder: URL, option: String) throws {
        var isFolder: ObjCBool = false
        if !FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw JobError.invalid("cannot create the \(option) folder \(folder.path): \(reason(creating: folder)); choose another \(option) folder")
            }
            isFolder = true
        }
        guard isFolder.boolValue else {
            throw JobError.invalid("\(option) \(folder.path) is a file, not a folder; choose another \(option) folder")
        }
        try checkWritable(folder, option: option)
    }

    /// Checks that the file at `path` can be (re)written: a regular file (or a new one) whose
    /// folder takes new files, a symbolic link to one, a FIFO or a character device.
    static func checkFile(_ path: String, option: String) throws {
        let target: String, kind: FileKind
        do {
            (target, kind) = try AtomicFile.destination(of: path)
        } catch {
            throw JobError.invalid("cannot write \(option) \(path): \(error.reason); \(error.remedy)")
        }
        switch kind {
        case .fifo, .characterDevice: return
        case .missing, .regular: break
        default: throw JobError.invalid("\(option) \(path) is \(kind), not a file; choose a file name")
        }
        let folder = URL(fileURLWithPath: target).deletingLastPathComponent()
        guard FileKind(path: folder.path) == .folder else {
            throw JobError.invalid("cannot write \(option) \(path): folder \(folder.path) does not exist; create it or choose another \(option) path")
        }
        try checkWritable(folder, option: option)
    }

    /// Creates and removes a probe file (permission bits alone say nothing for root or read-only mounts).
    private static func checkWritable(_ folder: URL, option: String) throws {
        let probe = folder.appendingPathComponent(".mpitrain-write-check-\(getpid())")
        let descriptor = open(probe.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw JobError.invalid("cannot write into \(folder.path) (\(option)): \(String(cString: strerror(errno))); choose a writable folder")
        }
        close(descriptor)
        unlink(probe.path)
    }

    /// Why `folder` cannot be created, in the system's words: retries `mkdir` along the path.
    private static func reason(creating folder: URL) -> String {
        var path = ""
        for component in folder.standardizedFileURL.pathComponents.dropFirst() {
            path += "/" + component
            if mkdir(path, 0o755) != 0, errno != EEXIST { return "\(path): \(String(cString: strerror(errno)))" }
        }
        return "unknown error"
    }
}
