import NetCore

/// What a run's curves say about over- or under-fitting, judged on sustained (smoothed) trends
/// rather than on one noisy epoch, with the accuracy beside the loss, and where to stop judged on
/// the validation curve only (never on the test set).
struct FittingSummary: Equatable {
    /// One verdict per run; they exclude each other.
    enum Verdict: Equatable {
        /// The smoothed test loss rose clearly after its minimum while the train loss kept falling,
        /// and the test accuracy fell with it.
        case overfitting
        /// The smoothed test loss rose clearly while the train loss fell, but the test accuracy did
        /// not fall: the network grows more confident, and its remaining mistakes cost more loss.
        case overConfident
        /// The smoothed test loss was still falling at the end.
        case stillImproving
        /// Flat at the end, with train and test accuracy close and below 99 %: the model cannot fit
        /// even its training images much better.
        case capacityLimited
        /// Flat at the end, no sign of either.
        case converged
    }

    /// A rise of the smoothed test loss above its minimum, as a fraction, that counts as a rise.
    static let riseTolerance = 0.05
    /// A fall of the smoothed test accuracy, as a fraction, that counts as a fall (0.1 points).
    static let accuracyTolerance = 0.001

    /// The epoch with the lowest test loss (the first, on ties).
    let bestEpoch: Int
    /// The lowest test loss.
    let bestTestLoss: Double
    /// The train loss in `bestEpoch`.
    let trainLossAtBest: Double
    /// The test accuracy in `bestEpoch`.
    let testAccuracyAtBest: Double
    /// The epoch with the highest test accuracy (the first, on ties), and that accuracy.
    let bestAccuracyEpoch: Int, bestTestAccuracy: Double
    /// The last epoch's values.
    let last: EpochMetrics
    /// Epochs averaged in the smoothed curves (a trailing mean): a tenth of the run, 1 to 10.
    let window: Int
    /// How far the mean test loss of the last `window` epochs lies above the lowest such mean, as a fraction.
    let smoothedRise: Double
    /// Mean test accuracy of the last `window` epochs minus that of the window with the lowest mean loss.
    let smoothedAccuracyChange: Double
    /// Whether the smoothed test loss still fell over the last window (by more than 1 %).
    let stillFalling: Bool
    /// The epoch with the lowest validation loss, when the run recorded one: where to stop.
    let bestValidationEpoch: Int?

    /// The summary of `run`.
    init(_ run: RunMetrics) {
        let epochs = run.epochs
        let best = epochs.min { $0.testLoss < $1.testLoss }!
        bestEpoch = best.epoch
        bestTestLoss = best.testLoss
        trainLossAtBest = best.trainLoss
        testAccuracyAtBest = best.testAccuracy
        let mostAccurate = epochs.max { $0.testAccuracy < $1.testAccuracy || ($0.testAccuracy == $1.testAccuracy && $0.epoch > $1.epoch) }!
        bestAccuracyEpoch = mostAccurate.epoch
        bestTestAccuracy = mostAccurate.testAccuracy
        last = run.last
        bestValidationEpoch = epochs.filter { $0.validationLoss != nil }.min { $0.validationLoss! < $1.validationLoss! }?.epoch

        let window = min(10, max(1, epochs.count / 10))
        self.window = window
        func mean(_ values: ArraySlice<Double>) -> Double { values.reduce(0, +) / Double(values.count) }
        let losses = epochs.map(\.testLoss), accuracies = epochs.map(\.testAccuracy)
        let ends = Array(window...epochs.count)    // a trailing window ends at each of these counts
        let smoothed = ends.map { mean(losses[($0 - window)..<$0]) }
        let lowest = smoothed.indices.min { smoothed[$0] < smoothed[$1] }!
        let lastMean = smoothed[smoothed.count - 1]
        smoothedRise = smoothed[lowest] > 0 ? (lastMean - smoothed[lowest]) / smoothed[lowest] : 0
        let accuracyAt = { (end: Int) in mean(accuracies[(end - window)..<end]) }
        smoothedAccuracyChange = accuracyAt(epochs.count) - accuracyAt(ends[lowest])
        let previous = smoothed.count > window ? smoothed[smoothed.count - 1 - window] : smoothed[0]
        stillFalling = smoothed.count > 1 && lastMean < previous * 0.99
            && lowest == smoothed.count - 1
    }

    /// How far the last test loss lies above the minimum, as a fraction of the minimum.
    var testLossRise: Double { bestTestLoss > 0 ? (last.testLoss - bestTestLoss) / bestTestLoss : 0 }

    /// Train accuracy minus test accuracy in the last epoch, in percentage points.
    var accuracyGap: Double { (last.trainAccuracy - last.testAccuracy) * 100 }

    /// The verdict from the smoothed curves.
    var verdict: Verdict {
        if smoothedRise > Self.riseTolerance, last.trainLoss < trainLossAtBest {
            return smoothedAccuracyChange < -Self.accuracyTolerance ? .overfitting : .overConfident
        }
        if stillFalling { return .stillImproving }
        if abs(accuracyGap) < 0.5, last.trainAccuracy < 0.99 { return .capacityLimited }
        return .converged
    }
}
