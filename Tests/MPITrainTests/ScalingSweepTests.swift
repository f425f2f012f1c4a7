import Foundation
import Testing
@testable import LabReport

/// `mpitrain scaling-summary`: a sweep's runs read through the report's metrics reader, summarised
/// as the CSV, the Markdown table and the chart.
@Suite struct ScalingSweepTests {
    /// A run's metrics file: epoch 1 (a warm-up, left out) and the epochs that follow, `samples` images/s each.
    static func run(_ samples: [Double], allreduce: Double = 0.01) -> String {
        ([100_000] + samples).enumerated().map { index, rate in
            let phases = ["data": 0.01, "forward": 0.02, "backward": 0.03, "allreduce_wait": 0.0, "allreduce": allreduce,
                          "update": 0.01, "evaluation": 0.005]
            let profile = phases.map { "\"\($0.key)\":{\"min\":\($0.value),\"mean\":\($0.value),\"max\":\($0.value)}" }.joined(separator: ",")
            return "{\"model\":\"single\",\"epoch\":\(index + 1),\"epochs\":\(samples.count + 1),\"train_loss\":0.1,\"test_loss\":0.1,"
                + "\"train_accuracy\":0.9,\"test_accuracy\":0.9,\"seconds\":\(60_000 / rate),\"samples_per_second\":\(rate),\"profile\":{\(profile)}}"
        }.joined(separator: "\n") + "\n"
    }

    @Test func mediansSpeedUpAndTheFilesAgreeWithHandComputedValues() throws {
        let folder = try temporaryFolder("sweep")
        defer { try? FileManager.default.removeItem(at: folder) }
        let runs: [String: String] = [
            "a1.jsonl": Self.run([1000, 1000]), "a2.jsonl": Self.run([1200]), "a3.jsonl": Self.run([900]),   // median 1000
            "b1.jsonl": Self.run([1500, 1700], allreduce: 0.07), "b2.jsonl": Self.run([1800], allreduce: 0.07), // median 1700
            "c1.jsonl": Self.run([1100]),
        ]
        for (name, text) in runs { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        let sweep = """
            {"cores": 2, "title": "t", "header": ["how"], "configurations": [
             {"mode": "strong", "ranks": 1, "threads": 1, "global_batch": 64, "runs": ["a1.jsonl", "a2.jsonl", "a3.jsonl"]},
             {"mode": "strong", "ranks": 2, "threads": 1, "global_batch": 64, "runs": ["b1.jsonl", "b2.jsonl"]},
             {"mode": "strong", "ranks": 4, "threads": 1, "global_batch": 64, "runs": ["c1.jsonl"]}]}
            """
        let url = folder.appendingPathComponent("sweep.json")
        try Data(sweep.utf8).write(to: url)
        let results = try ScalingSweep.load(url)
        let rows = results.csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let header = rows[0].map(String.init)
        func cell(_ row: Int, _ column: String) -> String { String(rows[row][header.firstIndex(of: column)!]) }
        #expect(cell(1, "samples_per_second") == "1000" && cell(1, "speedup") == "1" && cell(1, "run_seconds_per_epoch") == "60;50;66.6667")
        // b: the two runs' means are 1600 and 1800 images/s; their median is 1700, so 1.7× on 2 workers.
        #expect(cell(2, "samples_per_second") == "1700" && cell(2, "speedup") == "1.7" && cell(2, "efficiency") == "0.85")
        // allreduce 0.07 of a 0.14 s step (data 0.01 + forward 0.02 + backward 0.03 + wait 0 + allreduce 0.07 + update 0.01).
        #expect(cell(2, "allreduce_share") == "0.5" && cell(2, "evaluation_seconds") == "0.005")
        #expect(cell(3, "oversubscribed") == "true" && cell(2, "oversubscribed") == "false")
        // s/epoch: the runs' mean seconds (40 + 35.294) / 2 and 33.333; their median 35.490.
        #expect(results.table.contains("| strong | 2 | 1 | 64 | 35.490 | 1,700 | 1.70× | 85% | 50.0 % |  |"), "\(results.table)")
        #expect(results.table.contains("oversubscribed (4 > 2 cores)"))
        #expect(results.markdown.hasPrefix("# Scaling benchmark\n\nhow\n\n| mode |"))
        let svg = try SVGInspection(results.svg)
        #expect(try svg.series().map(SVGInspection.pointCount) == [3, 2], "strong 1 thread: 3 points; the ideal line")
    }

    @Test func aMissingRunFileIsOneLine() throws {
        let folder = try temporaryFolder("sweep-missing")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("sweep.json")
        try Data(#"{"cores": 2, "title": "t", "header": [], "configurations": [{"mode": "strong", "ranks": 1, "threads": 1, "global_batch": 64, "runs": ["gone.jsonl"]}]}"#.utf8).write(to: url)
        let result = try mpitrain(["scaling-summary", url.path])
        #expect(result.status == 1 && result.stderr.hasPrefix("mpitrain: error: cannot read metrics file \(folder.path)/gone.jsonl"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: folder.deletingLastPathComponent().appendingPathComponent("scaling.csv").path))
    }
}
