import Foundation
import NetCore

/// An exclusive `flock` on a lock file, held by rank 0 for a whole run so that two runs never
/// write the same checkpoint folder or metrics file at once. The file holds the holder's PID and
/// host, which a refused run names; the holder removes it when the run ends (a file left by a
/// crashed run holds no lock and is simply taken over).
final class RunLock {
    let path: String
    private let descriptor: Int32

    /// Takes the lock at `path` for `option` `target` (e.g. "--metrics", "/runs/a.jsonl"), or
    /// throws one line naming the run that holds it.
    init(path: String, option: String, target: String) throws {
        self.path = path
        while true {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw JobError.invalid("cannot create the lock file \(path) for \(option) \(target): \(String(cString: strerror(errno))); choose a writable \(option) path")
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                var holder = [UInt8](repeating: 0, count: 256)
                let count = max(0, pread(descriptor, &holder, holder.count, 0))
                close(descriptor)
                let who = String(decoding: holder.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                throw JobError.invalid("\(option) \(target) is in use by another mpitrain run (\(who.isEmpty ? "starting up" : who)); wait for it to end, or choose another \(option) \(option == "--metrics" ? "file" : "folder")")
            }
            // The last holder may have removed the file between our open and flock: lock the new one.
            var locked = stat(), current = stat()
            if fstat(descriptor, &locked) == 0, stat(path, &current) == 0,
               locked.st_dev == current.st_dev, locked.st_ino == current.st_ino {
                let holder = Array("PID \(getpid()) on host \(Self.hostName)\n".utf8)
                _ = ftruncate(descriptor, 0)
                _ = pwrite(descriptor, holder, holder.count, 0)
                self.descriptor = descriptor
                return
            }
            close(descriptor)
        }
    }

    /// Removes the lock file, then releases the lock.
    func release() {
        unlink(path)
        close(descriptor)
    }

    /// The lock file for the metrics file at `path` (beside the file a symbolic link points to),
    /// or nil for a FIFO or device, which a run writes through and never replaces.
    static func metricsLockPath(_ path: String) -> String? {
        guard let (target, kind) = try? AtomicFile.destination(of: path), kind == .regular || kind == .missing else { return nil }
        let url = URL(fileURLWithPath: target)
        return url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".lock").path
    }

    /// The lock file of a checkpoint folder.
    static func checkpointLockPath(_ folder: URL) -> String {
        folder.appendingPathComponent(".mpitrain.lock").path
    }

    private static var hostName: String {
        var name = [UInt8](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "?" }
        return String(decoding: name.prefix { $0 != 0 }, as: UTF8.self)
    }
}
