/// Which decoded runs play which part in the report.
///
/// - `main`: the lab's models in the order single, hidden, multiclass (then anything else). When an
///   "all digits" set is present, only its "is it a 5?" detector (or, failing that, none) stands for
///   the single model, so the charts hold the three models rather than twelve curves.
/// - `detectors`: the single-neuron detector of each digit 0…9, when at least two digits have one.
struct ReportSelection {
    /// The runs compared in the main table and the loss and accuracy charts.
    let main: [RunMetrics]
    /// `detectors[d]` is the first single-neuron run for digit `d`, or `nil`; empty without a digit set.
    let detectors: [RunMetrics?]

    /// Sorts `runs` into the report's roles.
    init(_ runs: [RunMetrics]) {
        let singles = runs.filter { $0.model == "single" }
        let digits = Set(singles.compactMap(\.digit))
        let hasDigitSet = digits.count >= 2
        detectors = hasDigitSet
            ? (0...9).map { digit in singles.first { $0.digit == digit } } : []
        let mainSingles = hasDigitSet ? Array(singles.filter { $0.digit == 5 }.prefix(1)) : singles
        let rank = ["single": 0, "hidden": 1, "multiclass": 2]
        let others = runs.filter { $0.model != "single" }
        main = (mainSingles + others).enumerated()
            .sorted { (rank[$0.element.model] ?? 3, $0.offset) < (rank[$1.element.model] ?? 3, $1.offset) }
            .map(\.element)
    }

    /// The first multiclass run that recorded a confusion matrix.
    var multiclass: RunMetrics? {
        main.first { $0.model == "multiclass" && $0.last.confusion != nil }
            ?? main.first { $0.model == "multiclass" }
    }

    /// Classes of the per-class chart and table: the most any run reports, and the ten digits'
    /// detectors when there are any.
    var classes: Int {
        let reported = main.compactMap { ($0.isBinary ? $0.last.digitAccuracy : $0.last.perClassAccuracy)?.count }
        return max(detectors.count, reported.max() ?? 0)
    }

    /// The classes' names for the per-class chart and table: a run's `class_names` when one has
    /// as many as `classes`, else the numbers.
    var classNames: [String] {
        main.lazy.compactMap(\.last.classNames).first { $0.count == classes } ?? (0..<classes).map(String.init)
    }

    /// True when there is anything for the per-digit chart: detectors or a detector's `digit_accuracy`.
    var hasDigitData: Bool {
        !detectors.isEmpty || main.contains { $0.isBinary && $0.last.digitAccuracy != nil }
    }
}
