import Foundation
import NetCore
@testable import LabReport

/// Deterministic, plausible metrics files for the report tests (no trainer needed).
enum SyntheticMetrics {
    /// MNIST's test images per digit.
    static let testImagesPerDigit = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

    /// Epochs of one run: losses fall and accuracies rise smoothly towards `finalAccuracy`.
    static func run(model: String, digit: Int?, hidden: Int?, activation: String? = "sigmoid", epochs: Int,
                    startLoss: Double, finalAccuracy: Double) -> [EpochMetrics] {
        let output = model == "multiclass" ? 10 : 1
        let widths = hidden.map { [784, $0, output] } ?? [784, output]
        return (1...epochs).map { epoch in
            let progress = 1 - exp(-3 * Double(epoch) / Double(epochs))
            let trainLoss = startLoss * exp(-2.5 * Double(epoch) / Double(epochs))
            let accuracy = finalAccuracy - (1 - progress) * 0.08
            var line = EpochMetrics(
                model: model, epoch: epoch, epochs: epochs, trainLoss: trainLoss, testLoss: trainLoss * 1.15 + 0.004,
                trainAccuracy: min(accuracy + 0.004, 1), testAccuracy: accuracy, seconds: 0.05 + 0.001 * Double(epoch),
                samplesPerSecond: 850_000, ranks: 2, threads: 2, seed: 1, batchSize: 64, learningRate: 0.1,
                momentum: 0.9, hidden: hidden, activation: hidden == nil ? nil : activation, digit: digit,
                layerWidths: widths)
            if model == "multiclass" {
                let matrix = confusion(accuracy: accuracy)
                line.confusion = matrix
                line.perClassAccuracy = matrix.enumerated().map { Double($1[$0]) / Double($1.reduce(0, +)) }
            } else {
                let digitAccuracy = (0..<10).map { $0 == digit ? accuracy - 0.12 : min(accuracy + 0.015, 0.999) }
                line.digitAccuracy = digitAccuracy
                line.binaryConfusion = digit.map { binaryConfusion(digitAccuracy: digitAccuracy, digit: $0) }
            }
            return line
        }
    }

    /// A confusion matrix with about `accuracy` on the diagonal and the errors spread over a few digits.
    static func confusion(accuracy: Double) -> [[Int]] {
        testImagesPerDigit.enumerated().map { digit, total in
            var row = [Int](repeating: 0, count: 10)
            let wrong = Int((Double(total) * (1 - accuracy + 0.01 * Double(digit % 3))).rounded())
            let targets = [(digit + 3) % 10, (digit + 7) % 10, (digit + 1) % 10]
            for (index, target) in targets.enumerated() { row[target] = wrong * [5, 3, 2][index] / 10 }
            row[digit] = total - row.reduce(0, +)
            return row
        }
    }

    /// A detector's counts that match its per-digit accuracy on MNIST's test images.
    static func binaryConfusion(digitAccuracy: [Double], digit: Int) -> BinaryConfusion {
        var counts = BinaryConfusion(truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0)
        for (label, total) in testImagesPerDigit.enumerated() {
            let correct = Int((digitAccuracy[label] * Double(total)).rounded())
            if label == digit {
                counts.truePositives = correct
                counts.falseNegatives = total - correct
            } else {
                counts.trueNegatives += correct
                counts.falsePositives += total - correct
            }
        }
        return counts
    }

    /// One epoch of a run whose values the tests set by hand; the rest are plausible constants.
    static func line(model: String = "single", digit: Int? = 5, epoch: Int, epochs: Int, trainLoss: Double,
                     testLoss: Double, trainAccuracy: Double = 0.97, testAccuracy: Double = 0.97) -> EpochMetrics {
        EpochMetrics(model: model, epoch: epoch, epochs: epochs, trainLoss: trainLoss, testLoss: testLoss,
                     trainAccuracy: trainAccuracy, testAccuracy: testAccuracy, seconds: 0.1, digit: digit,
                     layerWidths: model == "multiclass" ? [784, 64, 10] : model == "hidden" ? [784, 64, 1] : [784, 1])
    }

    /// The three main runs (single "is it a 5?", hidden, multiclass), `hidden` units wide.
    static func mainRuns(epochs: Int = 40, hidden: Int = 64) -> [EpochMetrics] {
        run(model: "single", digit: 5, hidden: nil, epochs: epochs, startLoss: 0.25, finalAccuracy: 0.972)
            + run(model: "hidden", digit: 5, hidden: hidden, epochs: epochs, startLoss: 0.2, finalAccuracy: 0.994)
            + run(model: "multiclass", digit: nil, hidden: hidden, epochs: epochs, startLoss: 0.7, finalAccuracy: 0.975)
    }

    /// The "all digits" set: one single-neuron detector per digit.
    static func digitRuns(epochs: Int = 10) -> [EpochMetrics] {
        (0...9).flatMap { digit in
            run(model: "single", digit: digit, hidden: nil, epochs: epochs, startLoss: 0.3,
                finalAccuracy: 0.985 - 0.004 * Double(digit % 4))
        }
    }

    /// `lines` as JSON-lines text, as the trainer writes it.
    static func jsonLines(_ lines: [EpochMetrics]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try lines.map { String(decoding: try encoder.encode($0), as: UTF8.self) }.joined(separator: "\n") + "\n"
    }

    /// A fresh empty directory under the system's temporary directory.
    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("mpitrain-report-tests-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
