import Foundation
import Testing
@testable import LabReport
@testable import NetCore

/// A single "is it a 5?" run whose last epoch has the given counts.
private func detector(model: String = "single", tp: Int, fp: Int, fn: Int, tn: Int) -> RunMetrics {
    var line = SyntheticMetrics.line(model: model, epoch: 1, epochs: 1, trainLoss: 0.1, testLoss: 0.1)
    line.binaryConfusion = BinaryConfusion(truePositives: tp, falsePositives: fp, falseNegatives: fn, trueNegatives: tn)
    line.hidden = model == "hidden" ? 64 : nil
    line.activation = model == "hidden" ? "sigmoid" : nil
    return RunMetrics.runs(from: [line])[0]
}

@Test func detectorScoresMatchHandComputedValues() throws {
    // 892 fives among 10 000 images; 749 found, 136 false alarms, 143 missed.
    let scores = try #require(DetectorScores(detector(tp: 749, fp: 136, fn: 143, tn: 8972)))
    #expect(scores.baseline == 0.9108)                         // 9108 / 10 000 are not a 5
    #expect(scores.errors == 279 && abs(scores.accuracy - 0.9721) < 1e-12)
    #expect(abs(scores.baselineErrorsRemoved! - (1 - 279.0 / 892)) < 1e-12)   // 0.6872
    #expect(abs(scores.precision! - 749.0 / 885) < 1e-12)      // 0.8463
    #expect(abs(scores.recall! - 749.0 / 892) < 1e-12)         // 0.8397
    #expect(abs(scores.f1! - 1498.0 / 1777) < 1e-12)           // 2·TP / (2·TP + FP + FN) = 0.8430
    let sentence = Discussion.detector(detector(tp: 749, fp: 136, fn: 143, tn: 8972))
    #expect(sentence.hasPrefix("The single neuron (\"is it a 5?\"). Always answering"), "\(sentence)")
    for part in ["Always answering \"no\" would be right on 91.08 % of the 10\u{202F}000 test images", "(892 are a 5)", "reaches 97.21 %",
                 "removes 68.7 % of the baseline's 892 errors", "136 false alarms and 143 missed 5s",
                 "a recall of 83.97 %", "84.63 % of its \"yes\" answers", "F1 = 0.843", "misses 16.03 % of the 5s"] {
        #expect(sentence.contains(part), "\(part) in \(sentence)")
    }
}

@Test func detectorWithoutAYesHasNoPrecision() throws {
    let scores = try #require(DetectorScores(detector(tp: 0, fp: 0, fn: 892, tn: 9108)))
    #expect(scores.precision == nil && scores.recall == 0 && scores.f1 == nil)
    #expect(scores.baselineErrorsRemoved == 0)    // It is the baseline.
}

@Test func detectorWithoutCountsSaysSo() {
    let run = RunMetrics.runs(from: [SyntheticMetrics.line(epoch: 1, epochs: 1, trainLoss: 0.1, testLoss: 0.1)])[0]
    #expect(DetectorScores(run) == nil)
    #expect(Discussion.detector(run).contains("no binary_confusion counts"))
}

/// A run with the given test losses (epochs 1, 2, …) and train losses falling from 0.1 by 10 % an epoch.
private func run(testLosses: [Double], trainAccuracy: Double = 0.97, testAccuracy: Double = 0.97,
                 testAccuracies: [Double]? = nil) -> RunMetrics {
    RunMetrics.runs(from: testLosses.enumerated().map { index, loss in
        SyntheticMetrics.line(epoch: index + 1, epochs: testLosses.count, trainLoss: 0.1 * pow(0.9, Double(index)),
                              testLoss: loss, trainAccuracy: trainAccuracy, testAccuracy: testAccuracies?[index] ?? testAccuracy)
    })[0]
}

