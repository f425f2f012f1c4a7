import Foundation

/// The report's "Discussion": sentences built from the metrics alone — each detector against its
/// majority baseline with precision and recall, over- or under-fitting from the loss curves, the most
/// confused classes, and the models compared.
struct Discussion {
    /// The runs the report is about.
    let selection: ReportSelection

    private static func percent(_ fraction: Double) -> String { ReportTables.percent(fraction) }
    private static func loss(_ value: Double) -> String { ReportTables.loss(value) }
    private static func count(_ value: Int) -> String { ReportTables.grouped(value) }
    /// A fraction as a percentage with one decimal, e.g. "68.7 %", for shares of errors.
    private static func share(_ fraction: Double) -> String { String(format: "%.1f %%", fraction * 100) }

    /// The section's blocks: a heading per topic that has data, each followed by its paragraphs.
    var blocks: [ReportDocument.Block] {
        var blocks: [ReportDocument.Block] = [.heading(2, "Discussion")]
        func topic(_ title: String, _ paragraphs: [String]) {
            guard !paragraphs.isEmpty else { return }
            blocks.append(.heading(3, title))
            blocks += paragraphs.map { .paragraph($0) }
        }
        topic("Detectors against the majority baseline", selection.main.filter(\.isBinary).map(Self.detector))
        topic("Over- or under-fitting", fittingParagraphs)
        if let run = selection.multiclass, let sentence = Self.confusions(run) { topic("Most confused classes", [sentence]) }
        topic("The models compared", comparisonParagraphs)
        return blocks
    }

    // MARK: - Detectors

    /// One binary run against its baseline, with precision, recall and F1 when the counts are recorded.
    static func detector(_ run: RunMetrics) -> String {
        let label = RunStyle.label(run)
        guard let scores = DetectorScores(run) else {
            return "\(label): the metrics hold no binary_confusion counts, so its baseline, precision and recall "
                + "cannot be computed (metrics written by this version record them); its test accuracy is "
                + "\(percent(run.last.testAccuracy))."
        }
        let digit = RunStyle.digitName(run)
        let counts = scores.counts
        var text = "\(label) — always answering \"\(scores.baselineSaysNo ? "no" : "yes")\" is right on "
            + "\(percent(scores.baseline)) of the \(count(counts.images)) test images "
            + "(\(count(scores.positives)) are \(RunStyle.article(digit)) \(digit)). "
            + "The detector reaches \(percent(scores.accuracy))"
        if let removed = scores.baselineErrorsRemoved {
            text += ": it removes \(share(removed)) of the baseline's "
                + "\(count(min(scores.positives, counts.images - scores.positives))) errors"
        }
        text += " (\(count(scores.errors)) left: \(count(counts.falsePositives)) false "
            + "alarm\(counts.falsePositives == 1 ? "" : "s") and \(count(counts.falseNegatives)) missed \(digit)s)."
        if let recall = scores.recall {
            text += " It finds \(count(counts.truePositives)) of the \(count(scores.positives)) \(digit)s, "
                + "a recall of \(percent(recall))"
            if let precision = scores.precision {
                text += "; \(percent(precision)) of its \"yes\" answers are right (precision)"
            }
            if let f1 = scores.f1 { text += "; F1 = " + String(format: "%.3f", f1) }
            text += ". Accuracy alone hides that it misses \(percent(1 - recall)) of the \(digit)s."
        }
        return text
    }

    // MARK: - Fitting

    private var fittingParagraphs: [String] {
        guard !selection.main.isEmpty else { return [] }
        return ["Train loss and train accuracy are running means over each epoch, measured while the weights "
                + "change; test values are measured after the epoch."]
            + selection.main.map(Self.fitting)
    }

