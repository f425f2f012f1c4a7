import Foundation
import Testing

/// `scripts/scaling-predict` on synthetic measurements made by its own model: it must recover the
/// network's α and β and the compute, predict every measured point exactly, and the ring's speed-ups.
@Suite
struct ScalingPredictTests {
    static let script = Project.root.appendingPathComponent("scripts/scaling-predict")

    @Test func recoversTheNetworkAndPredictsTheRing() throws {
        let folder = try temporaryFolder("scaling-predict")
        defer { try? FileManager.default.removeItem(at: folder) }
        // α 50 µs, β 8 ns/byte (1 Gbit/s); compute 1 µs per image per step, no fixed part.
        let alpha = 50e-6, beta = 8e-9
        var single: [[String: Any]] = [], runs: [[String: Any]] = []
        for (model, floats) in [("small", 10_000), ("large", 1_000_000)] {
            for batch in [64, 1024] {
                let steps = (60_000 + batch - 1) / batch
                let compute = 1e-6 * Double(batch / 2)
                single.append(["model": model, "batch": batch / 2, "steps": 60_000 / (batch / 2),
                               "train_seconds": compute * Double(60_000 / (batch / 2)), "phases": ["allreduce_wait": 0.0]])
                let allreduce = 2 * alpha + Double(floats * 4) * beta
                runs.append(["model": model, "batch": batch, "precision": "fp32", "steps": steps, "gradient_floats": floats,
                             "train_seconds": Double(steps) * (compute + allreduce),
                             "phases": ["allreduce": Double(steps) * allreduce, "allreduce_wait": 0.0]])
            }
        }
        let file = folder.appendingPathComponent("measurements.json")
        let measurements: [String: Any] = ["single_process": single, "networks": ["1gbit": ["qdisc": "tbf", "runs": runs]]]
        try JSONSerialization.data(withJSONObject: measurements).write(to: file)

        let result = try run(Self.script, [file.path, "--nodes", "1,4"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("| 1gbit | fp32 | 50.0 | 8.000 | 1.00 |"), "\(result.stdout)")
        #expect(result.stdout.contains("Largest error: 0 %."), "\(result.stdout)")
        // large, batch 1024: 1 node computes 1024 µs; 4 nodes 256 µs plus 6α + 1.5 · 4 MB · β = 48.3 ms.
        let single1024 = 1024e-6, four = 256e-6 + 6 * alpha + 1.5 * 4e6 * beta
        let expected = String(format: "| 1gbit | fp32 | large | 1024 | 1.00 (0 %%) | %.2f (%.0f %%) |",
                              single1024 / four, (four - 256e-6) / four * 100)
        #expect(result.stdout.contains(expected), "expected \(expected) in \(result.stdout)")
    }
}
