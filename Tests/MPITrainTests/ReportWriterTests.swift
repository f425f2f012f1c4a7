import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
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
    defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
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
    defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
    let loss = try SVGInspection(try read(directory, "loss.svg")).series()
    #expect(loss.count == 6)  // Three models × (train, test).
    #expect(loss.allSatisfy { SVGInspection.pointCount($0) == epochs })
    #expect(loss.filter { $0.value(of: "stroke-dasharray") != nil }.count == 3)
    let accuracy = try SVGInspection(try read(directory, "accuracy.svg")).series()
    #expect(accuracy.count == 6)  // Three models × (train, test), on two panels.
    #expect(accuracy.allSatisfy { SVGInspection.pointCount($0) == epochs })
    #expect(accuracy.filter { $0.value(of: "stroke-dasharray") != nil }.count == 3)
}

@Test func confusionMatrixShowsEveryCountAndBothAxisTitles() throws {
    let (directory, runs) = try writeSyntheticReport()
    defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
    let svg = try SVGInspection(try read(directory, "confusion.svg"))
    let texts = try svg.texts()
    #expect(texts.contains("true class") && texts.contains("predicted class"))
    let counts = try #require(runs.first { $0.model == "multiclass" }?.last.confusion)
    let cellTexts = try svg.document.nodes(forXPath: "//*[local-name()='g'][@class='cells']/*[local-name()='text']")
        .map { $0.stringValue ?? "" }
    #expect(cellTexts == counts.flatMap { $0.map(String.init) })
}

@Test func digitsChartHasTenGroupsOfDotsAndNoBars() throws {
    let (directory, _) = try writeSyntheticReport()
    defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
    let svg = try SVGInspection(try read(directory, "digits.svg"))
    let dots = try svg.document.nodes(forXPath: "//*[local-name()='g'][@class='dots']/*[local-name()!='text' and local-name()!='line']")
    // The detectors' accuracy and recall, the two binary models' digit accuracy and the multiclass per-class accuracy.
    #expect(dots.count == 10 * 5)
    #expect(try svg.document.nodes(forXPath: "//*[local-name()='g'][@class='bars']").isEmpty)
}

