import Foundation

/// The report's "Discussion": sentences built from the metrics alone — each detector against its
/// majority baseline with precision and recall, over- or under-fitting from the smoothed curves with
/// the accuracy beside the loss, where to stop from the validation set, the most confused classes,
/// the ablation, and the models compared.
struct Discussion {
    /// The runs the report is about.
    let selection: ReportSelection

    private static func percent(_ fraction: Double) -> String { ReportTables.percent(fraction) }
    private static func loss(_ value: Double) -> String { ReportTables.loss(value) }
    private static func count(_ value: Int) -> String { ReportTables.grouped(value) }
    /// A fraction as a percentage with one decimal, e.g. "68.7 %", for shares of errors.
    private static func share(_ fraction: Double) -> String { String(format: "%.1f %%", fraction * 100) }
    /// A difference of two fractions in percentage points, e.g. "0.12 points".
    private static func points(_ difference: Double) -> String {
        String(format: "%.2f point%@", abs(difference) * 100, abs(abs(difference) * 100 - 1) < 0.005 ? "" : "s")
    }

    /// The section's blocks: a heading per topic that has data, each followed by its paragraphs.
    var blocks: [ReportDocument.Block] {
        var blocks: [ReportDocument.Block] = [.heading(2, "Discussion")]
        func topic(_ title: String, _ paragraphs: [String]) {
            guard !paragraphs.isEmpty else { return }
            blocks.append(.heading(3, title))
            blocks += paragraphs.map { .paragraph($0) }
        }
        topic("Detectors against the majority baseline", selection.main.filter(\.isBinary).map(Self.detector))
        topic("Over- or under-fitting, and where to stop", fittingParagraphs)
        if let run = selection.multiclass, let sentence = Self.confusions(run) { topic("Most confused classes", [sentence]) }
        if let ablation = Ablation(selection) {
            blocks.append(.heading(3, "Ablation: one change at a time"))
            blocks.append(.paragraph(ablation.introduction))
            blocks.append(.table(ablation.table))
            blocks += ablation.findings.map { .paragraph($0) }
        }
        topic("The models compared", comparisonParagraphs)
        return blocks
    }

    // MARK: - Detectors

    /// One binary run against its baseline, with precision, recall and F1 when the counts are recorded.
    static func detector(_ run: RunMetrics) -> String {
        let subject = RunStyle.subject(run)
        guard let scores = DetectorScores(run) else {
            return "\(subject): the metrics hold no binary_confusion counts, so its baseline, precision and recall "
                + "cannot be computed (metrics written by this version record them); its test accuracy is "
                + "\(percent(run.last.testAccuracy))."
        }
        let target = RunStyle.digitName(run)
        let counts = scores.counts
        var text = "\(subject). Always answering \"\(scores.baselineSaysNo ? "no" : "yes")\" would be right on "
            + "\(percent(scores.baseline)) of the \(count(counts.images)) test images "
            + "(\(count(scores.positives)) are \(RunStyle.article(target)) \(target)). "
            + "The detector reaches \(percent(scores.accuracy))"
        if let removed = scores.baselineErrorsRemoved {
            text += ": it removes \(share(removed)) of the baseline's "
                + "\(count(min(scores.positives, counts.images - scores.positives))) errors"
        }
        text += " (\(count(scores.errors)) left: \(count(counts.falsePositives)) false "
            + "alarm\(counts.falsePositives == 1 ? "" : "s") and \(count(counts.falseNegatives)) "
            + "missed \(RunStyle.plural(target)))."
        if let recall = scores.recall {
            text += " It finds \(count(counts.truePositives)) of the \(count(scores.positives)) "
                + "\(RunStyle.plural(target)), a recall of \(percent(recall))"
            if let precision = scores.precision {
                text += "; \(percent(precision)) of its \"yes\" answers are right (precision)"
            }
            if let f1 = scores.f1 { text += "; F1 = " + String(format: "%.3f", f1) }
            text += ". Accuracy alone hides that it misses \(percent(1 - recall)) of the \(RunStyle.plural(target))."
        }
        return text
    }

    // MARK: - Fitting