@Test func aSustainedRiseWithFallingAccuracyIsOverfitting() {
    let losses = [0.2, 0.1, 0.07, 0.05, 0.055, 0.06, 0.065, 0.07, 0.075, 0.08]
    let accuracies = [0.90, 0.95, 0.97, 0.98, 0.978, 0.976, 0.974, 0.972, 0.970, 0.968]
    let run = run(testLosses: losses, trainAccuracy: 1, testAccuracies: accuracies)
    let summary = FittingSummary(run)
    #expect(summary.bestEpoch == 4 && summary.bestTestLoss == 0.05 && summary.testAccuracyAtBest == 0.98)
    #expect(abs(summary.testLossRise - 0.6) < 1e-12)          // (0.08 − 0.05) / 0.05
    #expect(summary.verdict == .overfitting)
    let text = Discussion.fitting(run)
    for part in ["lowest in epoch 4 (0.0500), where the test accuracy is 98.00 %", "the loss is 0.0800 (60.0 % higher)",
                 "the accuracy 96.80 % (highest: 98.00 % in epoch 4)", "train loss goes from 0.0729 to 0.0387",
                 "Verdict: overfitting", "No validation set was held out"] {
        #expect(text.contains(part), "\(part) in \(text)")
    }
    #expect(!text.contains("still learning") && !text.contains("capacity"))
}

@Test func aRisingLossWhileTheAccuracyHoldsIsOverConfidence() {
    // The multiclass case of the first report: loss lowest in epoch 13, accuracy still rising to the end.
    let losses: [Double] = (1...30).map { (epoch: Int) -> Double in
        let steps = Double(epoch - 13)
        return epoch <= 13 ? 0.069 - 0.002 * steps : 0.069 + 0.02 * steps / 17
    }
    let accuracies: [Double] = (1...30).map { (epoch: Int) -> Double in 0.9812 + 0.0008 * Double(epoch) / 30 }
    let run = run(testLosses: losses, trainAccuracy: 0.9999, testAccuracies: accuracies)
    #expect(FittingSummary(run).verdict == .overConfident)
    let text = Discussion.fitting(run)
    for part in ["Verdict: over-confidence, not overfitting", "the test accuracy does not fall", "averaged over 3 epochs"] {
        #expect(text.contains(part), "\(part) in \(text)")
    }
}

@Test func oneNoisyLastEpochIsNoVerdict() {
    // Epochs 80–99 hover at 0.022, the last one jumps to 0.0230: no sustained rise.
    let losses: [Double] = (1...100).map { (epoch: Int) -> Double in
        if epoch < 80 { return 0.05 - 0.028 * Double(epoch) / 80 }
        return epoch == 100 ? 0.0230 : 0.0215 + 0.001 * Double(epoch % 2)
    }
    let summary = FittingSummary(run(testLosses: losses, trainAccuracy: 0.995, testAccuracies: Array(repeating: 0.98, count: 100)))
    #expect(summary.window == 10)
    #expect(summary.verdict == FittingSummary.Verdict.converged, "rise \(summary.smoothedRise)")
}

@Test func aMinimumInTheLastTenthIsStillLearningAndASmallRiseIsSettled() {
    let falling = run(testLosses: (1...20).map { 0.2 / Double($0) })
    #expect(FittingSummary(falling).bestEpoch == 20 && FittingSummary(falling).verdict == .stillImproving)
    let text = Discussion.fitting(falling)
    #expect(text.contains("lowest in the last epoch, 20 (0.0100)") && text.contains("still learning") && !text.contains("capacity"))
    // Lowest in epoch 5 (0.100); ends 4 % higher: within the 5 % tolerance; train and test accuracy close, below 99 %.
    let settled = run(testLosses: [0.3, 0.2, 0.15, 0.11, 0.1, 0.101, 0.102, 0.103, 0.103, 0.104], trainAccuracy: 0.972,
                      testAccuracy: 0.970)
    #expect(FittingSummary(settled).verdict == .capacityLimited)
    let settledText = Discussion.fitting(settled)
    #expect(settledText.contains("(4.0 % higher)") && settledText.contains("limited by its capacity"), "\(settledText)")
    #expect(!settledText.contains("half a point") && !settledText.contains("still learning"))
}

