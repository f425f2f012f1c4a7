import Foundation
import NetCore

/// The results of a `scripts/scaling-benchmark` sweep: the configurations it ran and each run's
/// metrics file, summarised as `scaling.csv`, `scaling.md` and `scaling.svg`.
///
/// A run's seconds per epoch is the mean over its measured epochs (every epoch after the first
/// when it has more than one); a configuration reports the median over its runs. Speed-up is
/// samples per second over those of one rank with one thread in the same mode.
public struct ScalingSweep: Decodable {
    /// One point of the sweep: `strong` (fixed global batch) or `weak` (fixed batch per rank).
    public struct Configuration: Decodable {
        public var mode: String
        public var ranks: Int
        public var threads: Int
        public var globalBatch: Int
        /// The runs' metrics files, relative to the sweep file's folder.
        public var runs: [String]
        /// What each run measured (`load` fills it in).
        var measured: [Measurement] = []

        enum CodingKeys: String, CodingKey { case mode, ranks, threads, runs, globalBatch = "global_batch" }

        var workers: Int { ranks * threads }

        /// What is wrong with the configuration as read, or nil.
        var problem: String? {
            guard (1...ScalingSweep.maximumWorkers).contains(ranks), (1...ScalingSweep.maximumWorkers).contains(threads) else {
                return "ranks \(ranks) and threads \(threads), expected 1–\(ScalingSweep.maximumWorkers) each"
            }
            guard (1...EpochMetrics.maximumCount).contains(globalBatch) else {
                return "global_batch \(globalBatch), expected 1–\(EpochMetrics.maximumCount)"
            }
            return runs.isEmpty ? "no runs" : nil
        }
        var secondsPerEpoch: Double { median(measured.map(\.secondsPerEpoch)) }
        var samplesPerSecond: Double { median(measured.map(\.samplesPerSecond)) }

        /// Median over the runs of a phase's mean seconds per epoch; nil when a run has no profile.
        func phaseSeconds(_ phase: Phase) -> Double? {
            let values = measured.compactMap { $0.phaseSeconds[phase] }
            return values.count == measured.count && !values.isEmpty ? median(values) : nil
        }

        /// Share of a training step spent in the allreduce and in waiting for it.
        var allreduceShare: Double? {
            let step = Self.stepPhases.map(phaseSeconds)
            guard step.allSatisfy({ $0 != nil }), case let total = step.map({ $0! }).reduce(0, +), total > 0 else { return nil }
            return (phaseSeconds(.allreduce)! + phaseSeconds(.allreduceWait)!) / total
        }

        static let stepPhases: [Phase] = [.data, .forward, .backward, .allreduceWait, .allreduce, .update]
    }

    /// What one run measured, averaged over its measured epochs.
    struct Measurement {
        var secondsPerEpoch: Double
        var samplesPerSecond: Double
        var phaseSeconds: [Phase: Double]
    }

    /// Cores of the node the sweep ran on.
    public var cores: Int
    /// Heading of the chart.
    public var title: String
    /// Lines on how the numbers were taken, above the table in scaling.md.
    public var header: [String]
    public var configurations: [Configuration]

