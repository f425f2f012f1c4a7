import Foundation

/// The report's small ablation: short multiclass runs that change one setting at a time (the hidden
/// activation, the learning rate, the hidden width, each with the other settings equal), compared on
/// the validation set (on the test set, said so, when none was held out), so the multiclass network's
/// choices have reasons.
struct Ablation {
    /// One short run and what it reached.
    struct Entry {
        let run: RunMetrics
        /// The hidden activation, e.g. `relu`.
        let activation: String
        /// The learning rate.
        let learningRate: Double
        /// The hidden layers' widths, e.g. `[128]`.
        let hidden: [Int]
        /// The accuracy the comparison is made on (validation, else test) after the last epoch.
        let accuracy: Double
        /// The lowest loss of the same set, and its epoch.
        let lowestLoss: Double, lowestEpoch: Int
        /// The last epoch's loss above `lowestLoss`, as a fraction.
        let rise: Double

        /// The hidden widths as written, e.g. "128" or "256, 128".
        var width: String { hidden.map(String.init).joined(separator: ", ") }
        /// Weights and biases of the network.
        var parameters: Int {
            let widths = run.layerWidths
            return zip(widths, widths.dropFirst()).map { $0 * $1 + $1 }.reduce(0, +)
        }
    }

    /// The runs, by activation (sigmoid, tanh, relu, others), width and learning rate.
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
                         hidden: Array(run.layerWidths.dropFirst().dropLast()),
                         accuracy: onValidation ? run.last.validationAccuracy ?? run.last.testAccuracy : run.last.testAccuracy,
                         lowestLoss: losses[lowest], lowestEpoch: run.epochs[lowest].epoch,
                         rise: losses[lowest] > 0 ? (losses[losses.count - 1] - losses[lowest]) / losses[lowest] : 0)
        }.sorted(by: Self.precedes)
        main = selection.multiclass
    }

    /// The table's order: by activation (sigmoid, tanh, relu, then others by name), width, learning rate.
    private static func precedes(_ a: Entry, _ b: Entry) -> Bool {
        let order = ["sigmoid": 0, "tanh": 1, "relu": 2]
        let first: (Int, String) = (order[a.activation] ?? 3, a.activation), second: (Int, String) = (order[b.activation] ?? 3, b.activation)
        if first != second { return first < second }
        if a.parameters != b.parameters { return a.parameters < b.parameters }
        return a.learningRate < b.learningRate
    }

    private var set: String { onValidation ? "validation" : "test" }

    /// The images the accuracies are measured on, when the metrics record how many.
    private var images: Int? {
        entries.lazy.compactMap { onValidation ? $0.run.last.validation : Discussion.testImages($0.run) }.first
    }

    /// "Differences below about 0.40 points could be chance": twice the standard error of an accuracy
    /// near `accuracy` on the compared images, or `nil` when their number is unknown.
    private func noise(near accuracy: Double) -> Double? {
        images.map { 2 * (accuracy * (1 - accuracy) / Double(max($0, 1))).squareRoot() }
    }

    /// What was trained and why.
    var introduction: String {
        let epochs = Set(entries.map(\.run.last.epoch)).sorted().map(String.init).joined(separator: " or ")
        var changed: [String] = []
        if Self.largestGroup(entries, by: { "\($0.width) \($0.learningRate)" }, varying: \.activation) != nil {
            changed.append("the hidden activation")
        }
        if Self.largestGroup(entries, by: { "\($0.width) \($0.activation)" }, varying: { Self.rate($0.learningRate) }) != nil {
            changed.append("the learning rate")
        }
        if Self.largestGroup(entries, by: { "\($0.activation) \($0.learningRate)" }, varying: \.width) != nil {
            changed.append("the number of hidden units")
        }
        var text = "The multiclass network's settings were not chosen at random; to show why, the report trained "
            + "\(entries.count) short runs of \(epochs) epochs each with the same seed, batch and data, changing one "
            + "setting at a time while the others stay equal"
            + (changed.isEmpty ? "" : ": " + Self.list(changed)) + ". "
        if onValidation {
            let held = entries.first?.run.last.validation.map { ReportTables.grouped($0) + " " } ?? ""
            text += "They are compared on the \(held)validation images, so the test set plays no part in the choice."
        } else {
            text += "These runs held out no validation set, so they are compared on the test set, which then no "
                + "longer gives an unbiased estimate for the settings chosen here."
        }
        if let images, let best = entries.map(\.accuracy).max(), let noise = noise(near: best) {
            text += " On \(ReportTables.grouped(images)) images one standard error of an accuracy near "
                + ReportTables.percent(best) + " is " + String(format: "%.2f", noise * 50) + " points, so differences "
                + "below about " + String(format: "%.2f", noise * 100) + " points could be chance."
        }
        return text
    }

    /// One row per run.
    var table: ReportTable {
        let set = set.prefix(1).uppercased() + set.dropFirst()
        return ReportTable(
            headers: ["Activation", "Hidden units", "Learning rate", "Epochs", "\(set) accuracy",
                      "Lowest \(set.lowercased()) loss (epoch)", "Last loss above lowest"],
            rows: entries.map { entry in
                [entry.activation, entry.width, Self.rate(entry.learningRate), String(entry.run.last.epoch),
                 ReportTables.percent(entry.accuracy),
                 "\(ReportTables.loss(entry.lowestLoss)) (\(entry.lowestEpoch))", String(format: "%.1f %%", entry.rise * 100)]
            },
            numericColumns: [1, 2, 3, 4, 5, 6])
    }

    /// A learning rate as written on the command line, e.g. "0.5".
    static func rate(_ value: Double) -> String {
        String(format: "%g", value)
    }

    /// "a, b and c".
    private static func list(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
    }

    /// The largest group of entries that share `key` and differ in `varying` (at least two values of
    /// it, one entry each), or `nil`.
    static func largestGroup(_ entries: [Entry], by key: (Entry) -> String,
                             varying: (Entry) -> String) -> [Entry]? {
        let groups = Dictionary(grouping: entries, by: key).values.map { group in
            group.reduce(into: [Entry]()) { kept, entry in
                if !kept.contains(where: { varying($0) == varying(entry) }) { kept.append(entry) }
            }
        }
        return groups.filter { $0.count >= 2 }
            .max { ($0.count, varying($1[0])) < ($1.count, varying($0[0])) }
    }

    /// The findings: activations compared, learning rates compared, widths compared, the main run's
    /// choice judged.
    var findings: [String] {
        [activationFinding, rateFinding, widthFinding, choiceFinding].compactMap { $0 }
    }

    private func listed(_ group: [Entry], by name: (Entry) -> String) -> String {
        group.sorted { $0.accuracy > $1.accuracy }
            .map { "\(name($0)) \(ReportTables.percent($0.accuracy))" }.joined(separator: ", ")
    }

    private func points(_ difference: Double) -> String {
        String(format: "%.2f", difference * 100) + " points"
    }

    private var activationFinding: String? {
        guard let group = Self.largestGroup(entries, by: { "\($0.width) \($0.learningRate)" }, varying: \.activation)
        else { return nil }
        let ranked = group.sorted { $0.accuracy > $1.accuracy }
        var text = "Activations with \(group[0].width) hidden units at learning rate \(Self.rate(group[0].learningRate)), "
            + "\(set) accuracy after the last epoch: " + listed(group) { $0.activation } + "."
        let gap = ranked[0].accuracy - ranked[ranked.count - 1].accuracy
        text += " Best and worst differ by " + points(gap)
            + (images.map { " (about \(Int((Double($0) * gap).rounded())) of the \(set) images)" } ?? "") + "."
        if ranked.count > 2, let noise = noise(near: ranked[0].accuracy), ranked[0].accuracy - ranked[1].accuracy < noise {
            text += " The gap between \(ranked[0].activation) and \(ranked[1].activation), "
                + points(ranked[0].accuracy - ranked[1].accuracy) + ", is within chance on these images."
        }
        if let sigmoid = group.first(where: { $0.activation == "sigmoid" }), ranked[0].activation != "sigmoid" {
            text += " The sigmoid trails \(ranked[0].activation) by " + points(ranked[0].accuracy - sigmoid.accuracy)
                + ": its derivative σ′ = σ(1 − σ) is at most 1/4 and vanishes for large |z|, so less of the error "
                + "reaches the hidden weights each step; relu passes it on unchanged through every active unit, "
                + "and tanh′ = 1 − tanh² reaches 1 at 0."
        }
        return text
    }

    private var rateFinding: String? {
        guard let group = Self.largestGroup(entries, by: { "\($0.width) \($0.activation)" },
                                            varying: { Self.rate($0.learningRate) }) else { return nil }
        let rates = group.sorted { $0.learningRate < $1.learningRate }
        var text = "Learning rates with \(group[0].activation) and \(group[0].width) hidden units: "
            + listed(group) { "lr \(Self.rate($0.learningRate))" } + "."
        if rates.contains(where: { $0.rise >= 0.005 }) {
            let rises = rates.map { "\(String(format: "%.1f %%", $0.rise * 100)) at lr \(Self.rate($0.learningRate))" }
            text += " The \(set) loss ends above its lowest by " + rises.joined(separator: ", ") + "."
        }
        if let steepest = rates.last, steepest.rise > FittingSummary.riseTolerance {
            text += " The largest rate takes the biggest steps: it learns fastest early on, then its loss climbs "
                + String(format: "%.0f %%", steepest.rise * 100) + " above its minimum as the network grows over-confident."
        }
        if let slowest = rates.first, slowest.lowestEpoch == slowest.run.last.epoch {
            text += " The smallest rate's loss is still falling at the end: it needs more epochs."
        }
        return text
    }

    private var widthFinding: String? {
        guard let group = Self.largestGroup(entries, by: { "\($0.activation) \($0.learningRate)" }, varying: \.width)
        else { return nil }
        let sized = group.sorted { $0.parameters < $1.parameters }
        var text = "Hidden units with \(group[0].activation) at learning rate \(Self.rate(group[0].learningRate)): "
            + sized.map { "\($0.width) units (\(ReportTables.grouped($0.parameters)) parameters) \(ReportTables.percent($0.accuracy))" }
                .joined(separator: ", ") + "."
        let gains = zip(sized, sized.dropFirst()).map { (from: $0, to: $1, gain: $1.accuracy - $0.accuracy) }
        text += " From " + gains.map { step in
            "\(step.from.width) to \(step.to.width) units the accuracy " + (step.gain >= 0 ? "gains " : "loses ")
                + points(abs(step.gain))
        }.joined(separator: ", from ") + "."
        let noise = noise(near: sized[sized.count - 1].accuracy)
        if gains.count >= 2, gains[gains.count - 1].gain < gains[0].gain {
            text += " The parameters grow in proportion to the width, but the gains shrink: a wider layer can draw "
                + "more and finer features, yet most images are already told apart by the narrower layer's."
        }
        if let noise, let last = gains.last, abs(last.gain) < noise {
            text += " The last step is within chance (below " + points(noise) + "), so on this evidence the "
                + "smaller network would serve as well in this short run."
        } else if let last = gains.last, last.gain > 0 {
            text += " The widest network is the best here by more than chance: within these epochs its extra "
                + "capacity pays off."
        } else if gains.last != nil {
            text += " The widest network is worse here by more than chance: within these epochs the extra "
                + "parameters do not pay off."
        }
        for entry in sized where entry.rise > 4 * FittingSummary.riseTolerance {
            text += " The \(set) loss of the \(entry.width)-unit network ends " + String(format: "%.0f %%", entry.rise * 100)
                + " above its lowest (epoch \(entry.lowestEpoch)): at this learning rate its last steps overshoot"
            if let best = bestAccuracy(entry), best.accuracy > entry.accuracy {
                text += ", and its \(set) accuracy was " + ReportTables.percent(best.accuracy) + " in epoch \(best.epoch)"
            }
            text += ", so its last epoch understates it"
                + (entry.parameters < sized[sized.count - 1].parameters ? " and flatters the step to the wider network." : ".")
        }
        if let widest = sized.last, let narrowest = sized.first, widest.rise > narrowest.rise + FittingSummary.riseTolerance {
            text += " The widest's \(set) loss ends " + String(format: "%.0f %%", widest.rise * 100)
                + " above its minimum against " + String(format: "%.0f %%", narrowest.rise * 100)
                + " for the narrowest: more capacity also fits the training images' noise sooner."
        }
        return text
    }

    /// The highest accuracy of `entry`'s run on the compared set, and its epoch.
    private func bestAccuracy(_ entry: Entry) -> (accuracy: Double, epoch: Int)? {
        entry.run.epochs.compactMap { line in
            (onValidation ? line.validationAccuracy : line.testAccuracy).map { (accuracy: $0, epoch: line.epoch) }
        }.max { $0.accuracy < $1.accuracy }
    }

    private var choiceFinding: String? {
        guard let main, let best = entries.max(by: { $0.accuracy < $1.accuracy }) else { return nil }
        let mainHidden = Array(main.layerWidths.dropFirst().dropLast())
        guard let choice = entries.first(where: {
            $0.activation == (main.activation ?? "sigmoid") && $0.learningRate == main.last.learningRate
                && $0.hidden == mainHidden
        }) else { return nil }
        let setting = "\(choice.activation), \(choice.width) hidden units, lr \(Self.rate(choice.learningRate))"
        if best.accuracy <= choice.accuracy {
            return "The multiclass network's settings (\(setting)) are the best of these on the \(set) set: "
                + "the choice is backed by the data, not taken on trust."
        }
        let difference = best.accuracy - choice.accuracy
        var text = "The multiclass network's settings (\(setting)) reach \(ReportTables.percent(choice.accuracy)); "
            + "\(best.activation) with \(best.width) hidden units at lr \(Self.rate(best.learningRate)) does better in "
            + "this short test (\(ReportTables.percent(best.accuracy))), a difference of " + points(difference)
        if let noise = noise(near: best.accuracy), difference < noise {
            text += ", within chance on these images: the choice stands, but the data do not single it out."
        } else {
            text += " that a full-length run would have to confirm."
        }
        return text
    }
}
