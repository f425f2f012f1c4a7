/// σ(x) = 1 / (1 + e^−x); σ′ = y·(1 − y).
public enum Sigmoid: ActivationFunction {
    @inlinable @inline(__always) public static func value(_ x: Float) -> Float { 1 / (1 + fastExp(-x)) }
    @inlinable @inline(__always) public static func derivative(output y: Float) -> Float { y * (1 - y) }
}
