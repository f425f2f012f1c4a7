/// A small deterministic generator of test values (SplitMix64), so failures reproduce.
struct TestValues {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// The next value, uniform in [-1, 1).
    mutating func next() -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) / Float(1 << 23) - 1
    }

    /// `count` values in [-1, 1).
    mutating func array(_ count: Int) -> [Float] { (0..<count).map { _ in next() } }
}
