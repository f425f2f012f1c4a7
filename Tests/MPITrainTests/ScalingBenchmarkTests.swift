import Foundation
import Testing

/// `scripts/scaling-benchmark` end to end on the smallest sweep: real `mpirun`, the release binary,
/// the single-neuron model for one epoch (a few seconds in all).
@Suite(.serialized)
struct ScalingBenchmarkTests {
    static let script = Project.root.appendingPathComponent("scripts/scaling-benchmark")

    @Test func strongSweepWritesTheTableTheCSVAndTheChart() throws {
        let out = try temporaryFolder("scaling")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try run(Self.script, [
            "--model", "single", "--ranks", "1,2", "--threads", "1,2", "--epochs", "1", "--repeats", "1",
            "--mode", "strong", "--out", out.path,
        ], timeout: 120)
        #expect(result.status == 0, "scaling-benchmark failed: \(result.stderr)")
        #expect(result.stdout.contains("[  8/8]"), "progress counts warm-up and measured runs: \(result.stdout)")

        // CSV: a header and one row per (ranks, threads), in sweep order.
        let csv = try String(contentsOf: out.appendingPathComponent("scaling.csv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(csv.first)
        for column in ["mode", "ranks", "threads", "global_batch", "seconds_per_epoch", "samples_per_second",
                       "speedup", "efficiency", "allreduce_share", "oversubscribed"] {
            #expect(header.contains(column), "missing column \(column)")
        }
        let rows = csv.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
        #expect(rows.map { "\($0["ranks"]!)x\($0["threads"]!)" } == ["1x1", "2x1", "1x2", "2x2"])
        let cores = ProcessInfo.processInfo.activeProcessorCount
        for row in rows {
            #expect(row["mode"] == "strong" && row["global_batch"] == "256")
            #expect((Double(row["seconds_per_epoch"]!) ?? 0) > 0)
            #expect(Double(row["allreduce_share"]!) != nil, "the profile's allreduce share is missing")
            let workers = Int(row["ranks"]!)! * Int(row["threads"]!)!
            #expect(row["oversubscribed"] == String(workers > cores))
        }
        #expect(rows.first?["speedup"] == "1" && rows.first?["efficiency"] == "1")

        // Markdown: the table with one line per configuration.
        let markdown = try String(contentsOf: out.appendingPathComponent("scaling.md"), encoding: .utf8)
        #expect(markdown.contains("| mode | ranks | threads | global batch | s/epoch | samples/s | speed-up |"))
        #expect(markdown.split(separator: "\n").filter { $0.hasPrefix("| strong |") }.count == 4)

        // SVG (drawn by mpitrain plot-scaling): one series per threads value (2 points each), the ideal line, a legend.
        let svg = try SVGInspection(String(contentsOf: out.appendingPathComponent("scaling.svg"), encoding: .utf8))
        let series = try svg.series()
        #expect(series.map { $0.value(of: "data-series") } == ["strong, 1 thread/rank", "strong, 2 threads/rank", "ideal"])
        #expect(series.map(SVGInspection.pointCount) == [2, 2, 2])
        let texts = try svg.texts()
        #expect(texts.contains("workers = ranks × threads per rank"))
        #expect(texts.contains("ideal (speed-up = workers)"))
    }

    @Test func rejectsABadRankList() throws {
        let result = try run(Self.script, ["--ranks", "0,2", "--out", try temporaryFolder("scaling").path], timeout: 30)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--ranks"))
    }

    @Test func aFailingRunStopsTheSweepAndShowsItsOutput() throws {
        let out = try temporaryFolder("scaling")
        defer { try? FileManager.default.removeItem(at: out) }
        // --batch-size 1 cannot be split over 2 ranks: the trainer refuses, the sweep must say so and fail.
        let result = try run(Self.script, [
            "--model", "single", "--ranks", "2", "--threads", "1", "--epochs", "1", "--repeats", "1",
            "--mode", "strong", "--batch-size", "1", "--out", out.path,
        ], timeout: 60)
        #expect(result.status == 1)
        #expect(result.stderr.contains("exited with status"))
        #expect(result.stderr.contains("cannot be split over 2 ranks"))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("scaling.csv").path))
    }
}
