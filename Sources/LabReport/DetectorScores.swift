import NetCore

/// How a binary detector ("is it a 5?") does on the test set, beyond accuracy: against the majority
/// baseline (always give the more common answer, normally "no"), and on the positive class
/// (precision, recall, F1).
struct DetectorScores: Equatable {
    /// The digit detected, when recorded.
    let digit: Int?
    /// The test-set counts of the run's last epoch.
    let counts: BinaryConfusion

    /// The scores of `run`'s last epoch; `nil` for multiclass or a metrics file without `binary_confusion`.
    init?(_ run: RunMetrics) {
        guard run.isBinary, let counts = run.last.binaryConfusion, counts.images > 0 else { return nil }
        self.digit = run.digit
        self.counts = counts
    }

    /// Images of the digit in the test set.
    var positives: Int { counts.truePositives + counts.falseNegatives }
    /// Wrong answers: false positives and false negatives.
    var errors: Int { counts.falsePositives + counts.falseNegatives }
    /// Fraction of all test images answered correctly.
    var accuracy: Double { 1 - Double(errors) / Double(counts.images) }
    /// True when the baseline's answer is "no" (the digit is the minority).
    var baselineSaysNo: Bool { positives * 2 <= counts.images }
    /// Accuracy of always giving the more common answer.
    var baseline: Double { Double(max(positives, counts.images - positives)) / Double(counts.images) }
    /// The share of the baseline's wrong answers the detector gets right: 1 − errors / baseline errors.
    var baselineErrorsRemoved: Double? {
        let baselineErrors = min(positives, counts.images - positives)
        return baselineErrors == 0 ? nil : 1 - Double(errors) / Double(baselineErrors)
    }
    /// Of the images answered "yes", the fraction that are the digit; `nil` without a "yes".
    var precision: Double? {
        let yes = counts.truePositives + counts.falsePositives
        return yes == 0 ? nil : Double(counts.truePositives) / Double(yes)
    }
    /// Of the images of the digit, the fraction answered "yes"; `nil` without any.
    var recall: Double? { positives == 0 ? nil : Double(counts.truePositives) / Double(positives) }
    /// The harmonic mean of precision and recall; `nil` when either is missing or both are 0.
    var f1: Double? {
        guard let precision, let recall, precision + recall > 0 else { return nil }
        return 2 * precision * recall / (precision + recall)
    }
}

extension BinaryConfusion {
    /// All images counted.
    var images: Int { truePositives + falsePositives + falseNegatives + trueNegatives }
}
