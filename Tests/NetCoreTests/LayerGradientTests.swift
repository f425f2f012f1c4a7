import Testing
import TestSupport
import NetCore
import Parallel

// Each layer's backward against central differences of a Double reference of its forward, through
// the scalar L = Σ G ⊙ y for a fixed random upstream gradient G.

@Suite struct LayerGradientTests {
    let batch = 3, inputs = 5, outputs = 4, offset = 7

    @Test func denseGradientsMatchFiniteDifferences() throws {
        try checkDense(activation: nil)
    }

    @Test(arguments: Activation.allCases)
    func denseWithActivationGradientsMatchFiniteDifferences(activation: Activation) throws {
        try checkDense(activation: activation)
    }

    /// dense (+ fused activation) forward, then activation backward and the layer's three gradients.
    private func checkDense(activation: Activation?) throws {
        let layer = Dense(inputs: inputs, outputs: outputs, offset: offset)
        #expect(layer.biasOffset == offset + inputs * outputs)
        let parameters = uniformValues(offset + layer.parameterCount, seed: 1)
        let x = uniformValues(batch * inputs, seed: 2)                    // [batch, inputs]
        let upstream = uniformValues(batch * outputs, seed: 3)            // [batch, outputs]
        var y = [Float](repeating: .nan, count: batch * outputs)
        var dz = [Float](repeating: .nan, count: batch * outputs)
        var gradients = [Float](repeating: .nan, count: parameters.count)
        var dx = [Float](repeating: .nan, count: batch * inputs)
        x.withUnsafeBufferPointer { x in
            layer.forward(outputs: &y, inputs: .dense(x.baseAddress!), parameters: parameters, batch: batch,
                          activation: activation)
        }
        if let activation {
            activation.backward(inputGradients: &dz, outputGradients: upstream, outputs: y, count: dz.count)
        } else {
            dz = upstream
        }
        x.withUnsafeBufferPointer { x in
            layer.weightGradient(&gradients, outputGradients: dz, inputs: .dense(x.baseAddress!), batch: batch,
                                 kernels: ProductKernels(inputs: layer.inputs, outputs: layer.outputs, batch: batch))
            layer.biasGradient(&gradients, outputGradients: dz, batch: batch)
            layer.inputGradient(&dx, outputGradients: dz, parameters: parameters, batch: batch,
                                kernels: ProductKernels(inputs: layer.inputs, outputs: layer.outputs, batch: batch))
        }

        let weightCount = inputs * outputs
        func loss(_ point: [Double]) -> Double {     // point = weights, bias, x
            let z = referenceDense(Array(point[(weightCount + outputs)...]), Array(point[..<weightCount]),
                                   Array(point[weightCount..<(weightCount + outputs)]),
                                   batch: batch, inputs: inputs, outputs: outputs)
            let values = activation.map { activation in z.map { referenceActivation(activation.rawValue, $0) } } ?? z
            return zip(values, upstream).map { $0 * Double($1) }.reduce(0, +)
        }
        let point = (parameters[offset...] + x).map(Double.init)
        let numeric = numericGradient(at: point, loss)
        let analytic = Array(gradients[offset...]) + dx
        let result = gradientPasses(analytic, numeric)
        #expect(result.correct, "error \(gradientError(analytic, numeric))")
        #expect(result.corruptedFails)
        #expect(gradients[..<offset].allSatisfy { $0.isNaN }, "wrote outside its view")
    }

    @Test(arguments: Activation.allCases)
    func activationMatchesReferenceAndFiniteDifferences(activation: Activation) throws {
        // Away from ReLU's kink, so that central differences are exact there too.
        let x = uniformValues(37, in: -3...3, seed: 4).map { abs($0) < 0.05 ? $0 + 0.1 : $0 }
        let upstream = uniformValues(x.count, seed: 5)
        var y = [Float](repeating: .nan, count: x.count)
        var dx = [Float](repeating: .nan, count: x.count)
        activation.forward(outputs: &y, inputs: x, count: x.count)
        activation.backward(inputGradients: &dx, outputGradients: upstream, outputs: y, count: x.count)

        let forwardError = zip(y, x).map { abs(Double($0) - referenceActivation(activation.rawValue, Double($1))) }.max()!
        #expect(forwardError < 1e-6)
        let numeric = numericGradient(at: x.map(Double.init)) { point in
            zip(point, upstream).map { referenceActivation(activation.rawValue, $0) * Double($1) }.reduce(0, +)
        }
        let result = gradientPasses(dx, numeric)
        #expect(result.correct, "error \(gradientError(dx, numeric))")
        #expect(result.corruptedFails)
    }
}
