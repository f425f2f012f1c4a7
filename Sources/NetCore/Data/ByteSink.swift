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

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = malloc(self.capacity)!.assumingMemoryBound(to: UInt8.self)
    }

    /// Makes room for at least `extra` more bytes.
    mutating func reserve(_ extra: Int) {
        guard capacity - count < extra else { return }
        capacity = max(capacity * 2, count + extra)
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
