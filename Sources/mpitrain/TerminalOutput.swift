import Foundation
import NetCore
import Parallel

/// The first line of a run: what is trained, how, and where.
struct RunDescription {
    let configuration: TrainingConfiguration
    let ranks: Int
    /// Threads per rank the network runs on, and those asked for (more, for a net too small to share).
    let threads: Int, askedThreads: Int
    let inputForm: InputForm
    var summation: Summation = .float
    var precision: ProductPrecision = .fp32

    /// SGD's momentum as before ("momentum 0.9"), or the optimizer; then weight decay, warm-up,
    /// dropout, input dropout and augmentation when used.
    private var optimizer: String {
        var parts = [configuration.optimizer == .sgd ? "momentum \(configuration.momentum)" : configuration.optimizer.rawValue]
        if configuration.weightDecay != 0 { parts.append("weight decay \(configuration.weightDecay)") }
        if configuration.warmup > 0 { parts.append("warm-up \(counted(configuration.warmup, "epoch"))") }
        if !configuration.dropout.isEmpty { parts.append("dropout \(configuration.dropout.map { "\($0)" }.joined(separator: ","))") }
        if configuration.inputDropout > 0 { parts.append("input dropout \(configuration.inputDropout)") }
        if let augmentation = configuration.augmentation { parts.append("\(augmentation.rawValue) augmentation") }
        return parts.joined(separator: ", ")
    }

    var text: String {
        let model = configuration.model
        let layers = model.layerWidths.map(String.init).joined(separator: "→")
        let target = model.isBinary ? ", target: is it a \(model.digit)?" : ""
        let activation = model.hasHiddenLayer ? ", \(model.activationNames) hidden" : ""
        return "mpitrain: \(model.kind.rawValue) \(layers)\(activation)\(target) | \(counted(configuration.epochs, "epoch")), "
            + "batch \(configuration.batchSize), lr \(configuration.learningRate), \(optimizer), "
            + "seed \(configuration.seed), \(inputForm.rawValue) input\(precision == .bf16 ? ", bf16 products" : "") | \(ranks) rank\(ranks == 1 ? "" : "s") × \(threads) thread\(threads == 1 ? "" : "s")"
            + (askedThreads > threads ? " (of \(askedThreads) asked: a model this small runs faster on one)" : "")
            + (summation == .exact ? ", reproducible" : "")
    }
}

/// One line per epoch: epoch, train loss and accuracy, validation loss and accuracy (with a
/// validation set), test loss and accuracy, seconds.
struct EpochLine {
    let metrics: EpochMetrics

    init(_ metrics: EpochMetrics) {
        self.metrics = metrics
    }

    var text: String {
        let width = String(metrics.epochs).count
        let epoch = String(metrics.epoch).leftPadded(to: width)
        var validation = ""
        if let loss = metrics.validationLoss, let accuracy = metrics.validationAccuracy {
            validation = "  val loss \(fixed(loss, 4))  acc \(percent(accuracy))"
        }
        return "epoch \(epoch)/\(metrics.epochs)  train loss \(fixed(metrics.trainLoss, 4))  acc \(percent(metrics.trainAccuracy))"
            + validation
            + "  test loss \(fixed(metrics.testLoss, 4))  acc \(percent(metrics.testAccuracy))  \(fixed(metrics.seconds, 3)) s"
    }
}

/// The end of a run: final losses and accuracy, then per-class accuracy and (multiclass) the confusion matrix.
struct Summary {
    let configuration: TrainingConfiguration
    let evaluation: Evaluation
    /// The last epoch trained (earlier than the run's last when it stopped early).
    let lastEpoch: Int
    /// Epochs this process trained (fewer than `lastEpoch` after a resume): the seconds are theirs.
    let epochsRun: Int
    let seconds: Double
    /// The classes' names (`--class-names`), else their numbers.
    var classNames: [String]? = nil
    /// Classes in a line of the per-class table.
    private static let classesPerLine = 10

    var text: String {
        let model = configuration.model
        var lines = [
            "final: \(model.kind.rawValue) after \(counted(lastEpoch, "epoch")): test loss \(fixed(evaluation.loss, 4)), "
                + "test accuracy \(percent(evaluation.accuracy)) (\(evaluation.examples) images), "
                + "\(fixed(seconds, 2)) s (\(fixed(seconds / Double(max(epochsRun, 1)), 3)) s/epoch)",
        ]
        let title = model.isBinary ? "accuracy of the \"is it a \(model.digit)?\" detector on each class's images:"
                                   : "per-class accuracy:"
        lines.append(title)
        let classes = evaluation.digitAccuracy.count
        let names = classNames ?? (0..<classes).map(String.init)
        let column = max(8, (names.map(\.count).max() ?? 0) + 2)
        for first in stride(from: 0, to: classes, by: Self.classesPerLine) {
            let range = first..<min(first + Self.classesPerLine, classes)
            lines.append("  class    " + range.map { names[$0].leftPadded(to: column) }.joined())
            lines.append("  accuracy " + range.map { percent(evaluation.digitAccuracy[$0]).leftPadded(to: column) }.joined())
        }
        if !model.isBinary && classes <= Self.classesPerLine * 2 {
            lines.append("confusion matrix (rows: true class, columns: predicted\(classNames == nil ? "" : "; classes by number")):")
            let width = String(classes - 1).count
            lines.append(String(repeating: " ", count: 6 + width) + (0..<classes).map { String($0).leftPadded(to: 6) }.joined())
            for (label, row) in evaluation.confusion.enumerated() {
                lines.append("  " + String(label).leftPadded(to: width) + "    " + row.map { String($0).leftPadded(to: 6) }.joined())
            }
        } else if !model.isBinary {
            lines.append("confusion matrix: \(classes) × \(classes), in the metrics file (--metrics)")
        }
        return lines.joined(separator: "\n")
    }
}

// MARK: - Number formatting

/// "1 epoch", "3 epochs".
func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}

/// `value` with `digits` decimals.
func fixed(_ value: Double, _ digits: Int) -> String {
    String(format: "%.\(digits)f", value)
}

/// A fraction as a percentage with two decimals, e.g. "98.12%".
func percent(_ fraction: Double) -> String {
    String(format: "%.2f%%", fraction * 100)
}

extension String {
    /// The string right-aligned in a field of `width` characters.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

/// With `--profile`: where the epoch's time went, each phase's mean over the ranks (and its max).
struct ProfileLine {
    let breakdown: [String: PhaseSpread]

    init(_ breakdown: [String: PhaseSpread]) {
        self.breakdown = breakdown
    }

    var text: String {
        let total = Phase.allCases.reduce(0) { $0 + (breakdown[$1.rawValue]?.mean ?? 0) }
        let parts = Phase.allCases.compactMap { phase -> String? in
            guard let spread = breakdown[phase.rawValue] else { return nil }
            let share = total > 0 ? spread.mean / total * 100 : 0
            return "\(phase.rawValue) \(fixed(spread.mean, 3)) s (\(Int(share.rounded()))%, max \(fixed(spread.max, 3)))"
        }
        return "  profile (mean over ranks): " + parts.joined(separator: ", ")
    }
}
