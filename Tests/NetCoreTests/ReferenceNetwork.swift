import NetCore

/// A Double re-implementation of `Network`'s forward pass and summed loss, reading the documented
/// parameter layout (per dense layer: weights [inputs, outputs] row-major, then bias [outputs]).
struct ReferenceNetwork {
    let configuration: ModelConfiguration

    /// The logits [batch, outputs] for `parameters`.
    func logits(parameters: [Double], images: [Float], batch: Int) -> [Double] {
        let widths = configuration.layerWidths
        var values = images.map(Double.init)
        var offset = 0
        for (index, (inputs, outputs)) in zip(widths, widths.dropFirst()).enumerated() {
            let weights = Array(parameters[offset..<(offset + inputs * outputs)])
            offset += inputs * outputs
            let bias = Array(parameters[offset..<(offset + outputs)])
            offset += outputs
            values = referenceDense(values, weights, bias, batch: batch, inputs: inputs, outputs: outputs)
            if index < widths.count - 2 {
                values = values.map { referenceActivation(configuration.activation.rawValue, $0) }
            }
        }
        precondition(offset == parameters.count)
        return values
    }

    /// The summed loss and the correct count.
    func evaluate(parameters: [Double], images: [Float], labels: [UInt8]) -> (loss: Double, correct: Int) {
        let batch = labels.count
        let z = logits(parameters: parameters, images: images, batch: batch)
        var loss = 0.0, correct = 0
        for row in 0..<batch {
            let label = Int(labels[row])
            if configuration.isBinary {
                let isPositive = label == configuration.digit
                loss += referenceBinaryCrossEntropy(logit: z[row], target: isPositive ? 1 : 0)
                if (z[row] > 0) == isPositive { correct += 1 }
            } else {
                let classes = configuration.outputs
                let rowLogits = z[(row * classes)..<((row + 1) * classes)]
                loss += referenceCrossEntropy(rowLogits, label: label)
                if rowLogits.firstIndex(of: rowLogits.max()!)! - row * classes == label { correct += 1 }
            }
        }
        return (loss, correct)
    }
}

/// Small configurations covering every model and activation (inputs reduced for speed).
let smallConfigurations: [ModelConfiguration] = [
    ModelConfiguration(kind: .single, inputs: 12),
    ModelConfiguration(kind: .multiclass, inputs: 12, hidden: 0),
] + Activation.allCases.flatMap { activation in [
    ModelConfiguration(kind: .hidden, inputs: 12, hidden: 5, activation: activation),
    ModelConfiguration(kind: .multiclass, inputs: 12, hidden: 5, activation: activation),
] }

/// A small batch: images [7, inputs] in [0, 1], labels with the digit 5 three times.
func smallBatch(inputs: Int, seed: UInt64 = 20) -> (images: [Float], labels: [UInt8]) {
    let labels: [UInt8] = [5, 3, 5, 0, 9, 1, 5]
    return (uniformValues(labels.count * inputs, in: 0...1, seed: seed), labels)
}
