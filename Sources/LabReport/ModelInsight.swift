import Foundation
import NetCore

/// What the report draws from a trained model's weights and its answers on the test images: the
/// first layer's weights as images, the most confident mistakes, and (for a detector) each test
/// image's probability of "yes" for the precision–recall curve.
public struct ModelInsight: Sendable {
    /// One test image the model got wrong.
    struct Mistake: Sendable {
        /// The image's pixels, 0…255, row by row.
        let pixels: [UInt8]
        /// The true class and the class predicted (for a detector: its class, or −1 for "not").
        let trueClass: Int, predicted: Int
        /// The probability the model gave its wrong answer.
        let probability: Double
    }

    /// The images' height and width.
    let rows: Int, columns: Int
    /// The first layer's weights of the units drawn, [units][pixels]: the single neuron's one unit,
    /// or a hidden layer's first units.
    let unitWeights: [[Float]]
    /// Units in the first layer.
    let firstLayerUnits: Int
    /// The most confident mistakes, most confident first (at most 400).
    let mistakes: [Mistake]
    /// A detector's probability of "yes" for each test image, and whether the image is of its class;
    /// empty for multiclass.
    let scores: [Double], positives: [Bool]
    /// The model's layer widths, to check it against its run.
    let layerWidths: [Int]

    /// Units of a hidden layer drawn as images.
    static let unitsDrawn = 8

    /// The insight into `checkpoint`'s model on `test`; `nil` when the checkpoint does not hold the model's weights.
    public init?(_ checkpoint: Checkpoint, test: LabeledImages) {
        let model = checkpoint.configuration.model
        guard let predictor = try? Predictor(checkpoint), test.pixelsPerImage == model.inputs,
              let first = checkpoint.tensors["dense1.weights"], let weights = first.floats, first.shape.count == 2
        else { return nil }
        rows = test.rows
        columns = test.columns
        layerWidths = model.layerWidths
        let (inputs, outputs) = (first.shape[0], first.shape[1])    // [inputs, outputs]
        firstLayerUnits = outputs
        unitWeights = (0..<min(outputs, Self.unitsDrawn)).map { unit in (0..<inputs).map { weights[$0 * outputs + unit] } }

        let pixels = test.pixels.map { Float($0) / 255 }    // [count, inputs]
        let probabilities = predictor.probabilities(pixels, count: test.count)
        var mistakes: [Mistake] = []
        var scores: [Double] = [], positives: [Bool] = []
        for (index, answer) in probabilities.enumerated() {
            let label = Int(test.labels[index])
            let image = { Array(test.pixels[(index * inputs)..<((index + 1) * inputs)]) }
            if model.isBinary {
                let yes = answer[1], positive = label == model.digit
                scores.append(yes)
                positives.append(positive)
                if (yes >= 0.5) != positive {
                    mistakes.append(Mistake(pixels: image(), trueClass: label, predicted: positive ? -1 : model.digit,
                                            probability: max(yes, 1 - yes)))
                }
            } else {
                let predicted = answer.indices.max { answer[$0] < answer[$1] }!
                if predicted != label {
                    mistakes.append(Mistake(pixels: image(), trueClass: label, predicted: predicted, probability: answer[predicted]))
                }
            }
        }
        self.mistakes = Array(mistakes.sorted { $0.probability > $1.probability }.prefix(400))
        self.scores = scores
        self.positives = positives
    }

    /// Whether this insight is of `run`'s model.
    func matches(_ run: RunMetrics) -> Bool { layerWidths == run.layerWidths }
}
