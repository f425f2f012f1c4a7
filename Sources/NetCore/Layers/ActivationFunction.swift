/// An element-wise activation y = f(x) whose derivative can be written in terms of its output y
/// (true of sigmoid, tanh and ReLU), so backward needs only the stored activations.
///
/// `value` and `derivative` are branch-free scalar code without library calls, so that the
/// loops below vectorize.
public protocol ActivationFunction {
    /// f(x).
    static func value(_ x: Float) -> Float
    /// f′(x) expressed through y = f(x).
    static func derivative(output y: Float) -> Float
}

extension ActivationFunction {
    /// y = f(x), element-wise over `count` values; `outputs` may alias `inputs`.
    @inlinable
    public static func forward(outputs y: UnsafeMutablePointer<Float>,
                               inputs x: UnsafePointer<Float>, count: Int) {
        // In place, one pointer: the vectorizer's overlap check would otherwise fail and fall back to scalar.
        if UnsafePointer(y) == x {
            for index in 0..<count { y[index] = value(y[index]) }
        } else {
            for index in 0..<count { y[index] = value(x[index]) }
        }
    }

    /// dL/dx = dL/dy · f′(x), from the outputs y; `inputGradients` may alias `outputGradients`.
    @inlinable
    public static func backward(inputGradients dx: UnsafeMutablePointer<Float>,
                                outputGradients dy: UnsafePointer<Float>,
                                outputs y: UnsafePointer<Float>, count: Int) {
        if UnsafePointer(dx) == dy {
            for index in 0..<count { dx[index] *= derivative(output: y[index]) }
        } else {
            for index in 0..<count { dx[index] = dy[index] * derivative(output: y[index]) }
        }
    }

    /// values = f(values + bias), row by row, in place: the dense layer's bias add fused with
    /// its activation.
    static func addBiasAndActivate(values: UnsafeMutablePointer<Float>,   // [batch, width]
                                   bias: UnsafePointer<Float>,             // [width]
                                   batch: Int, width: Int) {
        for row in 0..<batch {
            let rowValues = values + row * width
            for column in 0..<width { rowValues[column] = value(rowValues[column] + bias[column]) }
        }
    }
}

/// The identity, for dense layers with no activation (the logits).
public enum Identity: ActivationFunction {
    @inlinable @inline(__always) public static func value(_ x: Float) -> Float { x }
    @inlinable @inline(__always) public static func derivative(output y: Float) -> Float { 1 }
}
