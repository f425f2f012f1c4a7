import Foundation
import Testing
@testable import LabReport

/// Writes a full report (three models plus the all-digits set) from synthetic metrics files.
private func writeSyntheticReport(epochs: Int = 40) throws -> (directory: URL, runs: [RunMetrics]) {
    let directory = try SyntheticMetrics.temporaryDirectory("writer")
    let mainFile = directory.appendingPathComponent("main.jsonl")
    let digitsFile = directory.appendingPathComponent("digits.jsonl")
    try SyntheticMetrics.jsonLines(SyntheticMetrics.mainRuns(epochs: epochs)).write(to: mainFile, atomically: true,
                                                                                     encoding: .utf8)
    try SyntheticMetrics.jsonLines(SyntheticMetrics.digitRuns()).write(to: digitsFile, atomically: true,
                                                                       encoding: .utf8)
    let runs = try RunMetrics.load([mainFile, digitsFile])
    try ReportWriter.write(runs: runs, to: directory.appendingPathComponent("report"))
    return (directory.appendingPathComponent("report"), runs)
}

private func read(_ directory: URL, _ name: String) throws -> String {
    try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
}

@Test func writesEveryDeliverable() throws {
    let (directory, _) = try writeSyntheticReport()
    let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    #expect(names == ["accuracy.svg", "architecture.svg", "confusion.svg", "digits.svg", "loss.svg", "report.html",
                      "report.md"])
    for name in names where name.hasSuffix(".svg") {
        let svg = try SVGInspection(try read(directory, name))
        #expect(svg.document.rootElement()?.name == "svg", "\(name)")
        for size in try svg.elements("text").compactMap({ $0.value(of: "font-size") }) {
            #expect(Double(size)! >= 11, "\(name): font size \(size)")
        }
    }
}

@Test func lossAndAccuracyChartsHoldOneCurvePerSeries() throws {
    let epochs = 40
    let (directory, _) = try writeSyntheticReport(epochs: epochs)
    let loss = try SVGInspection(try read(directory, "loss.svg")).series()
    #expect(loss.count == 6)  // Three models × (train, test).
    #expect(loss.allSatisfy { SVGInspection.pointCount($0) == epochs })
    #expect(loss.filter { $0.value(of: "stroke-dasharray") != nil }.count == 3)
    let accuracy = try SVGInspection(try read(directory, "accuracy.svg")).series()
    #expect(accuracy.count == 3)
    #expect(accuracy.allSatisfy { SVGInspection.pointCount($0) == epochs })
}

@Test func confusionMatrixShowsEveryCountAndBothAxisTitles() throws {
    let (directory, runs) = try writeSyntheticReport()
    let svg = try SVGInspection(try read(directory, "confusion.svg"))
    let texts = try svg.texts()
    #expect(texts.contains("true class") && texts.contains("predicted class"))
    let counts = try #require(runs.first { $0.model == "multiclass" }?.last.confusion)
    let cellTexts = try svg.document.nodes(forXPath: "//*[local-name()='g'][@class='cells']/*[local-name()='text']")
        .map { $0.stringValue ?? "" }
    #expect(cellTexts == counts.flatMap { $0.map(String.init) })
}

@Test func digitsChartHasTenGroups() throws {
    let (directory, _) = try writeSyntheticReport()
    let svg = try SVGInspection(try read(directory, "digits.svg"))
    let bars = try svg.document.nodes(forXPath: "//*[local-name()='g'][@class='bars']/*[local-name()='rect']")
    // The detectors, the two binary models' digit accuracy and the multiclass per-class accuracy.
    #expect(bars.count == 10 * 4)
}

/// The cells of the Markdown table row whose first cell is `label`.
private func tableRow(_ markdown: String, startingWith label: String) -> [String]? {
    markdown.split(separator: "\n").map(String.init).first { $0.hasPrefix("| \(label) |") }.map { line in
        line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

@Test func resultsTableMatchesTheMetricsFile() throws {
    let (directory, runs) = try writeSyntheticReport()
    let markdown = try read(directory, "report.md")
    let selection = ReportSelection(runs)
    #expect(selection.main.count == 3)
    for run in selection.main {
        let cells = try #require(tableRow(markdown, startingWith: RunStyle.label(run)))
        // Model, what it is, epochs, seconds, train loss, test loss, train accuracy, test accuracy.
        #expect(cells.count == 8)
        #expect(Int(cells[2]) == run.last.epoch)
        #expect(abs(Double(cells[3])! - run.epochs.map(\.seconds).reduce(0, +)) < 0.005)
        #expect(abs(Double(cells[4])! - run.last.trainLoss) < 0.00005)
        #expect(abs(Double(cells[5])! - run.last.testLoss) < 0.00005)
        let percent = { (cell: String) in Double(cell.replacingOccurrences(of: " %", with: ""))! }
        #expect(abs(percent(cells[6]) - run.last.trainAccuracy * 100) < 0.005)
        #expect(abs(percent(cells[7]) - run.last.testAccuracy * 100) < 0.005)
    }
}

@Test func reportHoldsTheFormulasAndThePerClassTable() throws {
    let (directory, runs) = try writeSyntheticReport()
    let markdown = try read(directory, "report.md")
    for tex in [#"\hat{y} = \sigma(Wx + b)"#, #"\frac{\partial L}{\partial w} = (\hat{y} - y)\, x"#,
                #"L = -\log p_y"#, #"p - \operatorname{onehot}(y)"#] {
        #expect(markdown.contains("$$\n" + tex) || markdown.contains(tex), "\(tex)")
    }
    let multiclass = try #require(runs.first { $0.model == "multiclass" })
    let confusion = try #require(multiclass.last.confusion)
    for digit in 0...9 {
        let cells = try #require(tableRow(markdown, startingWith: String(digit)))
        #expect(Int(cells[1]) == confusion[digit].reduce(0, +))
        #expect(Int(cells[2]) == confusion[digit][digit])
    }
}

@Test func htmlIsSelfContained() throws {
    let (directory, _) = try writeSyntheticReport()
    let html = try read(directory, "report.html")
    #expect(html.components(separatedBy: "<svg ").count - 1 == 5)
    #expect(!html.contains("src=") && !html.contains("href=") && !html.contains("<script"))
    let withoutNamespace = html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
    #expect(!withoutNamespace.contains("http://") && !withoutNamespace.contains("https://"))
    #expect(html.contains("∂<i>L</i>/∂<i>z</i> = <i>p</i> − onehot(<i>y</i>)"))
}

@Test func reportWithoutDigitDataLeavesOutDigitsAndConfusion() throws {
    let directory = try SyntheticMetrics.temporaryDirectory("hidden-only")
    let runs = RunMetrics.runs(from: SyntheticMetrics.run(model: "hidden", digit: nil, hidden: 32, epochs: 3,
                                                          startLoss: 0.3, finalAccuracy: 0.95)
        .map { line in var line = line; line.digitAccuracy = nil; return line })
    let written = try ReportWriter.write(runs: runs, to: directory)
    #expect(written.map(\.lastPathComponent) == ["report.md", "report.html", "loss.svg", "accuracy.svg",
                                                 "architecture.svg"])
}

@Test func writingNoRunsIsAnError() throws {
    #expect(throws: MetricsError.self) {
        try ReportWriter.write(runs: [], to: FileManager.default.temporaryDirectory)
    }
}
