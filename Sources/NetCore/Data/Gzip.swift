/// Why a gzip stream was refused, in one line (e.g. "CRC-32 mismatch: ...").
public struct GzipError: Error, CustomStringConvertible, Equatable {
    /// What is wrong with the data.
    public let description: String
    /// Whether decompression stopped because the output would pass the caller's limit.
    public var isOverLimit = false

    init(_ description: String) { self.description = description }

    static let truncated = GzipError("truncated gzip data: the stream ends early")

    /// The output would grow past `limit` bytes.
    static func overLimit(_ limit: Int) -> GzipError {
        var error = GzipError("decompresses to more than \(limit) bytes")
        error.isOverLimit = true
        return error
    }
}

/// gzip decompression (RFC 1952) over the pure-Swift `Inflate`: Foundation on Linux cannot
/// decompress, and the package has no zlib target.
public enum Gzip {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    public static func isCompressed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The decompressed contents of a gzip file: every member, each checked against its
    /// CRC-32 and length. Anything after the last member is refused.
    public static func decompress(_ bytes: UnsafeRawBufferPointer) throws(GzipError) -> [UInt8] {
        try decompressedSink(bytes).finish()
    }

    /// The decompressed contents of a gzip file (see above).
    public static func decompress(_ bytes: [UInt8]) throws(GzipError) -> [UInt8] {
        let result = bytes.withUnsafeBytes { buffer in Result { () throws(GzipError) in try decompress(buffer) } }
        return try result.get()
    }

    /// The same, in memory that the caller frees (`free(sink.base)`): saves a copy of the output.
    /// Decompression stops with `GzipError.isOverLimit` as soon as the output would pass `limit`
    /// bytes, so a small file that inflates to gigabytes never takes more than `limit`; with
    /// `keepingPrefix` the bytes inflated until then are returned instead (at least
    /// `limit` − 65,535 − 258 of them: the largest stored block and back-reference).
    static func decompressedSink(_ bytes: UnsafeRawBufferPointer, limit: Int = .max,
                                 keepingPrefix: Bool = false) throws(GzipError) -> ByteSink {
        guard isCompressed(bytes) else { throw GzipError("not gzip data (no 1f 8b magic number)") }
        var output = ByteSink(capacity: expectedSize(bytes), limit: limit)
        do throws(GzipError) {
            var position = 0
            while position < bytes.count {
                guard isCompressed(UnsafeRawBufferPointer(rebasing: bytes[position...])) else {
                    throw GzipError("\(bytes.count - position) bytes of trailing garbage after the gzip data")
                }
                position = try decompressMember(into: &output, from: bytes, start: position)
            }
        } catch where error.isOverLimit && keepingPrefix {
            return output
        } catch {
            output.discard()
            throw error
        }
        return output
    }

    // MARK: - Members

    /// One member: header, DEFLATE stream, CRC-32 and ISIZE. Returns the position after it.
    private static func decompressMember(
        into output: inout ByteSink, from bytes: UnsafeRawBufferPointer, start: Int
    ) throws(GzipError) -> Int {
        var position = start
        func take(_ count: Int) throws(GzipError) -> UnsafeRawBufferPointer {
            guard position + count <= bytes.count else { throw GzipError.truncated }
            defer { position += count }
            return UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
        }
        func skipZeroTerminated() throws(GzipError) {
            while try take(1)[0] != 0 {}
        }
        func littleEndian(_ field: UnsafeRawBufferPointer) -> UInt32 {
            field.reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }

        let fixedHeader = try take(10)
        guard fixedHeader[2] == 8 else {
            throw GzipError("unsupported gzip compression method \(fixedHeader[2]) (only 8, deflate)")
        }
        let flags = fixedHeader[3]
        guard flags & 0xE0 == 0 else { throw GzipError("corrupt gzip header: reserved flag bits are set") }
        if flags & 0x04 != 0 {  // FEXTRA
            _ = try take(Int(littleEndian(try take(2))))
        }
        if flags & 0x08 != 0 { try skipZeroTerminated() }  // FNAME
        if flags & 0x10 != 0 { try skipZeroTerminated() }  // FCOMMENT
        if flags & 0x02 != 0 {  // FHCRC
            let headerCRC = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[start..<position])) & 0xFFFF
            guard littleEndian(try take(2)) == headerCRC else {
                throw GzipError("corrupt gzip header: header CRC mismatch")
            }
        }

        let memberStart = output.count
        position = try Inflate.decompress(into: &output, from: bytes, start: position)
        let written = UnsafeRawBufferPointer(start: output.base + memberStart, count: output.count - memberStart)
        let storedCRC = littleEndian(try take(4))
        let storedSize = littleEndian(try take(4))
        let crc = CRC32.checksum(written)
        guard crc == storedCRC else {
            throw GzipError("CRC-32 mismatch: the data gives \(hex(crc)) but the gzip trailer says \(hex(storedCRC))")
        }
        guard storedSize == UInt32(truncatingIfNeeded: written.count) else {
            throw GzipError("length mismatch: the data has \(written.count) bytes but the gzip trailer says \(storedSize)")
        }
        return position
    }

    /// The size the last member's trailer announces (modulo 2³²), bounded by the largest
    /// expansion DEFLATE can achieve, as a first guess for the output buffer.
    private static func expectedSize(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard bytes.count >= 18 else { return 0 }
        let size = bytes[(bytes.count - 4)...].reversed().reduce(0) { $0 << 8 | Int($1) }
        return min(size, bytes.count * 1032)
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
