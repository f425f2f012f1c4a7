import NetCore

/// Where a run's test loss bottomed out against its last epoch, the train/test gap, and what that
/// says about over- or under-fitting.
struct FittingSummary: Equatable {
    /// What the loss curves say.
    enum Verdict: Equatable {
        /// The test loss rose by more than `FittingSummary.riseTolerance` after its minimum while the
        /// train loss kept falling.
        case overfitting
        /// The test loss was lowest within the last tenth of the epochs: still learning.
        case stillImproving
        /// The test loss ended within `FittingSummary.riseTolerance` of an earlier minimum.
        case settled
    }

    /// A test-loss rise above its minimum, as a fraction, that counts as overfitting.
    static let riseTolerance = 0.05

    /// The epoch with the lowest test loss (the first, on ties).
    let bestEpoch: Int
    /// The lowest test loss.
    let bestTestLoss: Double
    /// The train loss in `bestEpoch`.
    let trainLossAtBest: Double
    /// The last epoch's values.
    let last: EpochMetrics
    /// The epoch with the lowest validation loss, when the run recorded one.
    let bestValidationEpoch: Int?

    /// The summary of `run`.
    init(_ run: RunMetrics) {
        let best = run.epochs.min { $0.testLoss < $1.testLoss }!
        bestEpoch = best.epoch
        bestTestLoss = best.testLoss
        trainLossAtBest = best.trainLoss
        last = run.last
        bestValidationEpoch = run.epochs.filter { $0.validationLoss != nil }
            .min { $0.validationLoss! < $1.validationLoss! }?.epoch
    }

    /// How far the last test loss lies above the minimum, as a fraction of the minimum.
    var testLossRise: Double { bestTestLoss > 0 ? (last.testLoss - bestTestLoss) / bestTestLoss : 0 }

    /// Train accuracy minus test accuracy in the last epoch, in percentage points.
    var accuracyGap: Double { (last.trainAccuracy - last.testAccuracy) * 100 }

    /// The verdict from the test-loss curve.
    var verdict: Verdict {
        let lastTenth = max(1, last.epoch / 10)
        if testLossRise > Self.riseTolerance, last.trainLoss < trainLossAtBest { return .overfitting }
        if bestEpoch > last.epoch - lastTenth { return .stillImproving }
        return .settled
    }
}
