import Foundation

/// A checkpoint's model, classifying images: each image's probability for each class.
public final class Predictor {
    /// The model.
    public let model: ModelConfiguration
    private let network: Network

    /// The model saved in `checkpoint`, with its parameters.
    public init(_ checkpoint: Checkpoint) throws(CheckpointError) {
        model = checkpoint.configuration.model
        network = Network(model, seed: 0)
        var optimizer = Optimizer(learningRate: 1, momentum: 0, parameterCount: network.parameterCount)
        try checkpoint.restore(into: network, optimizer: &optimizer)
    }

    /// The names of the classes `probabilities` gives, in its order: "0" … for multiclass; for the
    /// binary models "not D" then "D".
    public var classNames: [String] {
        model.isBinary ? ["not \(model.digit)", "\(model.digit)"] : (0..<model.classes).map(String.init)
    }

    /// Each of `count` images' probabilities, [count][classNames.count]: the softmax of the logits
    /// (multiclass), or 1 − σ(z) and σ(z) (binary). `images` is [count, model.inputs], values 0…1.
    public func probabilities(_ images: [Float], count: Int) -> [[Double]] {
        precondition(images.count == count * model.inputs, "images do not match the model's inputs")
        guard count > 0 else { return [] }
        let outputs = model.outputs
        let labels = [UInt8](repeating: 0, count: count)
        let logits = images.withUnsafeBufferPointer { pixels in
            labels.withUnsafeBufferPointer { labels in
                _ = network.forward(input: .dense(pixels.baseAddress!), labels: labels.baseAddress!, count: count,
                                    predictions: nil)
                return Array(UnsafeBufferPointer(start: network.workspace.outputs(network.layers.count - 1),
                                                 count: count * outputs))   // [count, outputs]
            }
        }
        return (0..<count).map { image in
            let z = logits[image * outputs..<(image + 1) * outputs].map(Double.init)
            if model.isBinary {
                let positive = 1 / (1 + exp(-z[0]))
                return [1 - positive, positive]
            }
            let largest = z.max()!
            let exponentials = z.map { exp($0 - largest) }
            let total = exponentials.reduce(0, +)
            return exponentials.map { $0 / total }
        }
    }
}
