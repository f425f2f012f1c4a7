import Foundation
import NetCore
import Testing
@testable import LabReport

/// The report's optimizer comparison: one network trained with SGD and with Adam gives two runs
/// and an Optimizers table; runs of one optimizer give none.
@Test func theReportComparesOptimizersOfOneNetwork() throws {
    let sgd = SyntheticMetrics.run(model: "multiclass", digit: nil, hidden: 128, activation: "relu", epochs: 5,
                                   startLoss: 0.4, finalAccuracy: 0.978)
    let adam = SyntheticMetrics.run(model: "multiclass", digit: nil, hidden: 128, activation: "relu", epochs: 5,
                                    startLoss: 0.3, finalAccuracy: 0.981).map { line -> EpochMetrics in
        var line = line
        line.optimizer = "adam"
        line.learningRate = 0.001
        return line
    }
    let runs = RunMetrics.runs(from: sgd + adam)
    #expect(runs.count == 2, "SGD and Adam runs of one network are two runs")
    let table = try #require(ReportTables.optimizers(runs))
    #expect(table.rows.map { $0[1] } == ["sgd", "adam"])
    #expect(table.rows[1][2] == "0.001" && table.rows[1][6] == ReportTables.percent(adam.last!.testAccuracy))
    #expect(ReportTables.optimizers(RunMetrics.runs(from: sgd)) == nil, "one optimizer, nothing to compare")

    let directory = try SyntheticMetrics.temporaryDirectory("optimizers")
    defer { try? FileManager.default.removeItem(at: directory) }
    try ReportWriter.write(runs: runs, to: directory)
    let markdown = try String(contentsOf: directory.appendingPathComponent("report.md"), encoding: .utf8)
    #expect(markdown.contains("## Optimizers"))
}
