import Foundation
import Testing
@testable import LabReport

@Test func decodesTheDocumentedSchemaWithNulls() throws {
    let text = """
        {"model":"multiclass","epoch":3,"epochs":100,"train_loss":0.21,"test_loss":0.19,"train_accuracy":0.94,"test_accuracy":0.951,"seconds":0.07,"samples_per_second":850000,"ranks":1,"threads":2,"seed":1,"batch_size":64,"learning_rate":0.1,"momentum":0.9,"hidden":64,"activation":"sigmoid","digit":null,"layer_widths":[784,64,10],"per_class_accuracy":[0.9,0.9,0.9,0.9,0.9,0.9,0.9,0.9,0.9,0.9],"confusion":null}

        {"model":"single","epoch":1,"epochs":2,"train_loss":0.3,"test_loss":0.28,"train_accuracy":0.9,"test_accuracy":0.91,"seconds":0.01,"hidden":null,"activation":null,"digit":5,"digit_accuracy":[1,1,1,1,1,0.5,1,1,1,1]}
        """
    let runs = try RunMetrics.decode(jsonLines: text, source: "metrics.jsonl")
    #expect(runs.count == 2)
    #expect(runs[0].model == "multiclass" && runs[0].digit == nil && runs[0].hidden == 64)
    #expect(runs[0].last.testAccuracy == 0.951 && runs[0].last.perClassAccuracy?.count == 10)
    #expect(runs[0].layerWidths == [784, 64, 10])
    #expect(runs[1].digit == 5 && runs[1].layerWidths == [784, 1] && runs[1].last.digitAccuracy?[5] == 0.5)
    #expect(runs[1].source == "metrics.jsonl")
}

@Test func groupsLinesIntoRunsByIdentityAndSortsEpochs() throws {
    let lines = SyntheticMetrics.mainRuns(epochs: 5) + SyntheticMetrics.mainRuns(epochs: 5, hidden: 128)
    let shuffled = lines.reversed()
    let runs = try RunMetrics.decode(jsonLines: SyntheticMetrics.jsonLines(Array(shuffled)))
    #expect(runs.count == 5)  // The two single runs share (single, 5, nil, nil): one run.
    for run in runs { #expect(run.epochs.map(\.epoch) == [1, 2, 3, 4, 5]) }
    #expect(Set(runs.compactMap(\.hidden)) == [64, 128])
}

@Test func reportsTheLineOfAMalformedEntry() {
    let text = "{\"model\":\"single\",\"epoch\":1}\n"
    let error = #expect(throws: MetricsError.self) {
        try RunMetrics.decode(jsonLines: "\n" + text, source: "bad.jsonl")
    }
    guard case let .malformedLine(source, line, _) = error else {
        Issue.record("expected a malformed-line error, got \(String(describing: error))")
        return
    }
    #expect(source == "bad.jsonl" && line == 2)
}

@Test func selectionKeepsTheFiveDetectorAsTheSingleModel() throws {
    let runs = RunMetrics.runs(from: SyntheticMetrics.digitRuns(epochs: 3) + SyntheticMetrics.mainRuns(epochs: 3))
    let selection = ReportSelection(runs)
    #expect(selection.main.map(\.model) == ["single", "hidden", "multiclass"])
    #expect(selection.main[0].digit == 5)
    #expect(selection.detectors.compactMap { $0?.digit } == Array(0...9))
}
