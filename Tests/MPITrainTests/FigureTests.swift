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

@Test func legendSitsRightOfThePlot() throws {
    let runs = RunMetrics.runs(from: SyntheticMetrics.mainRuns(epochs: 5))
    let svg = try SVGInspection(ReportFigures.loss(runs).markup)
    let frame = try #require(try svg.elements("rect").first { $0.value(of: "fill") == "none" })
    let plotRight = Double(frame.value(of: "x")!)! + Double(frame.value(of: "width")!)!
    let legendTexts = try svg.document.nodes(forXPath: "//*[local-name()='g'][@class='legend']/*[local-name()='text']")
    #expect(legendTexts.count == 2 + 3)  // "train", "test", one row per model.
    for text in legendTexts.compactMap({ $0 as? XMLElement }) {
        #expect(Double(text.value(of: "x")!)! > plotRight)
    }
    // Every series point lies inside the plot frame.
    for line in try svg.series() {
        for pair in line.value(of: "points")!.split(separator: " ") {
            let x = Double(pair.split(separator: ",")[0])!
            #expect(x <= plotRight + 0.01)
        }
    }
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
