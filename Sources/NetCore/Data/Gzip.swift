#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib

/// Why a gzip stream was refused, in one line (zlib's words, e.g. "incorrect data check").
struct GzipError: Error, CustomStringConvertible, Equatable {
    /// What is wrong with the data.
    let description: String
    /// Whether decompression stopped because the output would pass the caller's limit.
    var isOverLimit = false
    /// Whether decompression stopped because memory for the output could not be had.
    var isOutOfMemory = false

    init(_ description: String) { self.description = description }

    static let truncated = GzipError("truncated gzip data: the stream ends early")

    /// No memory for `bytes` bytes of output.
    static func outOfMemory(_ bytes: Int) -> GzipError {
        var error = GzipError("out of memory for \(bytes) bytes of output")
        error.isOutOfMemory = true
        return error
    }

    /// The output would grow past `limit` bytes.
    static func overLimit(_ limit: Int) -> GzipError {
        var error = GzipError("decompresses to more than \(limit) bytes")
        error.isOverLimit = true
        return error
    }
}

/// gzip decompression (RFC 1952) through zlib: every member of a file, each checked against its
/// CRC-32 and length, into memory whose size the caller bounds.
enum Gzip {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    static func isCompressed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Inflates every member of `bytes` into memory the caller frees (`free(output.baseAddress)`).
    ///
    /// Once the first `probe` bytes are out (or all of them, if fewer), `limit` is called with
    /// them and returns the most bytes the whole output may have, or nil to stop and return just
    /// those bytes. Decompression throws `GzipError.isOverLimit` as soon as the output would pass
    /// the limit, so a small file that inflates to gigabytes never takes more memory than that.
    static func inflate(_ bytes: UnsafeRawBufferPointer, probe: Int = .max,
                        limit: (UnsafeRawBufferPointer) -> Int? = { _ in .max }) throws(GzipError) -> UnsafeMutableRawBufferPointer {
        guard isCompressed(bytes) else { throw GzipError("not gzip data (no 1f 8b magic number)") }
        var stream = z_stream()
        guard czlib_inflate_init_gzip(&stream) == Z_OK else { throw GzipError("zlib could not start: out of memory") }
        defer { inflateEnd(&stream) }
        var output = try Output(capacity: min(probe, expectedSize(bytes)))
        var bound = probe, probed = false
        var consumed = 0
        do throws(GzipError) {
            while true {
                if !probed && output.count >= probe {
                    guard let most = limit(output.bytes) else { return output.finish() }
                    (bound, probed) = (most, true)
                }
                // One byte past the bound: producing it means the output passes it.
                let room = try output.room(upTo: bound == .max ? .max : bound + (probed ? 1 : 0))
                let input = UnsafeRawBufferPointer(rebasing: bytes[consumed...])
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
                stream.avail_in = UInt32(min(input.count, Int(UInt32.max)))
                stream.next_out = room.baseAddress!.assumingMemoryBound(to: UInt8.self)
                stream.avail_out = UInt32(min(room.count, Int(UInt32.max)))
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                consumed += input.count - Int(stream.avail_in)
                output.count += room.count - Int(stream.avail_out)
                if probed && output.count > bound { throw GzipError.overLimit(bound) }
                switch status {
                case Z_STREAM_END:
                    guard consumed < bytes.count else {
                        if !probed, let most = limit(output.bytes), output.count > most { throw GzipError.overLimit(most) }
                        return output.finish()
                    }
                    guard isCompressed(UnsafeRawBufferPointer(rebasing: bytes[consumed...])) else {
                        throw GzipError("\(bytes.count - consumed) bytes of trailing garbage after the gzip data")
                    }
                    inflateReset(&stream)
                case Z_OK:
                    continue
                case Z_BUF_ERROR where consumed == bytes.count:
                    throw GzipError.truncated
                case Z_BUF_ERROR:
                    continue
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw GzipError(message + (Self.explanations[message].map { " (\($0))" } ?? ""))
                }
            }
        } catch {
            output.discard()
            throw error
        }
    }

    /// What zlib's terse words for a damaged stream's end mean.
    private static let explanations = [
        "incorrect data check": "its CRC-32 does not match",
        "incorrect length check": "its length does not match",
    ]

    /// The size a single-member file announces (ISIZE, its last four bytes, modulo 2³²), capped, as a first capacity.
    private static func expectedSize(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard bytes.count >= 18 else { return 64 }
        let tail = bytes.count - 4
        let size = (0..<4).reduce(0) { $0 | Int(bytes[tail + $1]) << (8 * $1) }
        return min(max(size, 64), 1 << 28)
    }

    /// The output buffer: raw memory grown by `realloc`.
    private struct Output {
        var base: UnsafeMutableRawPointer
        var count = 0
        var capacity: Int

        init(capacity: Int) throws(GzipError) {
            self.capacity = max(capacity, 64)
            guard let memory = malloc(self.capacity) else { throw .outOfMemory(self.capacity) }
            base = memory
        }

        var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

        /// Free space after the output, grown (doubling) when full, never past `bound` bytes in all.
        mutating func room(upTo bound: Int) throws(GzipError) -> UnsafeMutableRawBufferPointer {
            if count == capacity {
                guard count < bound else { throw GzipError.overLimit(bound) }
                let grown = min(capacity * 2, bound)
                guard let memory = realloc(base, grown) else { throw .outOfMemory(grown) }   // `base` stays valid
                (base, capacity) = (memory, grown)
            }
            return UnsafeMutableRawBufferPointer(start: base + count, count: min(capacity, bound) - count)
        }

        func finish() -> UnsafeMutableRawBufferPointer {
            UnsafeMutableRawBufferPointer(start: base, count: count)
        }

        func discard() {
            free(base)
        }
    }
}
