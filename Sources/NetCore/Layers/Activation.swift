/// The hidden-layer activation chosen by configuration.
public enum Activation: String, CaseIterable, Sendable, Codable {
    case sigmoid, relu, tanh

    /// dL/dx = dL/dy · f′, from the outputs y; `inputGradients` may alias `outputGradients`.
    public func backward(inputGradients dx: UnsafeMutablePointer<Float>, outputGradients dy: UnsafePointer<Float>,
                         outputs y: UnsafePointer<Float>, count: Int) {
        switch self {
        case .sigmoid: Sigmoid.backward(inputGradients: dx, outputGradients: dy, outputs: y, count: count)
        case .relu: ReLU.backward(inputGradients: dx, outputGradients: dy, outputs: y, count: count)
        case .tanh: Tanh.backward(inputGradients: dx, outputGradients: dy, outputs: y, count: count)
        }
    }

    /// values = f(values + bias) row by row, in place.
    func addBiasAndActivate(values: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, batch: Int, width: Int) {
        switch self {
        case .sigmoid: Sigmoid.addBiasAndActivate(values: values, bias: bias, batch: batch, width: width)
        case .relu: ReLU.addBiasAndActivate(values: values, bias: bias, batch: batch, width: width)
        case .tanh: Tanh.addBiasAndActivate(values: values, bias: bias, batch: batch, width: width)
        }
    }
}
