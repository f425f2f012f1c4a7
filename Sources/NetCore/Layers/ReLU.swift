/// ReLU(x) = max(x, 0); ReLU′ = 1 where y > 0, else 0.
public enum ReLU: ActivationFunction {
    @inlinable @inline(__always) public static func value(_ x: Float) -> Float { max(x, 0) }
    @inlinable @inline(__always) public static func derivative(output y: Float) -> Float { y > 0 ? 1 : 0 }
}
