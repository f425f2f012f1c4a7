/// An element-wise activation y = f(x) whose derivative can be written in terms of its output y
/// (true of sigmoid, tanh and ReLU), so backward needs only the stored activations.
public protocol ActivationFunction {
    /// f on 16 lanes.
    static func value(_ x: SIMD16<Float>) -> SIMD16<Float>
    /// f′(x) expressed through y = f(x), on 16 lanes.
    static func derivative(output y: SIMD16<Float>) -> SIMD16<Float>
}

extension ActivationFunction {
    /// y = f(x), element-wise over `count` values; `outputs` may alias `inputs`.
    public static func forward(outputs y: UnsafeMutablePointer<Float>,
                               inputs x: UnsafePointer<Float>, count: Int) {
        var start = 0
        while start < count {
            let lanes = min(16, count - start)
            storeLanes(value(loadLanes(x + start, count: lanes)), to: y + start, count: lanes)
            start += lanes
        }
    }

    /// dL/dx = dL/dy · f′(x), from the outputs y; `inputGradients` may alias `outputGradients`.
    public static func backward(inputGradients dx: UnsafeMutablePointer<Float>,
                                outputGradients dy: UnsafePointer<Float>,
                                outputs y: UnsafePointer<Float>, count: Int) {
        var start = 0
        while start < count {
            let lanes = min(16, count - start)
            let slope = derivative(output: loadLanes(y + start, count: lanes))
            storeLanes(loadLanes(dy + start, count: lanes) * slope, to: dx + start, count: lanes)
            start += lanes
        }
    }

    /// values = f(values + bias), row by row, in place: the dense layer's bias add fused with
    /// its activation.
    static func addBiasAndActivate(values: UnsafeMutablePointer<Float>,   // [batch, width]
                                   bias: UnsafePointer<Float>,             // [width]
                                   batch: Int, width: Int) {
        for row in 0..<batch {
            let rowValues = values + row * width
            var start = 0
            while start < width {
                let lanes = min(16, width - start)
                let z = loadLanes(rowValues + start, count: lanes) + loadLanes(bias + start, count: lanes)
                storeLanes(value(z), to: rowValues + start, count: lanes)
                start += lanes
            }
        }
    }
}

/// The identity, for dense layers with no activation (the logits).
public enum Identity: ActivationFunction {
    @inline(__always) public static func value(_ x: SIMD16<Float>) -> SIMD16<Float> { x }
    @inline(__always) public static func derivative(output y: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16(repeating: 1)
    }
}