    private var fittingParagraphs: [String] {
        guard !selection.main.isEmpty else { return [] }
        var intro = "Train loss and train accuracy are running means over each epoch, measured while the weights "
            + "change; test and validation values are measured after the epoch. A verdict needs a sustained "
            + "trend: the curves are compared as means over a tenth of the run (at most 10 epochs), so one noisy "
            + "epoch does not decide it, and a rising loss is read beside the accuracy."
        if selection.main.contains(where: { run in run.epochs.contains { $0.validationLoss != nil } }) {
            intro += " Where to stop is read from the validation set only (training images held out and never "
                + "trained on): a stopping epoch chosen on the test curve would make the test accuracy look better "
                + "than it is."
        }
        return [intro] + selection.main.map(Self.fitting)
    }

    /// Where `run`'s test loss was lowest against its last epoch with the accuracies beside it, the
    /// train/test gap, one verdict, and where to stop according to the validation set.
    static func fitting(_ run: RunMetrics) -> String {
        let summary = FittingSummary(run)
        let last = summary.last
        var text = "\(RunStyle.subject(run)). "
        if summary.bestEpoch == last.epoch {
            text += "Its test loss is lowest in the last epoch, \(last.epoch) (\(loss(summary.bestTestLoss))), with a test "
                + "accuracy of \(percent(last.testAccuracy)) and a train loss of \(loss(last.trainLoss)). "
        } else {
            let direction = summary.testLossRise >= 0 ? "higher" : "lower"
            text += "Its test loss is lowest in epoch \(summary.bestEpoch) (\(loss(summary.bestTestLoss))), where the test "
                + "accuracy is \(percent(summary.testAccuracyAtBest)); in the last epoch, \(last.epoch), the loss is "
                + "\(loss(last.testLoss)) (\(share(abs(summary.testLossRise))) \(direction)) and the accuracy "
                + "\(percent(last.testAccuracy))"
            if summary.bestAccuracyEpoch != last.epoch {
                text += " (highest: \(percent(summary.bestTestAccuracy)) in epoch \(summary.bestAccuracyEpoch))"
            } else {
                text += ", its highest"
            }
            text += ", while the train loss goes from \(loss(summary.trainLossAtBest)) to \(loss(last.trainLoss)). "
        }
        let gap = String(format: "%.2f", abs(summary.accuracyGap))
        text += "Train accuracy \(percent(last.trainAccuracy)) against test \(percent(last.testAccuracy)): "
            + (summary.accuracyGap >= 0 ? "a gap of \(gap) percentage points" : "train is \(gap) points below test")
            + ". "
        let averaged = summary.window > 1 ? "averaged over \(summary.window) epochs, " : ""
        switch summary.verdict {
        case .overfitting:
            text += "Verdict: overfitting — \(averaged)the test loss ends \(share(summary.smoothedRise)) above its lowest "
                + "and the test accuracy falls by \(points(summary.smoothedAccuracyChange)) with it, while the train "
                + "loss keeps falling: the network fits its training images at the cost of new ones."
        case .overConfident:
            let errors = testImages(run).map { " the \(count(Int((Double($0) * (1 - last.testAccuracy)).rounded()))) test images" } ?? " the test images"
            text += "Verdict: over-confidence, not overfitting — \(averaged)the test loss ends "
                + "\(share(summary.smoothedRise)) above its lowest, but the test accuracy does not fall ("
                + (summary.smoothedAccuracyChange >= 0 ? "+" : "−") + "\(points(summary.smoothedAccuracyChange))). "
                + "The network grows ever more certain of its answers, and\(errors) it still gets wrong cost more "
                + "and more loss (−log of a small probability for the true class): the loss rises while the number "
                + "of mistakes does not."
        case .stillImproving:
            text += "Verdict: still learning — \(averaged)the test loss was still falling over the last epochs, so more "
                + "epochs would probably help."
        case .capacityLimited:
            text += "Verdict: limited by its capacity (under-fitting) — the test loss has levelled off, and train "
                + "accuracy is barely above test: the model cannot fit even its training images much better, so a "
                + "wider or deeper model would help more than more epochs."
        case .converged:
            text += "Verdict: converged — \(averaged)the test loss ends within \(share(max(summary.smoothedRise, 0))) of its "
                + "lowest; no sign of overfitting."
        }
        return text + " " + stopping(run, summary: summary)
    }