@Test func stoppingAdviceComesFromTheValidationSet() {
    // Test loss lowest in epoch 12, validation loss in epoch 7: the advice names 7.
    var lines = (1...20).map { epoch in
        SyntheticMetrics.line(model: "multiclass", digit: nil, epoch: epoch, epochs: 20, trainLoss: 0.1 * pow(0.9, Double(epoch)),
                              testLoss: 0.05 + 0.001 * abs(Double(epoch - 12)), testAccuracy: 0.98)
    }
    for index in lines.indices {
        lines[index].validationLoss = 0.05 + 0.001 * abs(Double(lines[index].epoch - 7))
        lines[index].validationAccuracy = 0.979
        lines[index].validation = 5000
    }
    let text = Discussion.fitting(RunMetrics.runs(from: lines)[0])
    #expect(text.contains("Where to stop (validation set, 5\u{202F}000 training images held out): the validation loss is lowest in epoch 7"), "\(text)")
    let advice = text.components(separatedBy: "Where to stop").last ?? ""
    #expect(text.contains("Its test loss is lowest in epoch 12") && !advice.contains("epoch 12"), "the test curve does not choose: \(advice)")
}

@Test func aValidationMinimumJustBeforeTheEndIsNoise() {
    // Validation loss lowest in epoch 18 of 20, the last epoch 1 % above it; the test accuracy is a little
    // higher at the end than at epoch 18: that is no reason to advise stopping on the accuracy.
    var lines = (1...20).map { epoch in
        SyntheticMetrics.line(model: "multiclass", digit: nil, epoch: epoch, epochs: 20, trainLoss: 0.1 * pow(0.9, Double(epoch)),
                              testLoss: 0.2 - 0.005 * Double(epoch), testAccuracy: 0.9 + 0.001 * Double(epoch))
    }
    for index in lines.indices {
        let epoch = lines[index].epoch
        lines[index].validationLoss = epoch <= 18 ? 0.2 - 0.005 * Double(epoch) : 0.11 * 1.01
        lines[index].validationAccuracy = 0.9 + 0.001 * Double(min(epoch, 18))
        lines[index].validation = 5000
    }
    let text = Discussion.fitting(RunMetrics.runs(from: lines)[0])
    #expect(text.contains("the validation loss is lowest in epoch 18"), "\(text)")
    #expect(text.contains("The last validation loss is only 1.0 % above that minimum, within the noise"), "\(text)")
    #expect(!text.contains("As the accuracy holds"), "\(text)")
}

/// A 10 × 10 confusion matrix with 100 on the diagonal and the given mistakes.
private func confusion(_ mistakes: [(Int, Int, Int)]) -> [[Int]] {
    var matrix = (0..<10).map { row in (0..<10).map { $0 == row ? 100 : 0 } }
    for (row, column, count) in mistakes { matrix[row][column] = count }
    return matrix
}

@Test func mostConfusedPairsKeepTiesTogether() {
    let matrix = confusion([(4, 9, 15), (9, 4, 7), (7, 2, 12), (3, 5, 12), (5, 3, 2), (8, 1, 1)])
    let groups = ConfusedPair.mostConfused(matrix)
    #expect(groups.map { $0.map(\.count) } == [[15], [12, 12]])
    #expect(groups[0][0] == ConfusedPair(trueClass: 4, predicted: 9, count: 15, reverseCount: 7))
    #expect(groups[1].map(\.trueClass) == [3, 7])      // Ties in row order.
    // A tie at the third place brings in every tied cell.
    let tiedThird = ConfusedPair.mostConfused(confusion([(1, 2, 9), (2, 1, 8), (3, 4, 5), (4, 3, 5), (6, 0, 5), (0, 6, 1)]))
    #expect(tiedThird.map { $0.map(\.count) } == [[9], [8], [5, 5, 5]])
    #expect(ConfusedPair.mostConfused(confusion([])).isEmpty)

    var line = SyntheticMetrics.line(model: "multiclass", digit: nil, epoch: 1, epochs: 1, trainLoss: 0.1, testLoss: 0.1)
    line.confusion = matrix
    let text = Discussion.confusions(RunMetrics.runs(from: [line])[0]) ?? ""
    for part in ["Of the 49 test images the 10-class network gets wrong", "4 read as 9: 15 times (9 as 4: 7)",
                 "tied at 12 times each: 3 read as 5 (5 as 3: 2), 7 read as 2 (2 as 7: 0).",
                 "These 3 cells hold 39 of the 49 errors (79.6 %)"] {
        #expect(text.contains(part), "\(part) in \(text)")
    }
}

