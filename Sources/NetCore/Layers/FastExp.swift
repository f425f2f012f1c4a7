/// e^x without a library call, so that loops over it vectorize (Cephes `expf`: range reduction
/// by ln 2, degree-6 polynomial, 2ⁿ through the exponent bits), within about 2 ulp.
/// Inputs are clamped to [−87.3, 88], so the result is always a finite, normal Float:
/// e^±1000 gives ≈1.2e-38 and ≈1.7e38 instead of 0 and ∞.
@inlinable @inline(__always)
func fastExp(_ x: Float) -> Float {
    let clamped = min(max(x, -87.3), 88)
    // Adding 1.5·2²³ rounds to the nearest integer n and leaves n in the low mantissa bits.
    let shifted = clamped * 1.442_695_04 + 12_582_912
    let n = shifted - 12_582_912
    let r = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
    var p: Float = 1.987_569_15e-4
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    p = p * (r * r) + r + 1
    let twoToN = (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23
    return p * Float(bitPattern: twoToN)
}
