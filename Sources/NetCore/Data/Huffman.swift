/// A canonical Huffman code (RFC 1951 §3.2.2) laid out for fast decoding.
///
/// Codes of up to `fastBits` bits are found with one table look-up on the next input bits
/// (DEFLATE sends codes most-significant bit first, so the table is indexed by the reversed code);
/// the rare longer codes are decoded bit by bit from `counts` and `symbols` (as in zlib's puff.c).
/// The storage is not owned: `Inflate` allocates it once per stream.
struct HuffmanCode {
    static let fastBits = 10
    static let fastSize = 1 << fastBits
    static let maxLength = 15

    /// For each value of the next `fastBits` input bits: `symbol << 4 | length`, or 0 for a longer code.
    let fast: UnsafeMutablePointer<UInt16>      // [fastSize]
    /// How many codes have each length 0...15.
    let counts: UnsafeMutablePointer<UInt16>    // [16]
    /// The symbols ordered by (code length, symbol), i.e. in canonical code order.
    let symbols: UnsafeMutablePointer<UInt16>   // [symbol count]

    /// Builds the code for `lengths[0..<count]` (0 = symbol unused).
    /// An incomplete code is refused unless `incompleteAllowed` and it has a single 1-bit code
    /// (RFC 1951 allows that for distances); an empty code is kept and fails when used.
    func build(lengths: UnsafePointer<UInt8>, count: Int, incompleteAllowed: Bool) throws(GzipError) {
        counts.update(repeating: 0, count: Self.maxLength + 1)
        for symbol in 0..<count { counts[Int(lengths[symbol])] += 1 }
        counts[0] = 0

        var unused = 1
        var longest = 0
        for length in 1...Self.maxLength {
            unused = unused << 1 - Int(counts[length])
            if unused < 0 { throw GzipError("corrupt deflate data: over-subscribed Huffman code") }
            if counts[length] > 0 { longest = length }
        }
        if unused > 0 && longest > 0 && (!incompleteAllowed || longest != 1) {
            throw GzipError("corrupt deflate data: incomplete Huffman code")
        }

        var offsets = [Int](repeating: 0, count: Self.maxLength + 2)
        for length in 1...Self.maxLength { offsets[length + 1] = offsets[length] + Int(counts[length]) }
        for symbol in 0..<count where lengths[symbol] != 0 {
            let length = Int(lengths[symbol])
            symbols[offsets[length]] = UInt16(symbol)
            offsets[length] += 1
        }

        fast.update(repeating: 0, count: Self.fastSize)
        var code = 0
        var index = 0
        for length in 1...Self.fastBits {
            for _ in 0..<Int(counts[length]) {
                let entry = symbols[index] << 4 | UInt16(length)
                var slot = Self.reversed(code, length)
                while slot < Self.fastSize {
                    fast[slot] = entry
                    slot += 1 << length
                }
                code += 1
                index += 1
            }
            code <<= 1
        }
    }

    /// The low `length` bits of `code` in reverse order.
    private static func reversed(_ code: Int, _ length: Int) -> Int {
        var result = 0
        var code = code
        for _ in 0..<length {
            result = result << 1 | code & 1
            code >>= 1
        }
        return result
    }
}
