import Foundation

/// The report's small ablation: short multiclass runs that change one setting at a time (the hidden
/// activation at one learning rate, the learning rate at one activation), compared on the validation
/// set (on the test set, said so, when none was held out), so the multiclass network's choices have
/// reasons.
struct Ablation {
    /// One short run and what it reached.
    struct Entry {
        let run: RunMetrics
        /// The hidden activation, e.g. `relu`.
        let activation: String
        /// The learning rate.
        let learningRate: Double
        /// The accuracy the comparison is made on (validation, else test) after the last epoch.
        let accuracy: Double
        /// The lowest loss of the same set, and its epoch.
        let lowestLoss: Double, lowestEpoch: Int
        /// The last epoch's loss above `lowestLoss`, as a fraction.
        let rise: Double
    }

    /// The runs, in the order given.
    let entries: [Entry]
    /// The main multiclass run, whose settings the ablation questions.
    let main: RunMetrics?
    /// True when the comparison is on validation data.
    let onValidation: Bool

    /// The ablation of `selection`; `nil` with fewer than two ablation runs.
    init?(_ selection: ReportSelection) {
        let runs = selection.ablation
        guard runs.count >= 2 else { return nil }
        onValidation = runs.allSatisfy { $0.last.validationLoss != nil }
        let onValidation = onValidation
        entries = runs.map { run in
            let losses = run.epochs.map { onValidation ? $0.validationLoss! : $0.testLoss }
            let lowest = losses.indices.min { losses[$0] < losses[$1] }!
            return Entry(run: run, activation: run.activation ?? "sigmoid", learningRate: run.last.learningRate ?? 0,
                         accuracy: onValidation ? run.last.validationAccuracy ?? run.last.testAccuracy : run.last.testAccuracy,
                         lowestLoss: losses[lowest], lowestEpoch: run.epochs[lowest].epoch,
                         rise: losses[lowest] > 0 ? (losses[losses.count - 1] - losses[lowest]) / losses[lowest] : 0)
        }
        main = selection.multiclass
    }

    private var set: String { onValidation ? "validation" : "test" }

    /// What was trained and why.
    var introduction: String {
        let epochs = Set(entries.map(\.run.last.epoch)).sorted().map(String.init).joined(separator: " or ")
        let widths = Set(entries.map { $0.run.layerWidths.dropFirst().dropLast().map(String.init).joined(separator: ", ") })
            .sorted().joined(separator: " or ")
        var text = "The multiclass network's settings were not chosen at random; to show why, the report trained "
            + "\(entries.count) short runs of \(epochs) epochs each with \(widths) hidden units, the same seed, batch "
            + "and data, changing one setting at a time: the hidden activation at one learning rate, and the "
            + "learning rate at one activation. "
        if onValidation {
            let held = entries.first?.run.last.validation.map { ReportTables.grouped($0) + " " } ?? ""
            text += "They are compared on the \(held)validation images, so the test set plays no part in the choice."
        } else {
            text += "These runs held out no validation set, so they are compared on the test set, which then no "
                + "longer gives an unbiased estimate for the settings chosen here."
        }
        return text
    }

    /// One row per run.
    var table: ReportTable {
        let set = set.prefix(1).uppercased() + set.dropFirst()
        return ReportTable(
            headers: ["Activation", "Learning rate", "Epochs", "\(set) accuracy", "Lowest \(set.lowercased()) loss (epoch)",
                      "Last loss above lowest"],
            rows: entries.map { entry in
                [entry.activation, Self.rate(entry.learningRate), String(entry.run.last.epoch),
                 ReportTables.percent(entry.accuracy),
                 "\(ReportTables.loss(entry.lowestLoss)) (\(entry.lowestEpoch))", String(format: "%.1f %%", entry.rise * 100)]
            },
            numericColumns: [1, 2, 3, 4, 5])
    }

    /// A learning rate as written on the command line, e.g. "0.5".
    static func rate(_ value: Double) -> String {
        String(format: "%g", value)
    }

