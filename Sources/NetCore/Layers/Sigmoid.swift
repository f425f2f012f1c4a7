/// σ(x) = 1 / (1 + e^−x); σ′ = y·(1 − y).
public enum Sigmoid: ActivationFunction {
    @inline(__always) public static func value(_ x: SIMD16<Float>) -> SIMD16<Float> {
        1 / (1 + vectorExp(-x))
    }

    @inline(__always) public static func derivative(output y: SIMD16<Float>) -> SIMD16<Float> {
        y * (1 - y)
    }
}
