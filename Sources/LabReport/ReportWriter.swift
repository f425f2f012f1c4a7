import Foundation
import NetCore

/// Writes the lab report: `report.md`, a self-contained `report.html`, and the figures
/// `loss.svg`, `accuracy.svg`, `architecture.svg`, `confusion.svg` (with a multiclass confusion matrix)
/// and `digits.svg` (with per-digit data: any binary model, or an "all digits" set).
public enum ReportWriter {
    /// The file-name prefix of an ablation run's metrics file (`ablation-relu-h128-lr0.5.jsonl`): such
    /// runs form the ablation section instead of joining the main table and charts.
    public static let ablationPrefix = "ablation-"

    /// Writes every report file for `runs` into `directory` (created if missing), headed by `header`,
    /// with the figures drawn from the models' weights where `insights` (by the runs' source file
    /// names) has them, and returns the URLs written, report.md first. The files replace the
    /// earlier report together or not at all (`AtomicFile.saveAll`): a full disk leaves the earlier
    /// set as it was.
    @discardableResult
    public static func write(runs: [RunMetrics], to directory: URL, header: ReportHeader = ReportHeader(),
                             insights: [String: ModelInsight] = [:]) throws -> [URL] {
        guard !runs.isEmpty else { throw MetricsError.empty }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var selection = ReportSelection(runs)
        selection.insights = insights
        let figures = figures(selection)
        let document = document(runs: runs, selection: selection, figures: figures, header: header)
        let files = [(document.markdown, "report.md"), (document.html, "report.html")] + figures.map { ($0.svg.markup, $0.file) }
        let set = files.map { (bytes: Array($0.0.utf8), url: directory.appendingPathComponent($0.1)) }
        try AtomicFile.saveAll(set)
        return set.map(\.url)
    }

    /// The figures for `selection`: file name, caption and drawing.
    static func figures(_ selection: ReportSelection) -> [(file: String, caption: String, svg: SVGDocument)] {
        var figures: [(String, String, SVGDocument)] = []
        guard !selection.main.isEmpty else { return [] }
        let hasValidation = selection.main.contains { run in run.epochs.contains { $0.validationLoss != nil } }
        figures.append(("loss.svg", "Loss per epoch, detectors and multiclass models on separate panels (binary and "
                        + "multiclass cross-entropy are not on one scale): train loss (dashed, hollow markers) is the "
                        + "running mean over each epoch while the weights change; test loss (solid) is measured after "
                        + "the epoch" + (hasValidation ? "; validation loss is dotted" : "") + ". A ring in each model's "
                        + "colour marks its lowest test loss. Where a test loss rises, a zoomed panel shows it on a "
                        + "linear scale.",
                        ReportFigures.loss(selection.main)))
        figures.append(("accuracy.svg", "Train accuracy (dashed, running mean over each epoch) and test accuracy "
                        + "(solid, after each epoch" + (hasValidation ? "; validation dotted" : "") + "), binary "
                        + "detectors and multiclass models on separate panels; the grey dotted line is the detectors' "
                        + "majority baseline.",
                        ReportFigures.accuracy(selection.main)))
        figures.append(("architecture.svg", "The networks, drawn from their recorded layer widths.",
                        ArchitectureFigure(runs: selection.main).document()))
        let models = selection.main.compactMap { run in selection.insight(run).map { (run: run, insight: $0) } }
        if let weights = PixelFigures.weights(models) {
            figures.append(("weights.svg", "The first layer's weights drawn where their pixels are, on a diverging "
                            + "scale: red pushes towards \"yes\" (or towards the unit firing), blue against, white is 0 "
                            + "(the pixel does not count). Each hidden unit's image has its own scale, given under it.",
                            weights))
        }
        if let mistakes = PixelFigures.mistakes(models, names: { selection.names(for: $0) }) {
            figures.append(("mistakes.svg", "The test images each model gets wrong with the highest confidence; under "
                            + "each, its true class, the model's answer (→, red) and the probability the model gave that "
                            + "answer; for the multiclass "
                            + "model from the most confused pairs named in the discussion.",
                            mistakes))
        }
        if let curve = ReportFigures.precisionRecall(models, all: selection.main) {
            figures.append(("pr.svg", "Precision against recall for every threshold on the detector's probability; "
                            + "the ring marks the threshold 0.5 that the report's numbers use. A lower threshold finds "
                            + "more of the class (recall) at the price of more false alarms (precision).",
                            curve))
        }
        if let run = selection.multiclass, let heatMap = ReportFigures.confusion(run) {
            figures.append(("confusion.svg",
                            "Confusion matrix: rows are the true class, columns the predicted one; the mistakes are "
                                + "coloured on a linear scale (\(HeatMap.scaleName)) from 0 to the largest count, the "
                                + "correct answers on the diagonal are grey.",
                            heatMap))
        }
        if let run = selection.multiclass, let chart = ReportFigures.classRecall(run, names: selection.names(for: run)) {
            figures.append(("recall.svg", "The multiclass model's recall on each class: the share of that class's test "
                            + "images it names correctly. Dots, not bars: the axis starts above 0 %.", chart))
        }
        if let chart = ReportFigures.digits(selection) {
            figures.append(("digits.svg", (selection.detectorSets.isEmpty ? ""
                            : "Top: each class's own detector, its accuracy on all test images (filled) and its "
                                + "recall on the images of its class (hollow). ")
                            + (selection.main.contains { $0.isBinary && $0.last.digitAccuracy != nil }
                               ? "The detectors on the images of each class: the share answered right, which is "
                                 + "\"no\" for the other classes (specificity) and \"yes\" for the detector's own "
                                 + "(recall). " : "")
                            + "Dots, not bars: the axis starts above 0 %.",
                            chart))
        }
        return figures
    }

