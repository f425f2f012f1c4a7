/// ReLU(x) = max(x, 0); ReLU′ = 1 where y > 0, else 0.
public enum ReLU: ActivationFunction {
    @inline(__always) public static func value(_ x: SIMD16<Float>) -> SIMD16<Float> {
        x.replacing(with: 0, where: x .< 0)
    }

    @inline(__always) public static func derivative(output y: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16(repeating: 0).replacing(with: 1, where: y .> 0)
    }
}
