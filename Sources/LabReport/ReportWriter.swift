import Foundation
import NetCore

/// Writes the lab report: `report.md`, a self-contained `report.html`, and the figures
/// `loss.svg`, `accuracy.svg`, `architecture.svg`, `confusion.svg` (with a multiclass confusion matrix)
/// and `digits.svg` (with per-digit data).
public enum ReportWriter {
    /// Writes every report file for `runs` into `directory` (created if missing) and returns the
    /// URLs written, report.md first.
    @discardableResult
    public static func write(runs: [RunMetrics], to directory: URL) throws -> [URL] {
        guard !runs.isEmpty else { throw MetricsError.empty }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let selection = ReportSelection(runs)
        let figures = figures(selection)
        let document = document(runs: runs, selection: selection, figures: figures)
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
        figures.append(("loss.svg", "Training loss (dashed) and test loss (solid) after each epoch.",
                        ReportFigures.loss(selection.main)))
        figures.append(("accuracy.svg", "Test accuracy after each epoch.", ReportFigures.accuracy(selection.main)))
        figures.append(("architecture.svg", "The networks, drawn from their recorded layer widths.",
                        ArchitectureFigure(runs: selection.main).document()))
        if let run = selection.multiclass, let heatMap = ReportFigures.confusion(run) {
            figures.append(("confusion.svg",
                            "Confusion matrix: rows are the true digit, columns the predicted one; colour is the share of the row.",
                            heatMap))
        }
        if let chart = ReportFigures.digits(selection) {
            figures.append(("digits.svg", "Accuracy per digit: each digit's own detector, and each model on that digit's images (the axis starts above 0 %).",
                            chart))
        }
        return figures
    }

    // MARK: - The document

    private static func document(runs: [RunMetrics], selection: ReportSelection,
                                 figures: [(file: String, caption: String, svg: SVGDocument)]) -> ReportDocument {
        var document = ReportDocument(title: "mpitrain: MNIST lab report")
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
        document.blocks.append(.heading(2, "Loss and accuracy"))
        figure("loss.svg")
        figure("accuracy.svg")
        document.blocks.append(.heading(2, "The networks"))
        figure("architecture.svg")
        document.blocks.append(.heading(2, "Formulas"))
        document.blocks.append(.formulas(Formula.lab))

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
