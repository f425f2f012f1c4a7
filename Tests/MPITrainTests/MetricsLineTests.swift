import Foundation
import NetCore
import Testing

/// What every metrics line carries, step lines, and the schema document against a real line.
@Suite struct MetricsLineTests {
    static func objects(_ url: URL) throws -> [[String: Any]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func everyLineNamesItsRunAndTimeAndAResumedRunKeepsItsId() throws {
        let folder = try temporaryFolder("metrics-lines")
        defer { try? FileManager.default.removeItem(at: folder) }
        let metrics = folder.appendingPathComponent("m.jsonl"), checkpoints = folder.appendingPathComponent("ck")
        let common = ["--model", "single", "--metrics", metrics.path, "--log-every", "300", "--lr-schedule", "cosine"]
        #expect(try mpitrain(common + ["--epochs", "3", "--checkpoint", checkpoints.path]).status == 0)
        let resumed = try mpitrain(common + ["--epochs", "3", "--resume", checkpoints.appendingPathComponent("epoch-2.safetensors").path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let lines = try Self.objects(metrics)
        let epochs = lines.filter { $0["event"] as? String == "epoch" }, steps = lines.filter { $0["event"] as? String == "step" }
        #expect(epochs.map { $0["epoch"] as? Int } == [1, 2, 3] && lines.count == epochs.count + steps.count)
        #expect(steps.map { $0["step"] as? Int } == Array(repeating: [300, 600, 900], count: 3).flatMap { $0 })
        #expect(steps.allSatisfy { $0["steps"] as? Int == 938 && ($0["loss"] as? Double ?? -1) > 0 })
        let ids = Set(lines.compactMap { $0["run_id"] as? String })
        #expect(ids.count == 1 && ids.first?.wholeMatch(of: /\d{8}T\d{6}Z-[0-9a-f]{6}/) != nil, "\(ids)")
        #expect(lines.allSatisfy { ($0["time"] as? String)?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil })
        #expect(epochs.allSatisfy { $0["schedule"] as? String == "cosine" && $0["input"] as? String == "sparse" && $0["validation"] as? Int == 0 })
        let fresh = try mpitrain(common + ["--epochs", "1", "--overwrite"])
        #expect(fresh.status == 0)
        #expect(Set(try Self.objects(metrics).compactMap { $0["run_id"] as? String }).isDisjoint(with: ids), "a new run, a new id")
    }

    @Test func theSchemasExampleHasTheKeysOfARealLine() throws {
        let folder = try temporaryFolder("metrics-schema")
        defer { try? FileManager.default.removeItem(at: folder) }
        let metrics = folder.appendingPathComponent("m.jsonl")
        #expect(try mpitrain(["--model", "multiclass", "--epochs", "1", "--validation", "5000", "--metrics", metrics.path]).status == 0)
        let real = try #require(try Self.objects(metrics).first)
        let schema = try String(contentsOf: Project.root.appendingPathComponent("docs/metrics-schema.md"), encoding: .utf8)
        let block = try #require(schema.firstMatch(of: /```json\n([\s\S]*?)```/)).1
        let example = try #require(try JSONSerialization.jsonObject(with: Data(block.replacingOccurrences(of: "\n", with: "").utf8)) as? [String: Any])
        #expect(Set(example.keys) == Set(real.keys), "documented \(Set(example.keys).symmetricDifference(real.keys))")
        for key in real.keys { #expect(schema.contains("`\(key)`"), "\(key) is described in the table") }
    }
}
