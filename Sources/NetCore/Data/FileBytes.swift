#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib

/// The whole contents of a file without an extra copy: mapped read-only when stored as is,
/// decompressed into memory when gzip-compressed (recognised by its magic number, whatever its name).
///
/// A compressed file's first bytes say how large it may grow (`declaredSize`, from its header):
/// decompression stops a little past that size, so a small file that inflates to gigabytes (a
/// "gzip bomb") costs no more memory than a genuine one.
final class FileBytes {
    private let bytes: UnsafeRawBufferPointer
    private let release: Release
    /// Whether the file was gzip-compressed.
    let wasCompressed: Bool

    private enum Release { case none, unmap, free }

    /// Bytes past the declared size still inflated, so that a few trailing bytes are reported as such.
    static let slack = 65_536

    /// The most a compressed file may inflate, as a multiple of its size: real image data compresses
    /// 2–10 times (MNIST's training images 4.7), deflate at most about 1,000 times, so a file past
    /// this ratio is refused before it takes the memory its header asks for.
    static let maximumRatio = 100

    /// `size` and the slack past it, at most `Int.max`.
    private static func withSlack(_ size: Int) -> Int { size > Int.max - slack ? Int.max : size + slack }

    /// How much of a compressed file is inflated to read its header.
    static let headerBytes = 512

    /// Reads the file at `path`; `declaredSize` gives the size its first bytes (512, unless the
    /// file is shorter) announce, or nil if they announce none (then only those first bytes are
    /// decompressed, enough to say what is wrong with them).
    init(path: String, declaredSize: (UnsafeRawBufferPointer) -> Int?) throws(DataError) {
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
        var declared: Int?
        let plausible = size.multipliedReportingOverflow(by: Self.maximumRatio).partialValue
        do {
            let output = try Gzip.inflate(mapped, probe: Self.headerBytes) { header in
                declared = declaredSize(header)
                return declared.map { min(Self.withSlack($0), max(plausible, Self.headerBytes)) }
            }
            (bytes, release, wasCompressed) = (UnsafeRawBufferPointer(output), .free, true)
        } catch where error.isOverLimit {
            guard let declared, Self.withSlack(declared) <= plausible else {
                throw DataError(path: path, problem: "inflates to more than \(Self.maximumRatio) times its \(size) bytes (\(plausible) bytes), more than real image data compresses (a gzip bomb?)",
                                remedy: "decompress it with gunzip if you trust it, or run scripts/fetch-mnist to restore it")
            }
            throw DataError(path: path, problem: "inflates to more than the \(declared) bytes its IDX header describes (a damaged file or a gzip bomb)")
        } catch where error.isOutOfMemory {
            throw DataError(path: path, problem: "cannot be decompressed: \(error)",
                            remedy: "free some memory, or decompress it with gunzip (uncompressed files are mapped, not copied)")
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

    /// The bytes from `offset` on, as an array; `crc32` is carried on over every byte of the
    /// (decompressed) file, those before `offset` too, as they are copied. A mapped file's pages
    /// are given back as they are copied, so the copy does not hold the file in memory twice
    /// (47 MB for MNIST's training images).
    func array(from offset: Int, crc32: inout UInt32) -> [UInt8] {
        let count = bytes.count - offset, page = Int(sysconf(Int32(_SC_PAGESIZE))), chunk = 1 << 22
        crc32 = Self.crc32(crc32, UnsafeRawBufferPointer(rebasing: bytes[0..<offset]))
        return [UInt8](unsafeUninitializedCapacity: count) { array, initialized in
            var copied = 0
            while copied < count {
                let length = min(chunk, count - copied)
                let part = UnsafeRawBufferPointer(rebasing: bytes[offset + copied..<offset + copied + length])
                UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(array)[copied..<copied + length])
                    .copyMemory(from: part)
                crc32 = Self.crc32(crc32, part)
                copied += length
                if release == .unmap {
                    // The whole pages before the next byte to copy (the mapping starts on a page).
                    madvise(UnsafeMutableRawPointer(mutating: bytes.baseAddress!), (offset + copied) / page * page, Int32(MADV_DONTNEED))
                }
            }
            initialized = count
        }
    }

    /// zlib's CRC-32 of `part`, continuing `crc`.
    private static func crc32(_ crc: UInt32, _ part: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(crc32_z(UInt(crc), part.baseAddress?.assumingMemoryBound(to: UInt8.self), part.count))
    }

    /// Calls `body` with the bytes, which stay valid during the call.
    func withBytes<Result, Failure>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(bytes)
    }
}