    /// Where `run`'s test loss was lowest against its last epoch, the train/test gap, and a verdict.
    static func fitting(_ run: RunMetrics) -> String {
        let summary = FittingSummary(run)
        let last = summary.last
        var text = "\(RunStyle.label(run)) — the test loss is lowest in epoch \(summary.bestEpoch) "
            + "(\(loss(summary.bestTestLoss)))"
        if summary.bestEpoch == last.epoch {
            text += ", the last one, with a train loss of \(loss(last.trainLoss)). "
        } else {
            let direction = summary.testLossRise >= 0 ? "higher" : "lower"
            text += " and ends at \(loss(last.testLoss)) in epoch \(last.epoch) "
                + "(\(share(abs(summary.testLossRise))) \(direction)), while the train loss goes from "
                + "\(loss(summary.trainLossAtBest)) to \(loss(last.trainLoss)). "
        }
        if let validation = summary.bestValidationEpoch {
            text += "The validation loss is lowest in epoch \(validation). "
        }
        let gap = String(format: "%.2f", abs(summary.accuracyGap))
        text += "Train accuracy \(percent(last.trainAccuracy)) against test \(percent(last.testAccuracy)): "
            + (summary.accuracyGap >= 0 ? "a gap of \(gap) percentage points" : "train is \(gap) points below test")
            + ". Verdict: "
        switch summary.verdict {
        case .overfitting:
            text += "overfitting — after epoch \(summary.bestEpoch) the network fits the training images better "
                + "while its test loss rises; stopping there (early stopping on held-out data) keeps the lower loss."
        case .stillImproving:
            text += "still learning — the test loss was lowest in the last tenth of the run, so more epochs could "
                + "still help; no sign of overfitting."
        case .settled:
            text += "no overfitting to speak of — the test loss ends within "
                + share(FittingSummary.riseTolerance) + " of its minimum."
        }
        if summary.verdict != .overfitting, abs(summary.accuracyGap) < 0.5, last.trainAccuracy < 0.99 {
            text += " Train and test accuracy agree within half a point below 99 %: the model is limited by its "
                + "capacity (under-fitting) rather than by overfitting."
        }
        return text
    }

    // MARK: - Confusions

    /// The most frequent mistakes of a multiclass run's last epoch, ties named as ties; `nil` without a matrix.
    static func confusions(_ run: RunMetrics) -> String? {
        guard let matrix = run.last.confusion else { return nil }
        let groups = ConfusedPair.mostConfused(matrix)
        let names = run.last.classNames ?? matrix.indices.map(String.init)
        func name(_ index: Int) -> String { index < names.count ? names[index] : String(index) }
        let errors = matrix.enumerated().reduce(0) { total, row in
            total + row.element.enumerated().filter { $0.offset != row.offset }.map(\.element).reduce(0, +)
        }
        guard !groups.isEmpty else {
            return "\(RunStyle.label(run)) classifies every test image correctly: no class is confused with another."
        }
        func opposite(_ cell: ConfusedPair) -> String {
            "\(name(cell.predicted)) as \(name(cell.trueClass)): \(count(cell.reverseCount))"
        }
        let parts = groups.map { group -> String in
            let times = "\(count(group[0].count)) time\(group[0].count == 1 ? "" : "s")"
            let first = group[0]
            if group.count == 1 {
                return "\(name(first.trueClass)) read as \(name(first.predicted)): \(times) (\(opposite(first)))"
            }
            let shown = group.prefix(8).map { "\(name($0.trueClass)) read as \(name($0.predicted)) (\(opposite($0)))" }
            let more = group.count > 8 ? " and \(group.count - 8) more pairs" : ""
            return "tied at \(times) each: " + shown.joined(separator: ", ") + more
        }
        let cells = groups.joined()
        let covered = cells.reduce(0) { $0 + $1.count }
        return "Of the \(count(errors)) test images \(RunStyle.label(run)) gets wrong (epoch \(run.last.epoch)), "
            + "the most frequent mistakes (true class read as predicted class): " + parts.joined(separator: "; ")
            + ". These \(cells.count) cells hold \(count(covered)) of the \(count(errors)) errors "
            + "(\(share(errors == 0 ? 0 : Double(covered) / Double(errors))))."
    }

    // MARK: - Comparison

    private var comparisonParagraphs: [String] {
        var paragraphs: [String] = []
        let binary = selection.main.filter(\.isBinary)
        if let single = binary.first(where: { $0.model == "single" }),
           let hidden = binary.first(where: { $0.model == "hidden" && $0.digit == single.digit }) {
            paragraphs.append(Self.hiddenLayerGain(single: single, hidden: hidden))
        }
        if let scale = Self.scales(binary: binary, multiclass: selection.multiclass) { paragraphs.append(scale) }
        if let detectors = Self.detectorRange(selection.detectorSets) { paragraphs.append(detectors) }
        return paragraphs
    }