    /// Where to stop, from the validation curve only; without one, says why no epoch is advised.
    static func stopping(_ run: RunMetrics, summary: FittingSummary) -> String {
        let last = summary.last
        guard let epoch = summary.bestValidationEpoch, let stop = run.epochs.first(where: { $0.epoch == epoch }),
              let validationLoss = stop.validationLoss else {
            return "No validation set was held out in this run, so the report names no stopping epoch (choosing it on "
                + "the test curve would flatter the test accuracy); train with --validation 5000 to get one."
        }
        let held = last.validation.map { "\(count($0)) training images held out" } ?? "training images held out"
        var text = "Where to stop (validation set, \(held)): the validation loss is lowest in epoch \(epoch) "
            + "(\(loss(validationLoss))"
        if let accuracy = stop.validationAccuracy { text += ", validation accuracy \(percent(accuracy))" }
        text += ")"
        if epoch == last.epoch {
            return text + ", the last one: stopping earlier would not help."
        }
        text += "; early stopping there would give a test accuracy of \(percent(stop.testAccuracy)) against "
            + "\(percent(last.testAccuracy)) after all \(last.epoch) epochs."
        let accuracies = run.epochs.compactMap { line in line.validationAccuracy.map { (line.epoch, $0) } }
        let rise = last.validationLoss.map { ($0 - validationLoss) / validationLoss } ?? 0
        if summary.verdict == .overConfident,
           let best = accuracies.max(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 > $1.0) }), best.0 != epoch {
            text += " As the accuracy holds while the loss rises, stopping on the validation accuracy (highest in epoch "
                + "\(best.0), \(percent(best.1))) suits a classifier better than stopping on its loss."
        } else if rise < FittingSummary.riseTolerance {
            // Decided on the validation curve alone: a small last-epoch difference is noise, not advice.
            text += " The last validation loss is only " + String(format: "%.1f %%", rise * 100) + " above that minimum, "
                + "within the noise from epoch to epoch: stopping there or training to the end makes no real difference."
        }
        return text
    }

    /// The number of test images of `run`, when its last epoch's counts say.
    static func testImages(_ run: RunMetrics) -> Int? {
        if let matrix = run.last.confusion { return matrix.reduce(0) { $0 + $1.reduce(0, +) } }
        return DetectorScores(run)?.counts.images
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
            return "\(RunStyle.subject(run)) classifies every test image correctly: no class is confused with another."
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
        return "Of the \(count(errors)) test images the \(run.layerWidths.last ?? 10)-class network gets wrong in its "
            + "last epoch (\(run.last.epoch)), the most frequent mistakes (true class read as predicted class) are "
            + parts.joined(separator: "; ")
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
            + (Set(rows).count == 1
               ? "where every class is equally common, so always naming one of them is right \(percent(baseline)) of the time. "
               : "where always naming the commonest (\(names[commonest])) is right \(percent(baseline)) of the time. ")
            + "Measured against its own baseline, "
        var removed: [String] = []
        for run in binary {
            if let scores = DetectorScores(run), let share = scores.baselineErrorsRemoved {
                removed.append("\(RunStyle.subject(run).prefix(1).lowercased() + RunStyle.subject(run).dropFirst()) removes \(Self.share(share))")
            }
        }
        removed.append("the \(matrix.count)-class network removes \(share(1 - (1 - accuracy) / (1 - baseline)))")
        text += removed.joined(separator: ", ") + " of its baseline's errors."
        return text
    }

    /// The spread of accuracy and recall over a set of per-digit detectors; `nil` without a set.
    static func detectorRange(_ sets: [ReportSelection.DetectorSet]) -> String? {
        let sentences = sets.compactMap { set -> String? in
            let runs = set.detectors.compactMap { $0 }
            guard let lowest = runs.min(by: { $0.last.testAccuracy < $1.last.testAccuracy }),
                  let highest = runs.max(by: { $0.last.testAccuracy < $1.last.testAccuracy }) else { return nil }
            var text = "The \(runs.count) \(set.model == "single" ? "single-neuron" : "hidden-layer") detectors' test "
                + "accuracy ranges from \(percent(lowest.last.testAccuracy)) (\(RunStyle.question(lowest))) to "
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