    // MARK: - The document

    private static func document(runs: [RunMetrics], selection: ReportSelection,
                                 figures: [(file: String, caption: String, svg: SVGDocument)],
                                 header: ReportHeader) -> ReportDocument {
        // The default title names the data the runs were trained on.
        let title = header.title == ReportHeader().title
            ? "mpitrain: " + (selection.dataSet.map { "\($0) " } ?? "") + "lab report" : header.title
        var document = ReportDocument(title: title, byline: header.byline)
        let sources = Array(Set(runs.map(\.source).filter { !$0.isEmpty })).sorted()
        let images = selection.main.lazy.compactMap(Discussion.testImages).first
        let data = selection.dataSet.map { " \($0)" } ?? ""
        document.blocks.append(.paragraph(
            "Generated from \(runs.count) run\(runs.count == 1 ? "" : "s")"
                + (sources.isEmpty ? "." : " in " + sources.joined(separator: ", ") + ".")
                + " Accuracies are on the \(images.map { ReportTables.grouped($0) + " " } ?? "")\(data.isEmpty ? "" : data.dropFirst() + " ")"
                + "test images unless marked train or validation; losses are means per image."))
        func figure(_ file: String) {
            if let entry = figures.first(where: { $0.file == file }) {
                document.blocks.append(.figure(file: entry.file, caption: entry.caption, svg: entry.svg.pageMarkup))
            }
        }
        let classWord = selection.classWord

        document.blocks.append(.heading(2, "Results"))
        document.blocks.append(.table(ReportTables.results(selection.main)))
        document.blocks.append(.table(ReportTables.settings(selection.main)))
        if let optimizers = ReportTables.optimizers(runs) {
            document.blocks.append(.heading(2, "Optimizers"))
            document.blocks.append(.table(optimizers))
        }
        document.blocks.append(.heading(2, "Loss and accuracy"))
        figure("loss.svg")
        figure("accuracy.svg")
        document.blocks += Discussion(selection: selection).blocks
        if let notes = header.notes, !notes.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            document.blocks.append(.heading(2, "Notes"))
            document.blocks.append(.notes(notes))
        }
        if figures.contains(where: { ["weights.svg", "mistakes.svg", "pr.svg"].contains($0.file) }) {
            document.blocks.append(.heading(2, "Inside the models"))
            figure("weights.svg")
            figure("mistakes.svg")
            figure("pr.svg")
        }
        document.blocks.append(.heading(2, "The networks"))
        figure("architecture.svg")
        document.blocks.append(.heading(2, "Formulas"))
        document.blocks.append(.paragraph(
            "The formulas of the models trained here, in one notation: layer l has weights W⁽ˡ⁾, bias b⁽ˡ⁾, values "
                + "z⁽ˡ⁾ before and a⁽ˡ⁾ after its activation; L is the output layer and ℒ the loss of one image."))
        for section in ReportMath(selection.main + selection.ablation).sections {
            document.blocks.append(.heading(3, section.title))
            document.blocks.append(.formulas(section.formulas))
        }

        if let run = selection.multiclass, let table = ReportTables.perClass(run, names: selection.names(for: run), classWord: classWord) {
            document.blocks.append(.heading(2, "Multiclass: accuracy per \(classWord)"))
            document.blocks.append(.table(table))
            figure("confusion.svg")
            figure("recall.svg")
        }
        if selection.hasDigitData {
            document.blocks.append(.heading(2, "Detectors per \(classWord)"))
            document.blocks.append(.table(ReportTables.digits(selection)))
            figure("digits.svg")
        }
        return document
    }
}