@Test func perClassTableNamesEveryTiedMistake() throws {
    var line = SyntheticMetrics.line(model: "multiclass", digit: nil, epoch: 1, epochs: 1, trainLoss: 0.1, testLoss: 0.1)
    line.confusion = confusion([(4, 9, 3), (4, 7, 3), (4, 1, 1), (2, 8, 2)])
    let table = try #require(ReportTables.perClass(RunMetrics.runs(from: [line])[0], names: (0...9).map(String.init), classWord: "digit"))
    #expect(table.rows[4][4] == "7, 9 (3× each)" && table.headers[0] == "Digit" && table.headers[3] == "Recall")
    #expect(table.rows[2][4] == "8 (2×)")
    #expect(table.rows[0][4] == "–")
}

@Test func comparisonCountsTheHiddenLayersGainAndEachBaseline() throws {
    let single = detector(tp: 749, fp: 136, fn: 143, tn: 8972)
    let hidden = detector(model: "hidden", tp: 862, fp: 30, fn: 30, tn: 9078)
    let gain = Discussion.hiddenLayerGain(single: single, hidden: hidden)
    for part in ["\"is it a 5?\"", "cuts the test errors: 279 → 60 (78.5 % fewer)", "accuracy 97.21 % → 99.40 %",
                 "recall 83.97 % → 96.64 %", "precision 84.63 % → 96.64 %"] {
        #expect(gain.contains(part), "\(part) in \(gain)")
    }
    let worse = Discussion.hiddenLayerGain(single: hidden, hidden: detector(model: "hidden", tp: 749, fp: 136, fn: 143, tn: 8972))
    #expect(worse.contains("does not cut the test errors: 60 → 279") && !worse.contains("fewer") && !worse.contains("hyperplane"))
    var line = SyntheticMetrics.line(model: "multiclass", digit: nil, epoch: 1, epochs: 1, trainLoss: 0.1, testLoss: 0.1)
    line.confusion = SyntheticMetrics.confusion(accuracy: 0.98)
    let multiclass = RunMetrics.runs(from: [line])[0]
    let matrix = line.confusion!
    let correct = Double((0..<10).reduce(0) { $0 + matrix[$1][$1] }) / 10_000
    let removed = String(format: "%.1f %%", (1 - (1 - correct) / (1 - 0.1135)) * 100)
    let scales = try #require(Discussion.scales(binary: [single, hidden], multiclass: multiclass))
    for part in ["always naming the commonest (1) is right 11.35 %", "right 91.08 % of the time",
                 "the single neuron (\"is it a 5?\") removes 68.7 %",
                 "the hidden-layer detector (64 sigmoid units, \"is it a 5?\") removes 93.3 %",
                 "the 10-class network removes \(removed)"] {
        #expect(scales.contains(part), "\(part) in \(scales)")
    }
}

@Test func questionsTakeTheRightArticle() {
    #expect(RunStyle.article("8") == "an" && RunStyle.article("5") == "a" && RunStyle.article("11") == "an")
    #expect(RunStyle.article("18") == "an" && RunStyle.article("80") == "an" && RunStyle.article("1") == "a")
    #expect(RunStyle.article("11000") == "an" && RunStyle.article("110") == "a" && RunStyle.article("apple") == "an")
    var line = SyntheticMetrics.line(epoch: 1, epochs: 1, trainLoss: 0.1, testLoss: 0.1)
    line.digit = 8
    #expect(RunStyle.label(RunMetrics.runs(from: [line])[0]) == "single: is it an 8?")
}

@Test func binaryConfusionCountsTheDetectorsAnswers() throws {
    var evaluation = Evaluation(model: ModelConfiguration(kind: .single, digit: 5))
    for (label, predicted) in [(5, 1), (5, 1), (5, 0), (3, 1), (3, 0), (0, 0), (0, 0)] as [(UInt8, UInt8)] {
        evaluation.record(label: label, predicted: predicted)
    }
    let counts = try #require(BinaryConfusion(evaluation))
    #expect(counts == BinaryConfusion(truePositives: 2, falsePositives: 1, falseNegatives: 1, trueNegatives: 3))
    let json = String(decoding: try JSONEncoder().encode(counts), as: UTF8.self)
    for key in ["\"true_positives\":2", "\"false_positives\":1", "\"false_negatives\":1", "\"true_negatives\":3"] {
        #expect(json.contains(key), "\(json)")
    }
}

