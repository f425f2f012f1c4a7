import Foundation

/// The report's tables; numbers are printed by `ReportTables.percent` and `ReportTables.loss`.
enum ReportTables {
    /// An accuracy fraction as a percentage with two decimals, e.g. "95.10 %".
    static func percent(_ fraction: Double) -> String { String(format: "%.2f %%", fraction * 100) }

    /// A loss with four decimals, or in scientific notation below 0.001 (e.g. "3.12 × 10⁻⁵"), so a
    /// tiny train loss never reads as "0.0000".
    static func loss(_ value: Double) -> String {
        guard value != 0, abs(value) < 0.001, value.isFinite else { return String(format: "%.4f", value) }
        let exponent = Int(floor(log10(abs(value))))
        let mantissa = value / pow(10, Double(exponent))
        let superscripts = Array("⁰¹²³⁴⁵⁶⁷⁸⁹")
        let power = String(abs(exponent)).compactMap { $0.wholeNumberValue.map { superscripts[$0] } }
        return String(format: "%.2f", mantissa) + " × 10" + (exponent < 0 ? "⁻" : "") + String(power)
    }

    /// A whole number with `separator` (a narrow no-break space unless given) between groups of
    /// three digits, e.g. "850 000".
    static func grouped(_ value: Int, separator: String = "\u{202F}") -> String {
        var digits = String(value.magnitude), groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        return (value < 0 ? "-" : "") + ([digits] + groups).joined(separator: separator)
    }

    /// Per main run: what it is, epochs, total seconds, and the last epoch's losses and accuracies.
    static func results(_ runs: [RunMetrics]) -> ReportTable {
        ReportTable(
            headers: ["Model", "What it is", "Epochs", "Seconds", "Train loss", "Test loss", "Train accuracy",
                      "Test accuracy"],
            rows: runs.map { run in
                [RunStyle.label(run), RunStyle.description(run), String(run.last.epoch),
                 String(format: "%.2f", run.totalSeconds), loss(run.last.trainLoss), loss(run.last.testLoss),
                 percent(run.last.trainAccuracy), percent(run.last.testAccuracy)]
            },
            numericColumns: [2, 3, 4, 5, 6, 7], proseColumns: [1])
    }

    /// Per main run: how it was trained.
    static func settings(_ runs: [RunMetrics]) -> ReportTable {
        func text<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "–" }
        return ReportTable(
            headers: ["Model", "Layers", "Ranks", "Threads", "Batch", "Learning rate", "Momentum", "Seed",
                      "Images/s (mean)"],
            rows: runs.map { run in
                let rates = run.epochs.compactMap(\.samplesPerSecond)
                let meanRate = rates.isEmpty ? "–" : grouped(Int((rates.reduce(0, +) / Double(rates.count)).rounded()))
                let last = run.last
                return [RunStyle.label(run), run.layerWidths.map(String.init).joined(separator: "→"),
                        text(last.ranks), text(last.threads), text(last.batchSize), text(last.learningRate),
                        text(last.momentum), text(last.seed), meanRate]
            },
            numericColumns: [2, 3, 4, 5, 6, 7, 8])
    }

    /// Per class for a multiclass run, named by `names`: test images, correct answers, recall and the
    /// most common mistake (every class on a tie); `nil` without per-class data.
    static func perClass(_ run: RunMetrics, names: [String], classWord: String) -> ReportTable? {
        let confusion = run.last.confusion
        guard let accuracies = run.last.perClassAccuracy ?? confusion.map({ rows in
            rows.enumerated().map { digit, row in Double(row[digit]) / Double(max(row.reduce(0, +), 1)) }
        }) else { return nil }
        func name(_ index: Int) -> String { index < names.count ? names[index] : String(index) }
        let rows = accuracies.enumerated().map { index, accuracy -> [String] in
            guard let row = confusion?[index] else { return [name(index), "–", "–", percent(accuracy), "–"] }
            let mistake = ConfusedPair.mostCommonMistakes(row, trueClass: index).map { mistakes in
                mistakes.classes.map(name).joined(separator: ", ")
                    + " (\(grouped(mistakes.count))×\(mistakes.classes.count > 1 ? " each" : ""))"
            } ?? "–"
            return [name(index), grouped(row.reduce(0, +)), grouped(row[index]), percent(accuracy), mistake]
        }
        return ReportTable(headers: [classWord.prefix(1).uppercased() + classWord.dropFirst(), "Test images", "Correct",
                                     "Recall", "Most often predicted instead"],
                           rows: rows, numericColumns: [1, 2, 3])
    }

    /// Per class d: the test accuracy and recall of each set's "is it d?" detector, and each main
    /// detector's share of right answers on the images of d.
    static func digits(_ selection: ReportSelection) -> ReportTable {
        var headers = [selection.detectorSets.isEmpty ? "Class" : "Class d"]
        var columns: [[String]] = []
        for set in selection.detectorSets {
            let kind = set.model == "single" ? "single-neuron" : "hidden-layer"
            headers += ["Own \(kind) detector \"is it d?\": accuracy", "Its recall on the d images"]
            columns.append(set.detectors.map { $0.map { percent($0.last.testAccuracy) } ?? "–" })
            columns.append(set.detectors.map { run in
                run.flatMap { DetectorScores($0)?.recall }.map(percent) ?? "–"
            })
        }
        for run in selection.main where run.isBinary {
            guard let values = run.last.digitAccuracy else { continue }
            headers.append("\(RunStyle.label(run)) — answered right on the class's images")
            columns.append((0..<selection.classes).map { $0 < values.count ? percent(values[$0]) : "–" })
        }
        let rows = (0..<selection.classes).map { digit in
            [selection.classNames[digit]] + columns.map { digit < $0.count ? $0[digit] : "–" }
        }
        return ReportTable(headers: headers, rows: rows, numericColumns: Set(1..<headers.count))
    }
}