    /// The findings: activations compared, learning rates compared, the main run's choice judged.
    var findings: [String] {
        var paragraphs: [String] = []
        func listed(_ group: [Entry], by name: (Entry) -> String) -> String {
            group.sorted { $0.accuracy > $1.accuracy }
                .map { "\(name($0)) \(ReportTables.percent($0.accuracy))" }.joined(separator: ", ")
        }
        let byRate = Dictionary(grouping: entries, by: \.learningRate)
        if let (rate, group) = byRate.max(by: { ($0.value.count, $1.key) < ($1.value.count, $0.key) }), group.count >= 2 {
            let ranked = group.sorted { $0.accuracy > $1.accuracy }
            var text = "Activations at learning rate \(Self.rate(rate)), \(set) accuracy after the last epoch: "
                + listed(group) { $0.activation } + "."
            let gap = ranked[0].accuracy - ranked[ranked.count - 1].accuracy
            let images = entries.first.flatMap { $0.run.last.validation }.map { Double($0) * gap }
            text += " Best and worst differ by " + String(format: "%.2f", gap * 100) + " points"
                + (images.map { " (about \(Int($0.rounded())) of the validation images)" } ?? "") + "."
            if let sigmoid = group.first(where: { $0.activation == "sigmoid" }), ranked[0].activation != "sigmoid" {
                text += " The sigmoid trails \(ranked[0].activation) by "
                    + String(format: "%.2f", (ranked[0].accuracy - sigmoid.accuracy) * 100) + " points: its derivative "
                    + "σ′ = σ(1 − σ) is at most 1/4 and vanishes for large |z|, so less of the error reaches the "
                    + "hidden weights each step; relu passes it on unchanged through every active unit, and tanh′ = "
                    + "1 − tanh² reaches 1 at 0."
            }
            paragraphs.append(text)
        }
        let byActivation = Dictionary(grouping: entries, by: \.activation)
        if let (activation, group) = byActivation.max(by: { ($0.value.count, $1.key) < ($1.value.count, $0.key) }),
           group.count >= 2 {
            let rates = group.sorted { $0.learningRate < $1.learningRate }
            var text = "Learning rates with \(activation): " + listed(group) { "lr \(Self.rate($0.learningRate))" } + "."
            if rates.contains(where: { $0.rise >= 0.005 }) {
                let rises = rates.map { "\(String(format: "%.1f %%", $0.rise * 100)) at lr \(Self.rate($0.learningRate))" }
                text += " The \(set) loss ends above its lowest by " + rises.joined(separator: ", ") + "."
            }
            if let steepest = rates.last, steepest.rise > FittingSummary.riseTolerance {
                text += " The largest rate takes the biggest steps: it learns fastest early on, then its loss climbs "
                    + String(format: "%.0f %%", steepest.rise * 100) + " above its minimum as the network grows over-confident."
            }
            if let slowest = rates.first, slowest.lowestEpoch == slowest.run.last.epoch, rates.count > 1 {
                text += " The smallest rate's loss is still falling at the end: it needs more epochs."
            }
            paragraphs.append(text)
        }
        if let main, let choice = entries.first(where: {
            $0.activation == (main.activation ?? "sigmoid") && $0.learningRate == main.last.learningRate
        }), let best = entries.max(by: { $0.accuracy < $1.accuracy }) {
            let setting = "\(choice.activation) at lr \(Self.rate(choice.learningRate))"
            if best.accuracy <= choice.accuracy {
                paragraphs.append("The multiclass network's settings (\(setting)) are the best of these on the \(set) set: "
                                  + "the choice is backed by the data, not taken on trust.")
            } else {
                paragraphs.append("The multiclass network's settings (\(setting)) reach \(ReportTables.percent(choice.accuracy)); "
                                  + "\(best.activation) at lr \(Self.rate(best.learningRate)) does better in this short "
                                  + "test (\(ReportTables.percent(best.accuracy))), a difference of "
                                  + String(format: "%.2f", (best.accuracy - choice.accuracy) * 100)
                                  + " points that a full-length run would have to confirm.")
            }
        }
        return paragraphs
    }
}
