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
    #expect(names == ["accuracy.svg", "architecture.svg", "confusion.svg", "digits.svg", "loss.svg", "recall.svg",
                      "report.html", "report.md"])
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
    #expect(loss.count == 6)  // Three models × (train, test), on two panels; no test loss rises, so no zoom.
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
    // Counts grouped like every other number in the report (1 126, not 1126).
    #expect(cellTexts == counts.flatMap { $0.map { ReportTables.grouped($0) } })
    #expect(cellTexts.contains { $0.contains("\u{202F}") })
}

@Test func digitsChartHasTenGroupsOfDotsAndNoBars() throws {
    let (directory, _) = try writeSyntheticReport()
    defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
    let svg = try SVGInspection(try read(directory, "digits.svg"))
    let dots = try svg.document.nodes(forXPath: "//*[local-name()='g'][@class='dots']/*[local-name()!='text' and local-name()!='line']")
    // Top panel: the detectors' accuracy and recall; bottom: the two binary models on each digit's images.
    // The multiclass per-class recall has its own chart.
    #expect(dots.count == 10 * 4)
    let titles = try svg.texts()
    #expect(titles.contains("Each class d's own detector \"is it d?\"") && titles.contains("The 5-detectors on each class's images"))
    let recall = try SVGInspection(try read(directory, "recall.svg"))
    #expect(try recall.document.nodes(forXPath: "//*[local-name()='g'][@class='dots']/*[local-name()='polygon']").count == 10)
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
    for tex in [#"\frac{\partial \mathcal{L}}{\partial {W}^{(l)}}"#, #"[k=j]"#, #"\odot f'"#,
                #"{\delta}^{(l-1)}"#, #"\hat{y}=\sigma"#] {
        #expect(markdown.contains(tex), "\(tex)")
    }
    let multiclass = try #require(runs.first { $0.model == "multiclass" })
    let confusion = try #require(multiclass.last.confusion)
    for digit in 0...9 {
        let cells = try #require(tableRow(markdown, startingWith: String(digit)))
        #expect(Int(cells[1].replacingOccurrences(of: "\u{202F}", with: "")) == confusion[digit].reduce(0, +))
        #expect(Int(cells[2].replacingOccurrences(of: "\u{202F}", with: "")) == confusion[digit][digit])
    }
}

@Test func htmlIsSelfContained() throws {
    let (directory, _) = try writeSyntheticReport()
    defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
    let html = try read(directory, "report.html")
    #expect(html.components(separatedBy: "<figure ").count - 1 == 6)
    // Stacked charts come as their panels, side by side where there is room.
    #expect(html.components(separatedBy: "<svg ").count - 1 > 6 && html.contains("<div class=\"panels\">"))
    #expect(!html.contains("src=") && !html.contains("<script"))
    // Pictures are inline data: URIs, never files or addresses.
    #expect(html.components(separatedBy: "href=\"").dropFirst().allSatisfy { $0.hasPrefix("data:image/png;base64,") })
    let withoutNamespace = html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
    #expect(!withoutNamespace.contains("http://") && !withoutNamespace.contains("https://"))
}