    /// What the hidden layer buys over the single neuron on the same question.
    static func hiddenLayerGain(single: RunMetrics, hidden: RunMetrics) -> String {
        let widths = hidden.layerWidths.dropFirst().dropLast().map(String.init).joined(separator: ", ")
        let units = "the hidden layer (\(widths) \(hidden.activation ?? "sigmoid") units)"
        let question = RunStyle.question(single)
        guard let one = DetectorScores(single), let two = DetectorScores(hidden) else {
            let before = 1 - single.last.testAccuracy, after = 1 - hidden.last.testAccuracy
            let fewer = before > 0 ? " (\(share(1 - after / before)) fewer errors)" : ""
            return "On \(question) \(units) raises the test accuracy from \(percent(single.last.testAccuracy)) to "
                + "\(percent(hidden.last.testAccuracy)): the error rate goes from \(percent(before)) to "
                + "\(percent(after))\(fewer)."
        }
        let helps = two.errors < one.errors
        var text = "On \(question) \(units) " + (helps ? "cuts" : "does not cut")
            + " the test errors: \(count(one.errors)) → \(count(two.errors))"
        if helps { text += " (\(share(1 - Double(two.errors) / Double(one.errors))) fewer)" }
        text += ": accuracy \(percent(one.accuracy)) → \(percent(two.accuracy))"
        if let r1 = one.recall, let r2 = two.recall { text += ", recall \(percent(r1)) → \(percent(r2))" }
        if let p1 = one.precision, let p2 = two.precision { text += ", precision \(percent(p1)) → \(percent(p2))" }
        text += "."
        if helps {
            text += " A single neuron can only split the pixels with one hyperplane; the hidden units give the "
                + "output a non-linear boundary."
        }
        return text
    }

    /// Why binary and multiclass accuracies are not comparable, with each model's share of its own
    /// baseline's errors removed; `nil` without both kinds.
    static func scales(binary: [RunMetrics], multiclass: RunMetrics?) -> String? {
        guard let multiclass, let matrix = multiclass.last.confusion, let detector = binary.compactMap(DetectorScores.init).first
        else { return nil }
        let rows = matrix.map { $0.reduce(0, +) }, total = rows.reduce(0, +)
        guard total > 0, let commonest = rows.indices.max(by: { rows[$0] < rows[$1] }) else { return nil }
        let names = multiclass.last.classNames ?? matrix.indices.map(String.init)
        let baseline = Double(rows[commonest]) / Double(total)
        let accuracy = Double(matrix.indices.reduce(0) { $0 + matrix[$1][$1] }) / Double(total)
        var text = "Binary and \(matrix.count)-class accuracies are not on the same scale. A detector answers one "
            + "yes/no question, where always answering \"\(detector.baselineSaysNo ? "no" : "yes")\" is already right "
            + "\(percent(detector.baseline)) of the time; the multiclass model names one of \(matrix.count) classes, "
            + "where always naming the commonest (\(names[commonest])) is right \(percent(baseline)) of the time. "
            + "Measured against its own baseline, "
        var removed: [String] = []
        for run in binary {
            if let scores = DetectorScores(run), let share = scores.baselineErrorsRemoved {
                removed.append("\(RunStyle.label(run)) removes \(Self.share(share))")
            }
        }
        removed.append("\(RunStyle.label(multiclass)) removes \(share(1 - (1 - accuracy) / (1 - baseline)))")
        text += removed.joined(separator: ", ") + " of its baseline's errors."
        return text
    }

    /// The spread of accuracy and recall over a set of per-digit detectors; `nil` without a set.
    static func detectorRange(_ sets: [ReportSelection.DetectorSet]) -> String? {
        let sentences = sets.compactMap { set -> String? in
            let runs = set.detectors.compactMap { $0 }
            guard let lowest = runs.min(by: { $0.last.testAccuracy < $1.last.testAccuracy }),
                  let highest = runs.max(by: { $0.last.testAccuracy < $1.last.testAccuracy }) else { return nil }
            var text = "The \(runs.count) \(set.model) detectors' test accuracy ranges from "
                + "\(percent(lowest.last.testAccuracy)) (\(RunStyle.question(lowest))) to "
                + "\(percent(highest.last.testAccuracy)) (\(RunStyle.question(highest)))"
            let recalls = runs.compactMap { run in DetectorScores(run)?.recall.map { (run, $0) } }
            if let low = recalls.min(by: { $0.1 < $1.1 }), let high = recalls.max(by: { $0.1 < $1.1 }) {
                text += "; recall from \(percent(low.1)) (\(RunStyle.question(low.0))) to "
                    + "\(percent(high.1)) (\(RunStyle.question(high.0)))"
            }
            return text + "."
        }
        return sentences.isEmpty ? nil : sentences.joined(separator: " ")
    }
}
