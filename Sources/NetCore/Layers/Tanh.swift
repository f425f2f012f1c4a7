/// tanh(x) = sign(x)·(1 − e^−2|x|) / (1 + e^−2|x|); tanh′ = 1 − y².
public enum Tanh: ActivationFunction {
    @inline(__always) public static func value(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let negative = x .< 0
        let decay = vectorExp(-2 * x.replacing(with: -x, where: negative))   // in (0, 1]: never overflows
        let magnitude = (1 - decay) / (1 + decay)
        return magnitude.replacing(with: -magnitude, where: negative)
    }

    @inline(__always) public static func derivative(output y: SIMD16<Float>) -> SIMD16<Float> {
        1 - y * y
    }
}
