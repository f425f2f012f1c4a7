#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a path names, from `lstat` (a symbolic link itself) or `stat` (what it points to).
public enum FileKind: Equatable, Sendable, CustomStringConvertible {
    case missing, regular, folder, fifo, characterDevice, blockDevice, socket, symbolicLink

    /// The kind of `path`; `followingLinks: false` describes a symbolic link itself.
    public init(path: String, followingLinks: Bool = true) {
        var status = stat()
        guard (followingLinks ? stat(path, &status) : lstat(path, &status)) == 0 else {
            self = .missing
            return
        }
        self.init(mode: status.st_mode)
    }

    /// The kind recorded in a `stat` mode.
    public init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .folder
        case S_IFIFO: self = .fifo
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFLNK: self = .symbolicLink
        default: self = .socket
        }
    }

    /// With an article, for messages: "a FIFO", "a folder", "a character device".
    public var description: String {
        switch self {
        case .missing: "missing"
        case .regular: "a regular file"
        case .folder: "a folder"
        case .fifo: "a FIFO"
        case .characterDevice: "a character device"
        case .blockDevice: "a block device"
        case .socket: "a socket"
        case .symbolicLink: "a symbolic link"
        }
    }

    /// Whether writes go through to a reader or a driver (a FIFO, a terminal, /dev/null) rather
    /// than into a file that can be replaced.
    public var isStream: Bool { self == .fifo || self == .characterDevice }
}
