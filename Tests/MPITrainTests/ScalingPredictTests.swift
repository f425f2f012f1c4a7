import Foundation
import Testing

/// `scripts/scaling-predict` on synthetic measurements made by its own model: two networks shaped by a
/// token bucket (tbf, burst 256 KiB), whose 2-rank runs compute 1.5× slower than one process (the
/// shared cores). It must recover each network's α and β, predict every measured point from held-out
/// data only (the compute from the other network, α and β from the network's other points), and the
/// ring's speed-ups over links of the network's rate.
@Suite
struct ScalingPredictTests {
    static let script = Project.root.appendingPathComponent("scripts/scaling-predict")
    /// Per network: α (s), the hosts' β (s/byte), the rate (bytes/s).
    static let networks: [String: (Double, Double, Double)] = ["1gbit": (50e-6, 0.5e-9, 125e6),
                                                                "10gbit": (20e-6, 0.5e-9, 1250e6)]
    static let burst = 262_144.0
    static let slowdown = 1.5

    /// Seconds of a 2-rank allreduce of `bytes` on `network`, `gap` seconds after the last one:
    /// 2α + bytes·β, and what the refilled bucket cannot pass goes at the rate.
    static func allreduce(_ network: String, bytes: Double, gap: Double) -> Double {
        let (alpha, beta, rate) = networks[network]!
        return 2 * alpha + bytes * beta + max(bytes - min(burst, rate * gap), 0) / rate
    }

    /// Measurements of two models at batch 64 and 1024 on both networks; `scale(network, model, batch)`
    /// multiplies one 2-rank run's compute and allreduce (1 = the model's own numbers).
    static func measurements(scale: (String, String, Int) -> Double = { _, _, _ in 1 }) -> [String: Any] {
        var single: [[String: Any]] = [], networks: [String: Any] = [:]
        let models = [("small", 10_000), ("large", 1_000_000)], batches = [64, 1024]
        // One process: 1 µs per image per step, no fixed part.
        for (model, _) in models {
            for batch in batches {
                let compute = 1e-6 * Double(batch / 2), steps = 60_000 / (batch / 2)
                single.append(["model": model, "batch": batch / 2, "steps": steps,
                               "train_seconds": compute * Double(steps), "phases": ["allreduce_wait": 0.0]])
            }
        }
        for network in Self.networks.keys {
            var runs: [[String: Any]] = []
            for (model, floats) in models {
                for batch in batches {
                    let steps = Double((60_000 + batch - 1) / batch), factor = scale(network, model, batch)
                    let compute = factor * slowdown * 1e-6 * Double(batch / 2)
                    let reduce = factor * Self.allreduce(network, bytes: Double(floats * 4), gap: compute / factor)
                    let phases = ["data": 0.25 * compute * steps, "forward": 0.25 * compute * steps,
                                  "backward": 0.25 * compute * steps, "update": 0.25 * compute * steps,
                                  "allreduce": reduce * steps, "allreduce_wait": 0.0]
                    runs.append(["model": model, "batch": batch, "precision": "fp32", "steps": Int(steps),
                                 "gradient_floats": floats, "train_seconds": steps * (compute + reduce),
                                 "phases": phases])
                }
            }
            networks[network] = ["qdisc": "tbf rate \(network) burst 256kb latency 100ms", "runs": runs]
        }
        return ["single_process": single, "networks": networks]
    }

    static func predict(_ measurements: [String: Any], _ arguments: [String]) throws -> String {
        let folder = try temporaryFolder("scaling-predict")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("measurements.json")
        try JSONSerialization.data(withJSONObject: measurements).write(to: file)
        let result = try run(Self.script, [file.path] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    /// The cells of the prediction table's row for one measured point.
    static func row(_ output: String, _ network: String, _ model: String, _ batch: Int) -> [String] {
        let prefix = "| \(network) | \(model) | \(batch) | fp32 |"
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return [] }
        return line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test func recoversTheNetworksAndPredictsTheRing() throws {
        let output = try Self.predict(Self.measurements(), ["--nodes", "1,4"])
        #expect(output.contains("| 1gbit | fp32 | tbf rate 1gbit burst 256kb latency 100ms | 50.0 | 0.500 | 8.500 | 0.94 |"),
                "\(output)")
        #expect(output.contains("| 10gbit | fp32 | tbf rate 10gbit burst 256kb latency 100ms | 20.0 | 0.500 | 1.300 | 6.15 |"),
                "\(output)")
        #expect(output.contains("| 1gbit | fp32 | large | 1.50× | 1.50× |"), "\(output)")
        #expect(output.contains("Within 20 %: 8 of 8 points. Largest error: 0 %."), "\(output)")
        // large, batch 1024: 1 node computes 1024 µs; 4 nodes 256 µs plus 6α + 1.5 · 4 MB · (β + 1/rate),
        // links of 1 Gbit/s without a bucket.
        let (alpha, beta, rate) = Self.networks["1gbit"]!
        let single1024 = 1024e-6, four = 256e-6 + 6 * alpha + 1.5 * 4e6 * (beta + 1 / rate)
        let expected = String(format: "| 1gbit | fp32 | large | 1024 | 1.00 (0 %%) | %.2f (%.0f %%) |",
                              single1024 / four, (four - 256e-6) / four * 100)
        #expect(output.contains(expected), "expected \(expected) in \(output)")
    }

    /// A point that took twice the model's time (compute and allreduce) is predicted at half of it:
    /// nothing of its own measurement reaches its prediction.
    @Test func predictsEveryPointFromOtherPointsOnly() throws {
        let measurements = Self.measurements { network, model, batch in
            network == "1gbit" && model == "large" && batch == 1024 ? 2 : 1
        }
        let output = try Self.predict(measurements, [])
        #expect(Self.row(output, "1gbit", "large", 1024)[7] == "-50 %", "\(output)")
        // Its compute, twice the model's, is what predicts the same point on the other network (whose
        // bucket is full either way): +13 %.
        let compute = Self.slowdown * 512e-6
        let allreduce = Self.allreduce("10gbit", bytes: 4e6, gap: compute)
        let expected = String(format: "%+.0f %%", ((2 * compute + allreduce) / (compute + allreduce) - 1) * 100)
        #expect(Self.row(output, "10gbit", "large", 1024)[7] == expected, "\(output)")
    }
}
