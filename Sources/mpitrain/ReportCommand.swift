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
            (and, with --all-digits, a detector for every digit: single neurons, or hidden networks with \
            --model hidden), saving each run's \
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

    @Flag(name: .customLong("all-digits"), help: "Also train a detector for every digit 0–9 (the model of --model).")
    var allDigits = false

    @Flag(name: .customLong("compare-optimizers"),
          help: "Also train multiclass with --optimizer adam (lr 0.001) and compare it with SGD in an Optimizers table.")
    var compareOptimizers = false

    @Option(help: ArgumentHelp("The detectors' model with --all-digits: single or hidden.", valueName: "model"))
    var model: String?

    @Option(help: ArgumentHelp("Title at the top of the report (e.g. the course and lab).", valueName: "text"))
    var title: String?

    @Option(help: ArgumentHelp("Author's name under the title.", valueName: "name"))
    var author: String?

    @Option(help: ArgumentHelp("A text file (Markdown) of your own, placed after the discussion (default: "
                               + "DIR/notes.md when it exists, so a rebuild keeps it).", valueName: "file"),
            completion: .file())
    var notes: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        if let model {
            guard ["single", "hidden"].contains(model) else {
                throw ValidationError("--model \(model): the detectors of --all-digits are single or hidden")
            }
            guard allDigits else { throw ValidationError("--model \(model) chooses the --all-digits detectors; add --all-digits") }
            guard metricsFiles.isEmpty else { throw ValidationError("--model trains detectors; it cannot be used with --from") }
        }
    }

    func run() throws {
        if let warning = Version.debugBuildWarning, metricsFiles.isEmpty, !quiet, MPITrain.launchRank == 0 { printLine(warning) }
        let communicator = try Communicator.start()
        communicator.runJob { try report(on: communicator) }
    }

    private func report(on communicator: Communicator) throws {
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        let console = Console(communicator: communicator)
        let start = Date()
        let header = try communicator.agreeing { communicator.isRoot ? try reportHeader(date: start) : ReportHeader() }
        let runs: [RunMetrics]
        if metricsFiles.isEmpty {
            runs = try train(into: directory.appendingPathComponent("metrics"), communicator: communicator)
        } else {
            runs = try communicator.agreeing { try RunMetrics.load(metricsFiles.map { URL(fileURLWithPath: $0) }) }
        }
        guard communicator.isRoot else { return }
        let written = try ReportWriter.write(runs: runs, to: directory, header: header)
        if !quiet {
            console.print("report: wrote \(written.map(\.lastPathComponent).joined(separator: ", ")) to \(directory.path) "
                          + "in \(duration(Date().timeIntervalSince(start)))")
        }
    }

    /// The title, author, date (UTC, of `date`) and the text of `--notes` or else of DIR/notes.md, read on rank 0 (which writes
    /// the report); a notes file that cannot be read is an error before any training.
    private func reportHeader(date: Date) throws -> ReportHeader {
        var text: String?
        let ownNotes = URL(fileURLWithPath: out, isDirectory: true).appendingPathComponent("notes.md").path
        if let path = notes ?? (FileManager.default.fileExists(atPath: ownNotes) ? ownNotes : nil) {
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw JobError.invalid("\(notes == nil ? "" : "--notes ")\(path): cannot read it (\(error.localizedDescription)); give a UTF-8 text file")
            }
        }
        let format = DateFormatter()
        format.dateFormat = "yyyy-MM-dd"
        format.timeZone = TimeZone(identifier: "UTC")
        format.locale = Locale(identifier: "en_US_POSIX")
        var header = ReportHeader(author: author, date: format.string(from: date), notes: text)
        if let title { header.title = title }
        return header
    }

    /// The runs the report trains: the three models, then the other digits' detectors.
    private var plannedRuns: [[String]] {
        var runs = [["--model", "single"], ["--model", "hidden"], ["--model", "multiclass"]]
        if compareOptimizers { runs.append(["--model", "multiclass", "--optimizer", "adam"]) }
        if allDigits {
            runs += (0...9).filter { $0 != 5 }.map { ["--model", model ?? "single", "--digit", String($0)] }
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
            let name = (model.isBinary ? "\(model.kind.rawValue)-digit\(model.digit)" : model.kind.rawValue)
                + (configuration.optimizer == .sgd ? "" : "-\(configuration.optimizer.rawValue)")
            var metricsFile: MetricsFile? = MetricsFile(path: folder.appendingPathComponent("\(name).jsonl").path)
            let run = TrainingRun(configuration: configuration, threads: compute.threads ?? communicator.defaultThreads,
                                  inputForm: option.inputForm)
            records += try run.run(data: data, communicator: communicator, display: &display,
                                   metricsFile: &metricsFile, checkpoints: &noCheckpoints).records
        }
        return RunMetrics.runs(from: records)
    }
}
