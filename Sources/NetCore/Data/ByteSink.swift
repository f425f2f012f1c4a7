#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable output buffer for decompression: raw memory, grown by `realloc`, so that
/// writing a byte costs a store and not an `Array` append.
struct ByteSink {
    private(set) var base: UnsafeMutablePointer<UInt8>
    var count = 0
    private(set) var capacity: Int
    /// The most bytes the sink takes: `reserve` throws rather than grow past it.
    let limit: Int
    /// Whether a write was refused for passing `limit` (the bytes before it are kept).
    private(set) var passedLimit = false

    init(capacity: Int, limit: Int = .max) {
        self.limit = limit
        self.capacity = max(1, min(max(capacity, 64), limit))
        base = malloc(self.capacity)!.assumingMemoryBound(to: UInt8.self)
    }

    /// Makes room for at least `extra` more bytes, or throws `GzipError.overLimit` when that
    /// would pass `limit`.
    mutating func reserve(_ extra: Int) throws(GzipError) {
        guard capacity - count < extra else { return }
        guard extra <= limit - count else {
            passedLimit = true
            throw .overLimit(limit)
        }
        capacity = min(max(capacity * 2, count + extra), limit)
        base = realloc(base, capacity)!.assumingMemoryBound(to: UInt8.self)
    }

    /// The bytes written so far, as an array; frees the buffer.
    consuming func finish() -> [UInt8] {
        defer { free(base) }
        return Array(UnsafeBufferPointer(start: base, count: count))
    }

    /// Frees the buffer without using it.
    consuming func discard() {
        free(base)
    }
}
