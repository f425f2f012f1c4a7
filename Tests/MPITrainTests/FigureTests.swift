import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import LabReport
import NetCore

@Test func architectureFigureFollowsTheHiddenWidth() throws {
    func figure(hidden: Int) throws -> (markup: String, texts: [String]) {
        let runs = RunMetrics.runs(from: SyntheticMetrics.mainRuns(epochs: 2, hidden: hidden))
        let markup = ArchitectureFigure(runs: runs).document().markup
        return (markup, try SVGInspection(markup).texts())
    }
    let narrow = try figure(hidden: 64), wide = try figure(hidden: 128)
    #expect(narrow.texts.contains("64 hidden units") && !narrow.texts.contains("128 hidden units"))
    #expect(wide.texts.contains("128 hidden units") && !wide.texts.contains("64 hidden units"))
    #expect(narrow.texts.contains("784 inputs") && narrow.texts.contains("28×28 pixels"))
    #expect(narrow.texts.contains("10 outputs") && narrow.texts.contains("softmax"))
    #expect(narrow.markup != wide.markup)
}

@Test func architectureFigureDrawsEveryLayerOfADeepNetWithItsActivation() throws {
    let line = EpochMetrics(model: "multiclass", epoch: 1, epochs: 1, trainLoss: 0.5, testLoss: 0.5, trainAccuracy: 0.9,
                            testAccuracy: 0.9, seconds: 1, activation: "relu,tanh,sigmoid",
                            activations: ["relu", "tanh", "sigmoid"], layerWidths: [64, 32, 16, 8, 26])
    let texts = try SVGInspection(ArchitectureFigure(runs: RunMetrics.runs(from: [line])).document().markup).texts()
    for expected in ["64 inputs", "8×8 pixels", "32 hidden units", "16 hidden units", "8 hidden units", "relu", "tanh",
                     "sigmoid", "26 outputs", "W₄ [26×8]", "b₄ [26]", "y = the true class 0…25"] {
        #expect(texts.contains(expected), "\(expected) in \(texts)")
    }
    #expect(texts.contains { $0.hasPrefix("multiclass 32,16,8 relu,tanh,sigmoid") })
}

@Test func architectureSamplesWideLayers() {
    #expect(ArchitectureFigure.sampledNeurons(1) == [0])
    #expect(ArchitectureFigure.sampledNeurons(10) == Array(0..<10))
    let wide = ArchitectureFigure.sampledNeurons(784)
    #expect(wide.count == 8 && wide.contains(nil) && wide.last == 783)
}

@Test func svgTextIsEscaped() throws {
    var svg = SVGDocument(width: 100, height: 40, title: "a < b & \"c\"")
    svg.text("x < y && y > 'z'", x: 10, y: 20)
    let inspection = try SVGInspection(svg.markup)
    #expect(try inspection.texts() == ["x < y && y > 'z'"])
    #expect(try inspection.elements("title").first?.stringValue == "a < b & \"c\"")
}

@Test func legendSitsBelowThePlotAndTheMinimumIsRinged() throws {
    let runs = RunMetrics.runs(from: SyntheticMetrics.mainRuns(epochs: 5))
    // The detectors' panel alone: binary cross-entropy is not on the 10-class loss's scale.
    let svg = try SVGInspection(ReportFigures.loss(runs.filter(\.isBinary)).markup)
    let frame = try #require(try svg.elements("rect").first { $0.value(of: "fill") == "none" })
    let plotBottom = Double(frame.value(of: "y")!)! + Double(frame.value(of: "height")!)!
    let plotRight = Double(frame.value(of: "x")!)! + Double(frame.value(of: "width")!)!
    let legendTexts = try svg.document.nodes(forXPath: "//*[local-name()='g'][@class='legend']/*[local-name()='text']")
    #expect(legendTexts.count == 2 + 2 * 2)  // "train", "test", per model its label and its minimum.
    for text in legendTexts.compactMap({ $0 as? XMLElement }) {
        #expect(Double(text.value(of: "y")!)! > plotBottom)
    }
    // Every series point lies inside the plot frame.
    for line in try svg.series() {
        for pair in line.value(of: "points")!.split(separator: " ") {
            let x = Double(pair.split(separator: ",")[0])!
            #expect(x <= plotRight + 0.01)
        }
    }
    // One ring per model, in its colour and of its own size, so rings on the same point stay apart.
    let rings = try svg.document.nodes(forXPath: "//*[local-name()='g'][@class='highlights']/*[local-name()='circle']")
        .compactMap { $0 as? XMLElement }
    #expect(rings.count == 2)
    #expect(Set(rings.compactMap { $0.value(of: "stroke") }) == ["#0072B2", "#D55E00"])
    #expect(Set(rings.compactMap { $0.value(of: "r") }).count == 2)
    #expect(try svg.texts().contains { $0.hasPrefix("ring: lowest test loss") })
    // With the multiclass model: two panels, each with its own loss's name on the axis.
    let both = try SVGInspection(ReportFigures.loss(runs).markup).texts()
    #expect(both.contains("binary cross-entropy") && both.contains("10-class cross-entropy"))
}