/// The report's ablation runs: multiclass at 5 epochs, `finalAccuracy` for each (activation, width, rate).
private func ablationRuns(_ settings: [(activation: String, hidden: Int, rate: Double, accuracy: Double)]) -> [RunMetrics] {
    settings.flatMap { setting in
        let lines = SyntheticMetrics.run(model: "multiclass", digit: nil, hidden: setting.hidden, activation: setting.activation,
                                         epochs: 5, startLoss: 0.7, finalAccuracy: setting.accuracy)
            .map { line in var line = line; line.learningRate = setting.rate; return line }
        return RunMetrics.runs(from: lines, source: "ablation-\(setting.activation)-h\(setting.hidden)-lr\(setting.rate).jsonl")
    }
}

@Test func ablationComparesWidthsAtEqualActivationAndRate() throws {
    // The main multiclass run as the report trains it: relu, 128 hidden units, lr 0.5.
    let main = RunMetrics.runs(from: SyntheticMetrics.mainRuns(epochs: 5, hidden: 128).map { line in
        var line = line
        if line.model == "multiclass" { line.activation = "relu"; line.learningRate = 0.5 }
        return line
    })
    let runs = ablationRuns([("relu", 128, 0.5, 0.970), ("relu", 32, 0.5, 0.950), ("sigmoid", 128, 0.5, 0.960),
                             ("relu", 64, 0.5, 0.965), ("tanh", 128, 0.5, 0.968), ("relu", 128, 0.1, 0.962)])
    let ablation = try #require(Ablation(ReportSelection(main + runs)))
    #expect(ablation.introduction.contains("the hidden activation, the learning rate and the number of hidden units"))
    // On the 10 000 test images one standard error near 96.6 % is 0.18 points.
    #expect(ablation.introduction.contains("is 0.18 points, so differences below about 0.36 points could be chance"),
            "\(ablation.introduction)")
    #expect(ablation.table.headers[1] == "Hidden units")
    #expect(ablation.table.rows.map { "\($0[0]) \($0[1]) \($0[2])" }
            == ["sigmoid 128 0.5", "tanh 128 0.5", "relu 32 0.5", "relu 64 0.5", "relu 128 0.1", "relu 128 0.5"])
    let width = try #require(ablation.findings.first { $0.hasPrefix("Hidden units with relu at learning rate 0.5:") })
    for part in ["32 units (25\u{202F}450 parameters) 94.60 %", "64 units (50\u{202F}890 parameters) 96.10 %",
                 "128 units (101\u{202F}770 parameters) 96.60 %", "From 32 to 64 units the accuracy gains 1.50 points, "
                    + "from 64 to 128 units the accuracy gains 0.50 points", "the gains shrink", "best here by more than chance"] {
        #expect(width.contains(part), "\(part) in \(width)")
    }
    let activations = try #require(ablation.findings.first { $0.hasPrefix("Activations with 128 hidden units at learning rate 0.5") })
    #expect(activations.contains("The gap between relu and tanh, 0.20 points, is within chance"), "\(activations)")
    #expect(ablation.findings.contains { $0.hasPrefix("Learning rates with relu and 128 hidden units: lr 0.5 96.60 %, lr 0.1 95.80 %") })
    #expect(ablation.findings.last == "The multiclass network's settings (relu, 128 hidden units, lr 0.5) are the best of "
            + "these on the test set: the choice is backed by the data, not taken on trust.")

    // A last widening within chance is called so.
    let close = ablationRuns([("relu", 32, 0.5, 0.950), ("relu", 64, 0.5, 0.965), ("relu", 128, 0.5, 0.967)])
    let closeWidth = try #require(Ablation(ReportSelection(main + close))?.findings.first { $0.hasPrefix("Hidden units") })
    #expect(closeWidth.contains("The last step is within chance") && !closeWidth.contains("more than chance"), "\(closeWidth)")
}
