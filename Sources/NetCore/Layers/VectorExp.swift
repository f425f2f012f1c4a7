/// e^x on 16 lanes at once (Cephes `expf`: range reduction by ln 2, degree-6 polynomial, 2ⁿ by
/// exponent bits), about 2 ulp. Inputs are clamped to [−87.3, 88], so the result is always a
/// finite, normal Float: e^±1000 gives ≈1.2e-38 and ≈1.7e38 instead of 0 and ∞.
@inline(__always)
func vectorExp(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let clamped = x.clamped(lowerBound: SIMD16(repeating: -87.3), upperBound: SIMD16(repeating: 88))
    let n = (clamped * 1.442_695_04).rounded(.toNearestOrEven)
    let r = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
    let r2 = r * r
    var p = SIMD16<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    p = p * r2 + r + 1
    let exponent = (SIMD16<Int32>(n, rounding: .towardZero) &+ 127) &<< 23
    return p * unsafeBitCast(exponent, to: SIMD16<Float>.self)
}

/// Loads up to 16 floats (the rest of the lanes are 0).
@inline(__always)
func loadLanes(_ source: UnsafePointer<Float>, count: Int) -> SIMD16<Float> {
    if count == 16 { return UnsafeRawPointer(source).loadUnaligned(as: SIMD16<Float>.self) }
    var lanes = SIMD16<Float>()
    for lane in 0..<count { lanes[lane] = source[lane] }
    return lanes
}

/// Stores the first `count` (≤ 16) lanes.
@inline(__always)
func storeLanes(_ lanes: SIMD16<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
    if count == 16 {
        UnsafeMutableRawPointer(destination).storeBytes(of: lanes, as: SIMD16<Float>.self)
        return
    }
    for lane in 0..<count { destination[lane] = lanes[lane] }
}
