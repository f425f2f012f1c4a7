import NetCore

/// A Double re-implementation of `Network`'s forward pass and summed loss, reading the documented
/// parameter layout (per dense layer: weights [inputs, outputs] row-major, then bias [outputs]).
struct ReferenceNetwork {
    let configuration: ModelConfiguration

    /// The logits [batch, outputs] for `parameters`; with `masks`, hidden layer l's outputs
    /// [batch, width] are multiplied by `masks[l]` (dropout's scales).
    func logits(parameters: [Double], images: [Float], batch: Int, masks: [[Float]]? = nil) -> [Double] {
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
                values = values.map { referenceActivation(configuration.activations[index].rawValue, $0) }
                if let masks { values = zip(values, masks[index]).map { $0 * Double($1) } }
            }
        }
        precondition(offset == parameters.count)
        return values
    }

    /// The summed loss and the correct count.
    func evaluate(parameters: [Double], images: [Float], labels: [UInt8], masks: [[Float]]? = nil) -> (loss: Double, correct: Int) {
        let batch = labels.count
        let z = logits(parameters: parameters, images: images, batch: batch, masks: masks)
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

/// Small configurations covering every model and activation at depths 0–3, mixed activations
/// per layer, and 2, 10 and 26 classes (inputs reduced for speed).
let smallConfigurations: [ModelConfiguration] = [
    ModelConfiguration(kind: .single, inputs: 12),
    ModelConfiguration(kind: .multiclass, inputs: 12, hidden: 0),
    ModelConfiguration(kind: .multiclass, inputs: 12, hidden: 0, classes: 2),
    ModelConfiguration(kind: .hidden, inputs: 12, hidden: [6, 5], activations: [.tanh, .relu]),
    ModelConfiguration(kind: .multiclass, inputs: 12, hidden: [6, 5, 4], activations: [.relu, .tanh, .sigmoid]),
    ModelConfiguration(kind: .multiclass, inputs: 12, hidden: [7, 5], activations: [.relu], classes: 26),
    ModelConfiguration(kind: .single, inputs: 12, classes: 26, digit: 23),
] + Activation.allCases.flatMap { activation in [
    ModelConfiguration(kind: .hidden, inputs: 12, hidden: 5, activation: activation),
    ModelConfiguration(kind: .multiclass, inputs: 12, hidden: 5, activation: activation),
    ModelConfiguration(kind: .multiclass, inputs: 12, hidden: [6, 4], activations: [activation]),
] }

/// A small batch: images [7, inputs] in [0, 1]; for ten classes labels with the digit 5 three
/// times, for others labels spread over the classes (26: 5, 16, 1, 12, 23, 8, 19).
func smallBatch(inputs: Int, classes: Int = 10, seed: UInt64 = 20) -> (images: [Float], labels: [UInt8]) {
    let labels: [UInt8] = classes == 10 ? [5, 3, 5, 0, 9, 1, 5] : (0..<7).map { UInt8(($0 * 11 + 5) % classes) }
    return (uniformValues(labels.count * inputs, in: 0...1, seed: seed), labels)
}
