import Testing
import TestSupport
import NetCore

@Suite struct NetworkGradientTests {
    /// Whole-model gradients against central differences of the Double reference network,
    /// plus the loss and correct count in the statistics slots.
    @Test(arguments: smallConfigurations)
    func gradientsMatchFiniteDifferences(configuration: ModelConfiguration) throws {
        let network = Network(configuration, seed: 7)
        // Non-zero biases, so that their gradients flow through non-trivial values.
        let noise = uniformValues(network.parameterCount, in: -0.3...0.3, seed: 8)
        for tensor in network.tensors where tensor.name.hasSuffix("bias") {
            for index in tensor.offset..<(tensor.offset + tensor.count) { network.parameters[index] = noise[index] }
        }
        let (images, labels) = smallBatch(inputs: configuration.inputs, classes: configuration.classes)
        network.computeGradients(images: images, labels: labels, count: labels.count)
        let buffer = Array(network.gradientBuffer)
        let analytic = Array(buffer[..<network.parameterCount])

        let reference = ReferenceNetwork(configuration: configuration)
        let point = network.parameters.map(Double.init)
        let expected = reference.evaluate(parameters: point, images: images, labels: labels)
        #expect(abs(Double(buffer[network.parameterCount]) - expected.loss) < 1e-5 * expected.loss)
        #expect(buffer[network.parameterCount + 1] == Float(expected.correct))

        let numeric = numericGradient(at: point) { reference.evaluate(parameters: $0, images: images, labels: labels).loss }
        let result = gradientPasses(analytic, numeric)
        #expect(result.correct, "error \(gradientError(analytic, numeric))")
        #expect(result.corruptedFails)
    }
}