@Test func accuracyPanelsSeparateTheKindsAndDrawTheBaseline() throws {
    let runs = RunMetrics.runs(from: SyntheticMetrics.mainRuns(epochs: 5))
    let svg = try SVGInspection(ReportFigures.accuracy(runs).markup)
    let texts = try svg.texts()
    #expect(texts.contains("Binary detectors: accuracy per epoch") && texts.contains("10-class models: accuracy per epoch"))
    let baseline = try #require(DetectorScores(runs[0])).baseline
    #expect(baseline == 9108.0 / 10_000)
    #expect(texts.contains("baseline (always no) 91.08 %"))
    #expect(try svg.document.nodes(forXPath: "//*[local-name()='g'][@class='references']/*[local-name()='line']").count == 1)
}

@Test func confusionColoursAreLinearOnANamedScale() throws {
    #expect(HeatMap.color(fraction: 0) == "#FFF5EB" && HeatMap.color(fraction: 1) == "#7F2704")
    #expect(HeatMap.color(fraction: 0.5) == "#FD8D3C")       // The middle stop: linear, not square-root.
    #expect(HeatMap.color(fraction: 0.125) == "#FEE3C7")     // Halfway between the first two stops.
    let runs = RunMetrics.runs(from: SyntheticMetrics.mainRuns(epochs: 2))
    let texts = try SVGInspection(try #require(ReportFigures.confusion(runs[2])).markup).texts()
    #expect(texts.contains(HeatMap.scaleName))
}

@Test func lossBoxWritesTheSubscriptAsASubscript() throws {
    let runs = RunMetrics.runs(from: SyntheticMetrics.mainRuns(epochs: 2))
    let markup = ArchitectureFigure(runs: runs).document().markup
    #expect(!markup.contains("p_y") && !markup.contains("pᵧ"))
    #expect(markup.contains("<tspan>L = −log p</tspan><tspan dy=\"3.6\" font-size=\"9\">y</tspan>"))
    _ = try SVGInspection(markup)
}

@Test func reportCommandReadsEveryFileAfterFrom() throws {
    let out = try temporaryFolder("report-from")
    defer { try? FileManager.default.removeItem(at: out) }
    let metrics = out.appendingPathComponent("a.jsonl")
    try Data().write(to: metrics)
    let result = try mpitrain(["report", "--from", metrics.path, "/nonexistent/b.jsonl", "--out", out.path], timeout: 60)
    #expect(result.status != 0)
    #expect(result.stderr.contains("/nonexistent/b.jsonl"), "the second file is read too: \(result.stderr)")
    let zero = try mpitrain(["report", "--epochs", "0", "--out", out.path], timeout: 60)
    #expect(zero.status != 0 && zero.stderr.contains("--epochs 0 must be at least 1"), "\(zero.stderr)")
}

@Test func reportTrainsOnTheDataFolderItIsGiven() throws {
    let out = try temporaryFolder("report-data")
    let result = try mpitrain(["report", "--data", "/nonexistent/mnist", "--epochs", "1", "--out", out.path], timeout: 60)
    #expect(result.status != 0)
    #expect(result.stderr.contains("/nonexistent/mnist: no such folder"), "\(result.stderr)")
}

@Test func reportOptionsAreCheckedBeforeAnythingIsWritten() throws {
    let out = try temporaryFolder("report-options")
    defer { try? FileManager.default.removeItem(at: out) }
    let alone = try mpitrain(["report", "--model", "hidden", "--out", out.path], timeout: 60)
    #expect(alone.status != 0 && alone.stderr.contains("--model hidden chooses the --all-digits detectors; add --all-digits"),
            "\(alone.stderr)")
    let multiclass = try mpitrain(["report", "--all-digits", "--model", "multiclass", "--out", out.path], timeout: 60)
    #expect(multiclass.status != 0 && multiclass.stderr.contains("--model multiclass: the detectors of --all-digits are single or hidden"),
            "\(multiclass.stderr)")
    let metrics = out.appendingPathComponent("main.jsonl")
    try SyntheticMetrics.jsonLines(SyntheticMetrics.mainRuns(epochs: 2)).write(to: metrics, atomically: true, encoding: .utf8)
    let report = out.appendingPathComponent("report")
    let notes = try mpitrain(["report", "--from", metrics.path, "--notes", "/nonexistent/notes.md", "--out", report.path],
                             timeout: 60)
    #expect(notes.status != 0 && notes.stderr.contains("--notes /nonexistent/notes.md: cannot read it"), "\(notes.stderr)")
    #expect(!FileManager.default.fileExists(atPath: report.appendingPathComponent("report.md").path))
}