/// The cells of the Markdown table row whose first cell is `label`.
private func tableRow(_ markdown: String, startingWith label: String) -> [String]? {
    markdown.split(separator: "\n").map(String.init).first { $0.hasPrefix("| \(label) |") }.map { line in
        line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

@Test func resultsTableMatchesTheMetricsFile() throws {
    let (directory, runs) = try writeSyntheticReport()
    defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
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
    defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
    let markdown = try read(directory, "report.md")
    for tex in [#"\hat{y} = \sigma(z) = \sigma(Wx + b)"#, #"\frac{\partial L}{\partial w_j} = (\hat{y} - y)\, x_j"#,
                #"\sigma(z)\,(1 - \sigma(z)) = \hat{y}(1 - \hat{y})"#, #"L = \max(z, 0) - z\,y + \log\left(1 + e^{-|z|}\right)"#,
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
    defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
    let html = try read(directory, "report.html")
    #expect(html.components(separatedBy: "<svg ").count - 1 == 5)
    #expect(!html.contains("src=") && !html.contains("href=") && !html.contains("<script"))
    let withoutNamespace = html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
    #expect(!withoutNamespace.contains("http://") && !withoutNamespace.contains("https://"))
}

@Test func formulasAreMathMLThatParses() throws {
    let (directory, _) = try writeSyntheticReport()
    defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
    let html = try read(directory, "report.html")
    let formulas = Formula.neuron + Formula.gradient + Formula.multiclass
    #expect(html.components(separatedBy: "<math display=\"block\">").count - 1 == formulas.count)
    for formula in formulas {
        #expect(html.contains(formula.mathML))
        let math = try XMLDocument(xmlString: formula.mathML)
        #expect(math.rootElement()?.name == "math", "\(formula.caption)")
        #expect(!formula.caption.contains("_"), "a caption shows TeX: \(formula.caption)")
    }
    // The single neuron's gradient, as the lab writes it: ∂L/∂w_j = (ŷ − y)·x_j.
    let gradient = try XMLDocument(xmlString: Formula.gradient[2].mathML)
    let leaves = try gradient.nodes(forXPath: "//*[local-name()='mi' or local-name()='mo' or local-name()='mn']")
        .compactMap(\.stringValue).joined()
    #expect(leaves.hasPrefix("∂L∂wj=(ŷ−y)xj"), "\(leaves)")
}

@Test func reportWithoutDigitDataLeavesOutDigitsAndConfusion() throws {
    let directory = try SyntheticMetrics.temporaryDirectory("hidden-only")
    defer { try? FileManager.default.removeItem(at: directory) }
    let runs = RunMetrics.runs(from: SyntheticMetrics.run(model: "hidden", digit: nil, hidden: 32, epochs: 3,
                                                          startLoss: 0.3, finalAccuracy: 0.95)
        .map { line in var line = line; line.digitAccuracy = nil; return line })
    let written = try ReportWriter.write(runs: runs, to: directory)
    #expect(written.map(\.lastPathComponent) == ["report.md", "report.html", "loss.svg", "accuracy.svg",
                                                 "architecture.svg"])
}

@Test func headerAndNotesAppearInBothFiles() throws {
    let directory = try SyntheticMetrics.temporaryDirectory("header")
    defer { try? FileManager.default.removeItem(at: directory) }
    let notes = "My own **discussion** of <the> results.\n\nSecond paragraph."
    let header = ReportHeader(title: "CS 101 Lab 2", author: "Ada Student", date: "2026-11-30", notes: notes)
    try ReportWriter.write(runs: RunMetrics.runs(from: SyntheticMetrics.mainRuns(epochs: 3)), to: directory, header: header)
    let markdown = try read(directory, "report.md"), html = try read(directory, "report.html")
    #expect(markdown.hasPrefix("# CS 101 Lab 2\n\nAuthor: Ada Student  \nDate: 2026-11-30\n"))
    #expect(markdown.contains("## Notes\n\n" + notes + "\n"))
    #expect(html.contains("<h1>CS 101 Lab 2</h1>") && html.contains("<p class=\"byline\">Author: Ada Student</p>"))
    #expect(html.contains("<p>My own **discussion** of &lt;the&gt; results.</p>\n<p>Second paragraph.</p>"))
    #expect(markdown.contains("## Discussion") && html.contains("<h2>Discussion</h2>"))
}

@Test func hiddenDetectorsForEveryDigitMakeTheirOwnSetWithRecall() throws {
    let hiddenDigits = (0...9).flatMap { digit in
        SyntheticMetrics.run(model: "hidden", digit: digit, hidden: 64, epochs: 2, startLoss: 0.2,
                             finalAccuracy: 0.99 - 0.001 * Double(digit))
    }
    let selection = ReportSelection(RunMetrics.runs(from: SyntheticMetrics.mainRuns(epochs: 2) + hiddenDigits))
    #expect(selection.main.map(\.model) == ["single", "hidden", "multiclass"])
    #expect(selection.detectorSets.map(\.model) == ["hidden"])
    let table = ReportTables.digits(selection)
    #expect(table.headers[1] == "hidden \"is it d?\" — test accuracy")
    #expect(table.headers[2] == "hidden \"is it d?\" — recall on the d images")
    let eight = try #require(selection.detectorSets[0].detectors[8])
    let counts = try #require(eight.last.binaryConfusion)
    let recall = Double(counts.truePositives) / Double(counts.truePositives + counts.falseNegatives)
    #expect(table.rows[8][2] == ReportTables.percent(recall))
    #expect(table.rows[8][1] == ReportTables.percent(eight.last.testAccuracy))
}

@Test func writingNoRunsIsAnError() throws {
    #expect(throws: MetricsError.self) {
        try ReportWriter.write(runs: [], to: FileManager.default.temporaryDirectory)
    }
}

@Test func digitsCaptionMentionsDetectorsOnlyWhenThereAreSome() throws {
    let written = try writeSyntheticReport(epochs: 3).directory
    defer { try? FileManager.default.removeItem(at: written.deletingLastPathComponent()) }
    let withSet = try read(written, "report.md")
    #expect(withSet.contains("*Accuracy per digit d: each digit's own detector (its test accuracy on all images"))
    let directory = try SyntheticMetrics.temporaryDirectory("no-set")
    defer { try? FileManager.default.removeItem(at: directory) }
    try ReportWriter.write(runs: RunMetrics.runs(from: SyntheticMetrics.mainRuns(epochs: 3)), to: directory)
    let withoutSet = try read(directory, "report.md")
    #expect(withoutSet.contains("*Accuracy per digit d: each model's accuracy on the images of d."))
    #expect(!withoutSet.contains("own detector"))
}
