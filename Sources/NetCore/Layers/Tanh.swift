/// tanh(x) = sign(x)·(1 − e^−2|x|) / (1 + e^−2|x|); tanh′ = 1 − y².
public enum Tanh: ActivationFunction {
    @inlinable @inline(__always) public static func value(_ x: Float) -> Float {
        let decay = fastExp(-2 * abs(x))             // in (0, 1]: never overflows
        let magnitude = (1 - decay) / (1 + decay)
        return x < 0 ? -magnitude : magnitude
    }

    @inlinable @inline(__always) public static func derivative(output y: Float) -> Float { 1 - y * y }
}
