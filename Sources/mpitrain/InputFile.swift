import Foundation
import NetCore

/// A small input read whole, from a regular file or as a stream from a FIFO or a pipe (e.g.
/// `<(cat digit.png)`), never more than a cap: a FIFO that no process writes reads as empty instead
/// of blocking, and a file past the cap is refused before it is read.
enum InputFile {
    /// The bytes of `path`; throws one line (`what` names the input, e.g. "--class-names names.txt").
    static func read(_ path: String, limit: Int, what: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            throw JobError.invalid("\(what) cannot be read: \(code == ENOENT ? "no such file" : String(cString: strerror(code))); check the path")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw JobError.invalid("\(what) cannot be read: \(String(cString: strerror(errno))); check the path")
        }
        let kind = FileKind(mode: status.st_mode)
        guard kind == .regular || kind == .fifo else {
            throw JobError.invalid("\(what) is \(kind), not a file; give a file")
        }
        guard kind == .fifo || Int(status.st_size) <= limit else {
            throw JobError.invalid("\(what) has \(status.st_size) bytes, more than the \(limit) it may have; give the right file")
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = Foundation.read(descriptor, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw JobError.invalid("\(what) cannot be read: \(String(cString: strerror(errno))); check the path") }
            if count == 0 { break }
            bytes += chunk[..<count]
            guard bytes.count <= limit else {
                throw JobError.invalid("\(what) streams more than the \(limit) bytes it may have; give the right file")
            }
        }
        return bytes
    }
}