@Test func formulasAreMathMLThatParses() throws {
    let (directory, runs) = try writeSyntheticReport()
    defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
    let html = try read(directory, "report.html")
    let formulas = ReportMath(runs).formulas
    #expect(html.components(separatedBy: "<math display=\"block\">").count - 1 == formulas.map(\.mathMLLines.count).reduce(0, +))
    for formula in formulas {
        for line in formula.mathMLLines {
            #expect(html.contains(line))
            let math = try XMLDocument(xmlString: line)
            #expect(math.rootElement()?.name == "math", "\(formula.caption)")
        }
        #expect(!formula.caption.contains("_"), "a caption shows TeX: \(formula.caption)")
    }
    func leaves(_ markup: String) throws -> String {
        try XMLDocument(xmlString: markup).nodes(forXPath: "//*[local-name()='mi' or local-name()='mo' or local-name()='mn']")
            .compactMap(\.stringValue).joined()
    }
    let all = try formulas.flatMap(\.mathMLLines).map(leaves)
    // The pieces the lab asks for: the output layer's gradients, the recursion, the softmax Jacobian and its collapse.
    for piece in ["∂ℒ∂W(l)=δ(l)a(l−1)⊤", "δ(l−1)=(W(l)⊤δ(l))⊙f′(z(l−1))", "∂ℒ∂W(2)=δ(2)h⊤", "∂ℒ∂b(2)=δ(2)",
                  "∂pk∂zj=pk([k=j]−pj)", "=pj−yj", "σ′(z)=σ(z)(1−σ(z))", "δ(L)=∂ℒ∂z(L)=∂ℒ∂ŷ·σ′(z)=ŷ−y"] {
        #expect(all.contains { $0.contains(piece) }, "\(piece) in \(all)")
    }
    // "y log ŷ" keeps its spaces: log is set apart by an mspace on both sides.
    #expect(html.contains("<mi>y</mi><mspace width=\"0.2em\"/><mi mathvariant=\"normal\">log</mi><mspace width=\"0.1em\"/>"))
    // f′ is one full-size identifier, not a superscript accent.
    #expect(html.contains("<mi>f′</mi>") && !html.contains("<msup><mi>f</mi>"))
}

@Test func formulasCoverOnlyTheModelsTrained() throws {
    let single = RunMetrics.runs(from: SyntheticMetrics.run(model: "single", digit: 5, hidden: nil, epochs: 2, startLoss: 0.2,
                                                           finalAccuracy: 0.97))
    let math = ReportMath(single)
    #expect(math.sections.map(\.title) == ["The forward pass", "The detectors' output and loss", "Backpropagation", "The update"])
    #expect(!math.formulas.contains { $0.caption.contains("softmax") || $0.caption.contains("hidden layer h") })
    let deep = RunMetrics.runs(from: SyntheticMetrics.run(model: "multiclass", digit: nil, hidden: 64, activation: "tanh",
                                                         epochs: 2, startLoss: 0.5, finalAccuracy: 0.95))
    let tanh = ReportMath(deep)
    #expect(tanh.sections.map(\.title) == ["The forward pass", "Softmax and cross-entropy", "Backpropagation", "The update"])
    #expect(tanh.formulas.contains { $0.tex.contains(#"\tanh'"#) } && !tanh.formulas.contains { $0.tex.contains(#"\sigma'(z)=\sigma"#) })
    let relu = ReportMath(RunMetrics.runs(from: SyntheticMetrics.run(model: "multiclass", digit: nil, hidden: 64, activation: "relu",
                                                                     epochs: 2, startLoss: 0.5, finalAccuracy: 0.95)))
    #expect(relu.formulas.flatMap(\.mathMLLines).contains { $0.contains("<mi>relu′</mi>") })
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
    let markdown = try String(contentsOf: written[0], encoding: .utf8)
    #expect(!markdown.contains("Softmax") && !markdown.contains("digit"))
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
    #expect(table.headers[1] == "Own hidden-layer detector \"is it d?\": accuracy")
    #expect(table.headers[2] == "Its recall on the d images")
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
    #expect(withSet.contains("*Top: each class's own detector, its accuracy on all test images (filled)"))
    let directory = try SyntheticMetrics.temporaryDirectory("no-set")
    defer { try? FileManager.default.removeItem(at: directory) }
    try ReportWriter.write(runs: RunMetrics.runs(from: SyntheticMetrics.mainRuns(epochs: 3)), to: directory)
    let withoutSet = try read(directory, "report.md")
    #expect(withoutSet.contains("*The detectors on the images of each class: the share answered right, which is \"no\" for the other classes (specificity)"))
    #expect(!withoutSet.contains("own detector"))
}
