/// A 64-bit FNV-1a hash over the bit patterns of a parameter buffer: equal on two ranks exactly
/// when their parameters are bit-identical (barring a collision).
struct ParameterChecksum: Equatable {
    let value: UInt64

    init(_ parameters: UnsafeMutableBufferPointer<Float>) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for parameter in parameters {
            hash = (hash ^ UInt64(parameter.bitPattern)) &* 0x0000_0100_0000_01B3
        }
        value = hash
    }

    /// The hash as two exactly representable Doubles (32 bits each), for a min/max allreduce.
    var halves: [Double] { [Double(value >> 32), Double(value & 0xFFFF_FFFF)] }
}
