#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The whole contents of a file without an extra copy: mapped read-only when stored as is,
/// decompressed into memory when gzip-compressed (recognised by its magic number, whatever its name).
final class FileBytes {
    private let bytes: UnsafeRawBufferPointer
    private let release: Release
    /// Whether the file was gzip-compressed.
    let wasCompressed: Bool

    private enum Release { case none, unmap, free }

    init(path: String) throws(DataError) {
        func failure(_ what: String) -> DataError {
            DataError(path: path, problem: "\(what): \(String(cString: strerror(errno)))", remedy: DataError.fetch)
        }
        // Non-blocking: opening a FIFO for reading would otherwise wait for a writer forever.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure("cannot read") }
        let kind = FileKind(mode: status.st_mode)
        guard kind == .regular else { throw DataError(path: path, problem: "is \(kind), not an IDX file", remedy: DataError.fetch) }
        let size = Int(status.st_size)
        guard size > 0 else {
            (bytes, release, wasCompressed) = (UnsafeRawBufferPointer(start: nil, count: 0), .none, false)
            return
        }
        guard let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapping != MAP_FAILED else {
            throw failure("cannot read")
        }
        let mapped = UnsafeRawBufferPointer(start: mapping, count: size)
        guard Gzip.isCompressed(mapped) else {
            (bytes, release, wasCompressed) = (mapped, .unmap, false)
            return
        }
        defer { munmap(mapping, size) }
        do {
            let output = try Gzip.decompressedSink(mapped)
            (bytes, release, wasCompressed) = (UnsafeRawBufferPointer(start: output.base, count: output.count), .free, true)
        } catch {
            throw DataError(path: path, problem: "corrupt gzip file: \(error)")
        }
    }

    deinit {
        switch release {
        case .none: break
        case .unmap: munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        case .free: free(UnsafeMutableRawPointer(mutating: bytes.baseAddress))
        }
    }

    /// Calls `body` with the bytes, which stay valid during the call.
    func withBytes<Result, Failure>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(bytes)
    }
}
