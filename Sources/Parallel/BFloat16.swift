/// bfloat16: a float's sign, its 8 exponent bits and the top 7 of its 23 mantissa bits (relative
/// rounding error ≤ 2⁻⁸, the same range as fp32). The wire format of `--allreduce-precision bf16`,
/// and the factors of `--precision bf16`'s products.
public enum BFloat16 {
    /// `value` rounded to the nearest bfloat16 (ties to even), as its 16 bits. NaN stays NaN.
    @inline(__always)
    public static func bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        guard !value.isNaN else { return UInt16(bits >> 16) | 0x40 }
        return UInt16((bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    /// The float whose top 16 bits are `bits`.
    @inline(__always)
    public static func float(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// `values` rounded to bfloat16, into `bits` (at least as long).
    public static func encode(_ values: UnsafeBufferPointer<Float>, into bits: UnsafeMutablePointer<UInt16>) {
        for i in values.indices { bits[i] = Self.bits(values[i]) }
    }

    /// The floats of `bits`, into `values` (`values.count` of them).
    public static func decode(_ bits: UnsafePointer<UInt16>, into values: UnsafeMutableBufferPointer<Float>) {
        for i in values.indices { values[i] = float(bits[i]) }
    }
}