    /// Reads the sweep file and every run's metrics file.
    public static func load(_ url: URL) throws -> ScalingSweep {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw MetricsError.unreadable(path: url.path, reason: error.localizedDescription) }
        var sweep: ScalingSweep
        do { sweep = try JSONDecoder().decode(ScalingSweep.self, from: data) } catch {
            throw MetricsError.malformedLine(source: url.path, line: 1, reason: "not a sweep description: \(error)")
        }
        let folder = url.deletingLastPathComponent()
        guard (1...Self.maximumWorkers).contains(sweep.cores), !sweep.configurations.isEmpty else {
            throw MetricsError.malformedLine(source: url.path, line: 1, reason: "not a sweep description: cores \(sweep.cores) (expected 1–\(Self.maximumWorkers)) or no configurations")
        }
        for (index, configuration) in sweep.configurations.enumerated() {
            if let problem = configuration.problem {
                throw MetricsError.malformedLine(source: url.path, line: 1, reason: "not a sweep description: configuration \(index + 1) has \(problem)")
            }
            sweep.configurations[index].measured = try configuration.runs.map { run in
                let file = folder.appendingPathComponent(run)
                return try measurement(RunMetrics.load([file]), path: file.path)
            }
        }
        return sweep
    }

    /// The most ranks, threads per rank or cores a sweep may name.
    static let maximumWorkers = 1 << 20

    /// One run's averages: every epoch after the first when it has more than one.
    private static func measurement(_ runs: [RunMetrics], path: String) throws -> Measurement {
        guard runs.count == 1, let epochs = runs.first?.epochs else { throw MetricsError.empty }
        let measured = epochs.count > 1 ? Array(epochs.dropFirst()) : epochs
        if let epoch = measured.first(where: { $0.seconds <= 0 || $0.samplesPerSecond == 0 }) {
            throw MetricsError.unreadable(path: path, reason: "epoch \(epoch.epoch) took \(epoch.seconds) seconds at \(epoch.samplesPerSecond ?? 0) samples/s; a measured epoch takes time")
        }
        let seconds = mean(measured.map(\.seconds))
        let samples = mean(measured.map { $0.samplesPerSecond ?? 60_000 / $0.seconds })
        guard samples <= EpochMetrics.maximumRate else {
            throw MetricsError.unreadable(path: path, reason: "\(samples) samples/s is more than any run measures")
        }
        var phases: [Phase: Double] = [:]
        for phase in Phase.allCases {
            let values = measured.compactMap { $0.profile?[phase.rawValue]?.mean }
            if values.count == measured.count { phases[phase] = mean(values) }
        }
        return Measurement(secondsPerEpoch: seconds, samplesPerSecond: samples, phaseSeconds: phases)
    }

    // MARK: - Speed-up

    /// Throughput over that of the mode's one rank with one thread; nil without it.
    func speedup(_ configuration: Configuration) -> Double? {
        configurations.first { $0.mode == configuration.mode && $0.ranks == 1 && $0.threads == 1 }
            .map { configuration.samplesPerSecond / $0.samplesPerSecond }
    }

    /// Speed-up per worker: 1 is perfect scaling.
    func efficiency(_ configuration: Configuration) -> Double? {
        speedup(configuration).map { $0 / Double(configuration.workers) }
    }

    func oversubscribed(_ configuration: Configuration) -> Bool { configuration.workers > cores }

    // MARK: - Files

    /// scaling.csv: one row per configuration; empty cells where a value is not known.
    public var csv: String {
        let header = ["mode", "ranks", "threads", "workers", "global_batch", "batch_per_rank", "seconds_per_epoch",
                      "samples_per_second", "speedup", "efficiency", "allreduce_share"]
            + Self.csvPhases.map { "\($0.rawValue)_seconds" } + ["oversubscribed", "runs", "run_seconds_per_epoch"]
        let rows = configurations.map { c -> [String] in
            [c.mode, String(c.ranks), String(c.threads), String(c.workers), String(c.globalBatch),
             number(Double(c.globalBatch) / Double(c.ranks)), number(c.secondsPerEpoch), number(c.samplesPerSecond),
             number(speedup(c)), number(efficiency(c)), number(c.allreduceShare)]
                + Self.csvPhases.map { number(c.phaseSeconds($0)) }
                + [String(oversubscribed(c)), String(c.measured.count), c.measured.map { number($0.secondsPerEpoch) }.joined(separator: ";")]
        }
        return ([header] + rows).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// The phases in scaling.csv's columns, in the order of the step, then the evaluation.
    static let csvPhases: [Phase] = Configuration.stepPhases + [.evaluation]

    /// The results as a Markdown table, one row per configuration.
    public var table: String {
        ReportTable(
            headers: ["mode", "ranks", "threads", "global batch", "s/epoch", "samples/s", "speed-up", "efficiency", "allreduce", "note"],
            rows: configurations.map { c in
                [c.mode, String(c.ranks), String(c.threads), String(c.globalBatch), String(format: "%.3f", c.secondsPerEpoch),
                 ReportTables.grouped(Int(c.samplesPerSecond.rounded()), separator: ","), speedup(c).map { String(format: "%.2f×", $0) } ?? "n/a",
                 efficiency(c).map { String(format: "%.0f%%", $0 * 100) } ?? "n/a",
                 c.allreduceShare.map { String(format: "%.1f %%", $0 * 100) } ?? "n/a",
                 oversubscribed(c) ? "oversubscribed (\(c.workers) > \(cores) cores)" : ""]
            },
            numericColumns: [1, 2, 3, 4, 5, 6, 7, 8]).markdown
    }

    /// scaling.md: how the numbers were taken, the table, and how to read it.
    public var markdown: String {
        (["# Scaling benchmark", ""] + header + ["", table, "",
          "- **s/epoch** and **samples/s**: median over the repeats; each run's value is the mean over its measured epochs (the first epoch is a warm-up when a run has more than one).",
          "- **speed-up**: samples/s over samples/s of np=1 × 1 thread of the same mode; **efficiency**: speed-up ÷ (ranks × threads).",
          "- **allreduce**: (allreduce + waiting for the slowest rank) ÷ step time (data + forward + backward + wait + allreduce + update), means over the ranks from `--profile`; n/a without a profile.",
          "- **oversubscribed**: ranks × threads exceed the node's cores (`nproc`), so workers share cores.", ""])
            .joined(separator: "\n")
    }
}

/// `value` with six significant digits, as the CSV gives numbers; empty for nil.
private func number(_ value: Double?) -> String {
    value.map { String(format: "%.6g", $0) } ?? ""
}

private func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
