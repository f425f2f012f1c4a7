import ArgumentParser
import Foundation
import NetCore
import LabReport
import Distributed

/// `mpitrain report`: trains the lab's three models (or reads earlier runs' metrics) and writes
/// the lab report: report.md, a self-contained report.html, and the SVG figures.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the three models and write the lab report (report.md, report.html, SVG figures).",
        discussion: """
            Without --from, trains single (is it a 5?), hidden and multiclass with their defaults \
            (and, with --all-digits, a single-neuron detector for every digit), saving each run's \
            metrics under DIR/metrics/. With --from, reuses JSON-lines metrics files instead \
            (see docs/metrics-schema.md). Runs under mpirun too; rank 0 writes the files.
            """
    )

    @Option(name: .customLong("from"), parsing: .upToNextOption,
            help: ArgumentHelp("Reuse these JSON-lines metrics files instead of training.", valueName: "file"),
            completion: .file(extensions: ["jsonl"]))
    var metricsFiles: [String] = []

    @Option(help: ArgumentHelp("Directory to write the report into.", valueName: "dir"), completion: .directory)
    var out: String = "report"

    @OptionGroup var length: RunLengthOptions

    @OptionGroup var compute: ComputeOptions

    @Flag(name: .customLong("all-digits"), help: "Also train the single-neuron detector for every digit 0–9.")
    var allDigits = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        let communicator = try Communicator.start()
        communicator.runJob { try report(on: communicator) }
    }

    private func report(on communicator: Communicator) throws {
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        let console = Console(communicator: communicator)
        let start = Date()
        let runs: [RunMetrics]
        if metricsFiles.isEmpty {
            runs = try train(into: directory.appendingPathComponent("metrics"), communicator: communicator)
        } else {
            runs = try communicator.agreeing { try RunMetrics.load(metricsFiles.map { URL(fileURLWithPath: $0) }) }
        }
        guard communicator.isRoot else { return }
        let written = try ReportWriter.write(runs: runs, to: directory)
        if !quiet {
            console.print("report: wrote \(written.map(\.lastPathComponent).joined(separator: ", ")) to \(directory.path) "
                          + "in \(duration(Date().timeIntervalSince(start)))")
        }
    }

    /// The runs the report trains: the three models, then the other digits' detectors.
    private var plannedRuns: [[String]] {
        var runs = [["--model", "single"], ["--model", "hidden"], ["--model", "multiclass"]]
        if allDigits {
            runs += (0...9).filter { $0 != 5 }.map { ["--model", "single", "--digit", String($0)] }
        }
        return runs
    }

    /// Trains every planned run, writing each one's metrics into `folder`, and returns them.
    private func train(into folder: URL, communicator: Communicator) throws -> [RunMetrics] {
        let common = ["--epochs", String(length.epochs), "--seed", String(length.seed)]
            + (compute.threads.map { ["--threads", String($0)] } ?? []) + (compute.data.map { ["--data", $0] } ?? [])
        let options = try plannedRuns.map { try TrainingOptions.parse($0 + common) }
        let data = try communicator.agreeing {
            if communicator.isRoot { try OutputFolder.prepare(folder, option: "--out") }
            return try options[0].loadData(for: options[0].configuration, ranks: communicator.size)
        }
        let console = Console(communicator: communicator)
        var display = ProgressDisplay(console: console, quiet: quiet)
        var noCheckpoints = CheckpointFiles(folder: nil, communicator: communicator, console: console)
        var records: [EpochMetrics] = []
        for option in options {
            let configuration = TrainingOptions.fitted(option.configuration, to: data)
            let model = configuration.model
            let name = model.isBinary ? "\(model.kind.rawValue)-digit\(model.digit)" : model.kind.rawValue
            var metricsFile: MetricsFile? = MetricsFile(path: folder.appendingPathComponent("\(name).jsonl").path)
            let run = TrainingRun(configuration: configuration, threads: compute.threads ?? communicator.defaultThreads,
                                  inputForm: option.inputForm)
            records += try run.run(data: data, communicator: communicator, display: &display,
                                   metricsFile: &metricsFile, checkpoints: &noCheckpoints).records
        }
        return RunMetrics.runs(from: records)
    }
}
