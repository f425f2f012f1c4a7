/// Which decoded runs play which part in the report.
///
/// - `main`: the lab's models in the order single, hidden, multiclass (then anything else). When an
///   "all digits" set of a binary model is present, only its "is it a 5?" detector (or, failing that,
///   none) stands for that model, so the charts hold the three models rather than twelve curves.
/// - `detectorSets`: per binary model with detectors for at least two digits, its detector of each digit.
/// - `ablation`: the short runs of the report's ablation (read from files named `ablation-*.jsonl`),
///   kept out of the main table and charts.
struct ReportSelection {
    /// One binary model's detectors for the digits 0…9 ("all digits").
    struct DetectorSet {
        /// The model: `single` or `hidden`.
        let model: String
        /// `detectors[d]` is the first run of `model` for digit `d`, or `nil`.
        let detectors: [RunMetrics?]
    }

    /// The runs compared in the main table and the loss and accuracy charts.
    let main: [RunMetrics]
    /// The "all digits" sets, single before hidden; empty without one.
    let detectorSets: [DetectorSet]

    /// The ablation's runs, in the order given; empty without one.
    let ablation: [RunMetrics]
    /// What the models' weights show, by the runs' source file names.
    var insights: [String: ModelInsight] = [:]

    /// The insight into `run`'s model, when its weights were given.
    func insight(_ run: RunMetrics) -> ModelInsight? {
        insights[run.source].flatMap { $0.matches(run) ? $0 : nil }
    }

    /// The file-name prefix of the ablation's metrics files.
    static let ablationPrefix = ReportWriter.ablationPrefix

    /// Sorts `runs` into the report's roles.
    init(_ runs: [RunMetrics]) {
        ablation = runs.filter { $0.source.hasPrefix(Self.ablationPrefix) }
        let runs = runs.filter { !$0.source.hasPrefix(Self.ablationPrefix) }
        var sets: [DetectorSet] = []
        var kept: [RunMetrics] = []
        for model in ["single", "hidden"] {
            let binary = runs.filter { $0.model == model && $0.isBinary }
            guard Set(binary.compactMap(\.digit)).count >= 2 else { continue }
            sets.append(DetectorSet(model: model, detectors: (0...9).map { digit in binary.first { $0.digit == digit } }))
            kept += binary.filter { $0.digit == 5 }.prefix(1)
        }
        detectorSets = sets
        let setModels = Set(sets.map(\.model))
        let rank = ["single": 0, "hidden": 1, "multiclass": 2]
        let candidates = runs.filter { !setModels.contains($0.model) || kept.contains($0) }
        main = candidates.enumerated()
            .sorted { (rank[$0.element.model] ?? 3, $0.offset) < (rank[$1.element.model] ?? 3, $1.offset) }
            .map(\.element)
    }

    /// The single-neuron set's detectors (`detectors[d]` for digit `d`), or an empty list without one.
    var detectors: [RunMetrics?] { detectorSets.first { $0.model == "single" }?.detectors ?? [] }

    /// The first multiclass run that recorded a confusion matrix.
    var multiclass: RunMetrics? {
        main.first { $0.model == "multiclass" && $0.last.confusion != nil }
            ?? main.first { $0.model == "multiclass" }
    }

    /// Classes of the per-class chart and table: the most any run reports, and the ten digits'
    /// detectors when there are any.
    var classes: Int {
        let reported = main.compactMap { ($0.isBinary ? $0.last.digitAccuracy : $0.last.perClassAccuracy)?.count }
        return max(detectorSets.isEmpty ? 0 : 10, reported.max() ?? 0)
    }

    /// The classes' names for the per-class chart and table: a run's `class_names` when one has
    /// as many as `classes`, else the numbers.
    var classNames: [String] {
        main.lazy.compactMap(\.last.classNames).first { $0.count == classes } ?? (0..<classes).map(String.init)
    }

    /// True when there is anything for the per-digit chart: detectors or a detector's `digit_accuracy`.
    var hasDigitData: Bool {
        !detectorSets.isEmpty || main.contains { $0.isBinary && $0.last.digitAccuracy != nil }
    }

    /// The data set's name when a run records it, or "MNIST" for runs without class names (older files).
    var dataSet: String? {
        if let name = (main + ablation).lazy.compactMap(\.last.dataSet).first { return name }
        return main.contains { $0.last.classNames != nil } ? nil : "MNIST"
    }

    /// "digit" for MNIST without class names, else "class".
    var classWord: String {
        dataSet == "MNIST" && !main.contains { $0.last.classNames != nil } ? "digit" : "class"
    }

    /// The class names of `run`'s data: its own, else the report's.
    func names(for run: RunMetrics) -> [String] {
        run.last.classNames ?? classNames
    }
}