@Test func validationCurvesAreDrawnDottedWhenRecorded() throws {
    let lines = (1...6).map { epoch in
        var line = SyntheticMetrics.line(model: "multiclass", digit: nil, epoch: epoch, epochs: 6, trainLoss: 0.5 / Double(epoch),
                                         testLoss: 0.3)
        line.validationLoss = [0.4, 0.3, 0.2, 0.25, 0.3, 0.35][epoch - 1]
        line.validationAccuracy = 0.9
        return line
    }
    let runs = RunMetrics.runs(from: lines)
    for svg in [ReportFigures.loss(runs), ReportFigures.accuracy(runs)] {
        let validation = try SVGInspection(svg.markup).series().filter { $0.value(of: "data-series")!.hasSuffix("validation") }
        #expect(validation.count == 1 && validation[0].value(of: "stroke-dasharray") == "2 4")
        #expect(SVGInspection.pointCount(validation[0]) == 6)
    }
    #expect(Discussion.fitting(runs[0]).contains("the validation loss is lowest in epoch 3 (0.2000, validation accuracy 90.00 %)"))
}

@Test func notesInTheReportFolderAreKeptWhenTheReportIsRebuilt() throws {
    let out = try temporaryFolder("report-notes")
    defer { try? FileManager.default.removeItem(at: out) }
    let metrics = out.appendingPathComponent("main.jsonl")
    try SyntheticMetrics.jsonLines(SyntheticMetrics.mainRuns(epochs: 2)).write(to: metrics, atomically: true, encoding: .utf8)
    let report = out.appendingPathComponent("report")
    try FileManager.default.createDirectory(at: report, withIntermediateDirectories: true)
    try "The 4s and 9s look alike.\n".write(to: report.appendingPathComponent("notes.md"), atomically: true, encoding: .utf8)
    for _ in 0..<2 {
        let result = try mpitrain(["report", "--from", metrics.path, "--out", report.path, "--author", "Ada"], timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        let markdown = try String(contentsOf: report.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("## Notes\n\nThe 4s and 9s look alike.\n") && markdown.contains("Author: Ada  \nDate: "))
    }
}

@Test func confusionMatrixHasAPhoneLayoutUpToTenClasses() throws {
    let names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    func heatMap(_ classes: Int, names: [String]) -> HeatMap {
        let counts = (0..<classes).map { row in (0..<classes).map { $0 == row ? 1126 : ($0 + row) % 7 } }
        return HeatMap(title: "Confusion matrix of multiclass 128 relu (test set, epoch 100)", counts: counts,
                       rowLabels: names, columnLabels: names, rowTitle: "true class", columnTitle: "predicted class")
    }
    // Digits fit their cells: labelled directly, no key.
    let digits = try #require(heatMap(10, names: (0..<10).map(String.init)).narrowDocument())
    #expect(digits.width <= 400)
    let digitTexts = try SVGInspection(digits.markup).texts()
    #expect(digitTexts.contains("1\u{202F}126") && !digitTexts.contains { $0.hasPrefix("0 = ") })
    // Long names: numbered, with a key.
    let named = try #require(heatMap(10, names: names).narrowDocument())
    #expect(named.width <= 400)
    let namedTexts = try SVGInspection(named.markup).texts()
    #expect(namedTexts.contains("0 = T-shirt/top") && namedTexts.contains("9 = Ankle boot") && !namedTexts.contains("Trouser"))
    // The page carries both layouts; more than 10 classes scroll instead.
    #expect(heatMap(10, names: names).document().pageMarkup.contains("class=\"layout-narrow\""))
    #expect(heatMap(12, names: (0..<12).map(String.init)).narrowDocument() == nil)
}
