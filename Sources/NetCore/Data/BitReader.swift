/// Reads a DEFLATE bit stream: bits are taken least-significant first from consecutive bytes,
/// kept in a 64-bit buffer that is refilled eight bytes at a time.
struct BitReader {
    private let bytes: UnsafePointer<UInt8>
    private let end: Int
    /// The next byte not yet moved into `buffer`.
    private(set) var position: Int
    /// Unconsumed bits, lowest first; bits above `available` are either zero or the true
    /// next bits of the input, so a refill may OR new bytes in.
    private var buffer: UInt64 = 0
    private var available = 0

    init(_ bytes: UnsafePointer<UInt8>, count: Int, position: Int) {
        self.bytes = bytes
        self.end = count
        self.position = position
    }

    /// Tops the buffer up to at least 56 bits, or to what is left of the input.
    @inline(__always)
    mutating func refill() {
        if position + 8 <= end {
            let word = UnsafeRawPointer(bytes + position).loadUnaligned(as: UInt64.self).littleEndian
            buffer |= word << UInt64(available)
            position += (63 - available) >> 3
            available |= 56
        } else {
            while available <= 56 && position < end {
                buffer |= UInt64(bytes[position]) << UInt64(available)
                position += 1
                available += 8
            }
        }
    }

    /// The next `count` (0...32) bits as an integer, first bit lowest.
    @inline(__always)
    mutating func bits(_ count: Int) throws(GzipError) -> Int {
        if available < count {
            refill()
            if available < count { throw GzipError.truncated }
        }
        let value = Int(truncatingIfNeeded: buffer & ((1 << UInt64(count)) - 1))
        buffer >>= UInt64(count)
        available -= count
        return value
    }

    /// The next symbol of `code`.
    @inline(__always)
    mutating func decode(_ code: HuffmanCode) throws(GzipError) -> Int {
        if available < HuffmanCode.maxLength { refill() }
        let entry = Int(code.fast[Int(truncatingIfNeeded: buffer) & (HuffmanCode.fastSize - 1)])
        let length = entry & 15
        if length != 0 && length <= available {
            buffer >>= UInt64(length)
            available -= length
            return entry >> 4
        }
        return try decodeLongCode(code)
    }

    /// Canonical decoding one bit at a time, for codes longer than `HuffmanCode.fastBits`.
    private mutating func decodeLongCode(_ huffman: HuffmanCode) throws(GzipError) -> Int {
        var code = 0
        var first = 0
        var index = 0
        for length in 1...HuffmanCode.maxLength {
            guard length <= available else { throw GzipError.truncated }
            code |= Int(truncatingIfNeeded: (buffer >> UInt64(length - 1)) & 1)
            let count = Int(huffman.counts[length])
            if code - first < count {
                buffer >>= UInt64(length)
                available -= length
                return Int(huffman.symbols[index + code - first])
            }
            index += count
            first = (first + count) << 1
            code <<= 1
        }
        throw GzipError("corrupt deflate data: invalid Huffman code")
    }

    /// Drops the bits up to the next byte boundary and hands the whole bytes still buffered back
    /// to the input; returns the position of the next unread byte.
    mutating func alignToByte() -> Int {
        position -= available >> 3
        buffer = 0
        available = 0
        return position
    }

    /// Continues reading at byte `position` (after a stored block was copied directly).
    mutating func skip(to position: Int) {
        precondition(available == 0)
        self.position = position
    }
}
