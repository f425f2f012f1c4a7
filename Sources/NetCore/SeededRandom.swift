/// A small, fast, portable random number generator (xoshiro256**), seeded through SplitMix64.
///
/// The standard library's `SystemRandomNumberGenerator` cannot be seeded; training must be
/// reproducible from `--seed` on every rank and every machine, so everything random
/// (initial weights, the order of each epoch) comes from this generator.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator for `seed`, optionally split into an independent `stream`
    /// (e.g. the epoch number, so that each epoch's order depends only on (seed, epoch)).
    public init(seed: UInt64, stream: UInt64 = 0) {
        var mixer = seed &+ 0x9E37_79B9_7F4A_7C15 &* (stream &+ 1)
        func splitMix() -> UInt64 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotate(state.3, 45)
        return result
    }

    /// A Float uniform in [0, 1), from the top 24 bits.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A uniform integer in 0 ..< bound, without modulo bias (Lemire's method).
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0)
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

extension SeededRandom {
    /// The order in which epoch `epoch` visits `count` examples: a Fisher–Yates shuffle
    /// that depends only on (seed, epoch), so every rank derives the same one.
    public static func epochOrder(count: Int, seed: UInt64, epoch: Int) -> [Int32] {
        var generator = SeededRandom(seed: seed, stream: UInt64(epoch) &+ 0x5EED)
        var order = (0..<Int32(count)).map { $0 }
        for i in stride(from: count - 1, to: 0, by: -1) {
            order.swapAt(i, generator.nextIndex(below: i + 1))
        }
        return order
    }
}
