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
    ///
    /// The lock file is never reached through a symbolic link (`O_NOFOLLOW`), and an existing one
    /// is used only if it is a regular file of this user with no other name (a hard link); only a
    /// file this run created or such a lock file is ever written, so a link planted at the lock's
    /// name cannot make the run overwrite another file.
    init(path: String, option: String, target: String) throws {
        self.path = path
        let remedy = "remove it if no mpitrain run is using it, or choose another \(option) \(option == "--metrics" ? "file" : "folder")"
        while true {
            var descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if descriptor < 0 && errno == EEXIST {
                descriptor = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
                if descriptor < 0 && errno == ENOENT { continue }   // removed by its holder meanwhile
            }
            guard descriptor >= 0 else {
                let code = errno
                if code == ELOOP {
                    throw JobError.invalid("the lock file \(path) for \(option) \(target) is a symbolic link, which mpitrain never follows; \(remedy)")
                }
                throw JobError.invalid("cannot create the lock file \(path) for \(option) \(target): \(String(cString: strerror(code))); choose a writable \(option) path")
            }
            var locked = stat()
            guard fstat(descriptor, &locked) == 0, FileKind(mode: locked.st_mode) == .regular,
                  locked.st_uid == geteuid(), locked.st_nlink == 1 else {
                let kind = FileKind(mode: locked.st_mode)
                close(descriptor)
                let what = kind != .regular ? "is \(kind), not a lock file"
                    : locked.st_uid != geteuid() ? "belongs to another user (uid \(locked.st_uid))"
                    : "has \(locked.st_nlink) names (a hard link to another file)"
                throw JobError.invalid("the lock file \(path) for \(option) \(target) \(what); \(remedy)")
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                var holder = [UInt8](repeating: 0, count: 256)
                let count = max(0, pread(descriptor, &holder, holder.count, 0))
                close(descriptor)
                let who = String(decoding: holder.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                throw JobError.invalid("\(option) \(target) is in use by another mpitrain run (\(who.isEmpty ? "starting up" : who)); wait for it to end, or choose another \(option) \(option == "--metrics" ? "file" : "folder")")
            }
            // The last holder may have removed the file between our open and flock: lock the new one.
            var current = stat()
            if lstat(path, &current) == 0, locked.st_dev == current.st_dev, locked.st_ino == current.st_ino {
                let holder = Array("PID \(getpid()) on host \(Self.hostName)\n".utf8)
                _ = ftruncate(descriptor, 0)   // a lock file of this user, checked above
                _ = pwrite(descriptor, holder, holder.count, 0)
                self.descriptor = descriptor
                return
            }
            close(descriptor)
        }
    }

    /// Removes the lock file (if it is still the one this run holds), then releases the lock.
    func release() {
        var held = stat(), current = stat()
        if fstat(descriptor, &held) == 0, lstat(path, &current) == 0, held.st_dev == current.st_dev, held.st_ino == current.st_ino {
            unlink(path)
        }
        close(descriptor)
    }

    /// The lock file for the metrics file at `path` (beside the file a symbolic link points to),
    /// or nil for a FIFO or device, which a run writes through and never replaces.
    static func metricsLockPath(_ path: String) -> String? {
        guard let (target, kind) = try? AtomicFile.destination(of: path), kind == .regular || kind == .missing else { return nil }
        let url = URL(fileURLWithPath: target)
        return url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".lock").path
    }

    /// The lock file of a checkpoint folder (or of a report's --out folder).
    static func checkpointLockPath(_ folder: URL) -> String {
        folder.appendingPathComponent(".mpitrain.lock").path
    }

    private static var hostName: String {
        var name = [UInt8](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "?" }
        return String(decoding: name.prefix { $0 != 0 }, as: UTF8.self)
    }
}
