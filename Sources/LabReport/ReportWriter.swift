import Foundation
import NetCore

/// Writes the lab report: `report.md`, a self-contained `report.html`, and the figures
/// `loss.svg`, `accuracy.svg`, `architecture.svg`, `confusion.svg` (with a multiclass confusion matrix)
/// and `digits.svg` (with per-digit data: any binary model, or an "all digits" set).
public enum ReportWriter {
    /// Writes every report file for `runs` into `directory` (created if missing), headed by `header`,
    /// and returns the URLs written, report.md first.
    @discardableResult
    public static func write(runs: [RunMetrics], to directory: URL, header: ReportHeader = ReportHeader()) throws -> [URL] {
        guard !runs.isEmpty else { throw MetricsError.empty }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let selection = ReportSelection(runs)
        let figures = figures(selection)
        let document = document(runs: runs, selection: selection, figures: figures, header: header)
        var written: [URL] = []
        func save(_ text: String, _ name: String) throws {
            let url = directory.appendingPathComponent(name)
            try AtomicFile.save(Array(text.utf8), to: url)
            written.append(url)
        }
        try save(document.markdown, "report.md")
        try save(document.html, "report.html")
        for (name, _, svg) in figures { try save(svg.markup, name) }
        return written
    }

    /// The figures for `selection`: file name, caption and drawing.
    static func figures(_ selection: ReportSelection) -> [(file: String, caption: String, svg: SVGDocument)] {
        var figures: [(String, String, SVGDocument)] = []
        guard !selection.main.isEmpty else { return [] }
        figures.append(("loss.svg", "Loss per epoch: train loss (dashed, hollow markers) is the running mean over "
                        + "each epoch while the weights change; test loss (solid) is measured after the epoch; "
                        + "validation loss, when recorded, is dotted. The ring marks each model's lowest test loss.",
                        ReportFigures.loss(selection.main)))
        figures.append(("accuracy.svg", "Train accuracy (dashed, running mean over each epoch) and test accuracy "
                        + "(solid, after each epoch; validation dotted, when recorded), binary detectors and multiclass "
                        + "models on separate panels; the grey dotted line is the detectors' majority baseline.",
                        ReportFigures.accuracy(selection.main)))
        figures.append(("architecture.svg", "The networks, drawn from their recorded layer widths.",
                        ArchitectureFigure(runs: selection.main).document()))
        if let run = selection.multiclass, let heatMap = ReportFigures.confusion(run) {
            figures.append(("confusion.svg",
                            "Confusion matrix: rows are the true class, columns the predicted one; the mistakes are "
                                + "coloured on a linear scale (\(HeatMap.scaleName)) up to the largest count, the "
                                + "correct answers on the diagonal are grey.",
                            heatMap))
        }
        if let chart = ReportFigures.digits(selection) {
            figures.append(("digits.svg", "Accuracy per digit d: "
                            + (selection.detectorSets.isEmpty ? ""
                               : "each digit's own detector (its test accuracy on all images, filled; its recall on the images of d, hollow), and ")
                            + "each model's accuracy on the images of d. Dots, not bars: the axis starts above 0 %.",
                            chart))
        }
        return figures
    }

    // MARK: - The document

    private static func document(runs: [RunMetrics], selection: ReportSelection,
                                 figures: [(file: String, caption: String, svg: SVGDocument)],
                                 header: ReportHeader) -> ReportDocument {
        var document = ReportDocument(title: header.title, byline: header.byline)
        let sources = Array(Set(runs.map(\.source).filter { !$0.isEmpty })).sorted()
        document.blocks.append(.paragraph(
            "Generated from \(runs.count) run\(runs.count == 1 ? "" : "s")"
                + (sources.isEmpty ? "." : " in " + sources.joined(separator: ", ") + ".")
                + " Accuracies are on the 10,000 MNIST test images unless marked train; losses are means per image."))
        func figure(_ file: String) {
            if let entry = figures.first(where: { $0.file == file }) {
                document.blocks.append(.figure(file: entry.file, caption: entry.caption, svg: entry.svg.markup))
            }
        }

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
        document.blocks.append(.heading(2, "The networks"))
        figure("architecture.svg")
        document.blocks.append(.heading(2, "Formulas"))
        document.blocks.append(.heading(3, "The single neuron"))
        document.blocks.append(.formulas(Formula.neuron))
        document.blocks.append(.heading(3, "The gradient, step by step"))
        document.blocks.append(.formulas(Formula.gradient))
        document.blocks.append(.heading(3, "Softmax, cross-entropy and the hidden layer"))
        document.blocks.append(.formulas(Formula.multiclass))

        if let run = selection.multiclass, let table = ReportTables.perClass(run) {
            document.blocks.append(.heading(2, "Multiclass: accuracy per digit"))
            document.blocks.append(.table(table))
            figure("confusion.svg")
        }
        if selection.hasDigitData {
            document.blocks.append(.heading(2, "All digits"))
            document.blocks.append(.table(ReportTables.digits(selection)))
            figure("digits.svg")
        }
        return document
    }
}
