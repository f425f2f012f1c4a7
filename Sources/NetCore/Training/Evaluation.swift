/// A model's results on a labelled set: loss, accuracy and the confusion counts behind them.
public struct Evaluation: Sendable, Equatable {
    /// The model that was evaluated (decides how predictions are read).
    public let model: ModelConfiguration
    /// Summed loss over all examples.
    public var lossSum: Double
    /// `confusion[trueClass][predicted]`: predicted is the class for multiclass, and 0 ("not the
    /// positive class") or 1 ("is it") for the binary detectors. [classes, classes] or [classes, 2].
    public var confusion: [[Int]]

    /// An empty tally for `model` (every count zero).
    public init(model: ModelConfiguration) {
        self.model = model
        lossSum = 0
        confusion = Array(repeating: Array(repeating: 0, count: model.isBinary ? 2 : model.classes),
                          count: model.classes)
    }

    /// Examples evaluated.
    public var examples: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }
    /// Mean loss per example.
    public var loss: Double { examples == 0 ? 0 : lossSum / Double(examples) }
    /// Fraction of examples predicted correctly, in [0, 1].
    public var accuracy: Double {
        examples == 0 ? 0 : Double(confusion.indices.reduce(0) { $0 + correct(digit: $1) }) / Double(examples)
    }

    /// Per true class, the fraction predicted correctly: per-class accuracy for multiclass, and for
    /// a binary detector how it does on each class's images (the "is it a 5?" detector on 0–9).
    public var digitAccuracy: [Double] {
        confusion.indices.map { digit in
            let total = confusion[digit].reduce(0, +)
            return total == 0 ? 0 : Double(correct(digit: digit)) / Double(total)
        }
    }

    /// Correct predictions among the images of `digit`.
    private func correct(digit: Int) -> Int {
        guard model.isBinary else { return confusion[digit][digit] }
        return confusion[digit][digit == model.digit ? 1 : 0]
    }

    /// Counts one example.
    mutating func record(label: UInt8, predicted: UInt8) {
        confusion[Int(label)][Int(predicted)] += 1
    }

    /// The tally as Doubles, [lossSum, counts...], for one allreduce across ranks.
    var flattened: [Double] { [lossSum] + confusion.joined().map(Double.init) }

    /// Restores the tally from `flattened` after an allreduce.
    mutating func unflatten(_ values: [Double]) {
        lossSum = values[0]
        let columns = confusion[0].count
        for row in confusion.indices {
            for column in 0..<columns { confusion[row][column] = Int(values[1 + row * columns + column]) }
        }
    }
}
