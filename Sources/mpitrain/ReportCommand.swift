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
            Without --from, trains single (is it a 5?), hidden and multiclass with their defaults, holding out \
            --validation images to choose where to stop, and a short ablation of the multiclass network \
            (sigmoid, tanh and relu; two learning rates; 32, 64 and 128 hidden units); with --all-digits also a detector for every digit \
            (single neurons, or hidden networks with --model hidden). Each run's metrics and final weights go \
            under DIR/metrics/. With --from, reuses JSON-lines metrics files instead (see \
            docs/metrics-schema.md; files named ablation-*.jsonl form the ablation, and NAME.safetensors beside \
            NAME.jsonl gives the figures drawn from the weights). Model settings (--hidden, --activation, --lr, \
            --momentum) differ per model: train each with `mpitrain train … --metrics NAME.jsonl --checkpoint DIR` \
            and build the report with `mpitrain report --from`. Runs under mpirun too; rank 0 writes the files.
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

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Training images held out as the validation set, from which the report advises where to stop (default: 5000; 0: none).",
                               valueName: "n"))
    var validation: Int?

    @Option(name: .customLong("class-names"),
            help: ArgumentHelp("A file with one name per class, in label order, for the text, tables and figures.", valueName: "file"),
            completion: .file())
    var classNames: String?

    @Option(name: .customLong("batch-size"), help: "Global minibatch size of every run, split across the ranks (default: 64).")
    var batchSize: Int?

    @Option(name: .customLong("ablation-epochs"),
            help: ArgumentHelp("Epochs of each ablation run (at most --epochs; 0: no ablation).", valueName: "n"))
    var ablationEpochs: Int = 10

    /// Options that belong to one model: refused with the way to set them (train + report --from).
    @Option(name: .customLong("hidden"), help: .hidden) var hidden: String?
    @Option(name: .customLong("activation"), help: .hidden) var activation: String?
    @Option(name: .customLong("lr"), parsing: .unconditional, help: .hidden) var learningRate: String?
    @Option(name: .customLong("momentum"), parsing: .unconditional, help: .hidden) var momentum: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        for (option, value) in [("--hidden", hidden), ("--activation", activation), ("--lr", learningRate), ("--momentum", momentum)] {
            guard let value else { continue }
            throw ValidationError("\(option) \(value) would apply to one of the report's models, which need different settings; "
                                  + "train each model with `mpitrain train --model M \(option) \(value) --metrics M.jsonl --checkpoint M`, "
                                  + "then build the report with `mpitrain report --from *.jsonl`")
        }
        if let validation, validation < 0 { throw ValidationError("--validation \(validation) must be 0 (none) or a number of training images, e.g. 5000") }
        guard ablationEpochs >= 0 else { throw ValidationError("--ablation-epochs \(ablationEpochs) must be 0 (no ablation) or more") }
        if !metricsFiles.isEmpty {
            let given = [classNames.map { _ in "--class-names" }, validation.map { _ in "--validation" },
                         batchSize.map { _ in "--batch-size" }].compactMap { $0 }
            if let option = given.first {
                throw ValidationError("\(option) sets up training; with --from the runs are already trained (their metrics record it)")
            }
        }
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
        let communicator = try Communicator.start(threads: compute.threads)
        communicator.runJob { try report(on: communicator) }
    }

    private func report(on communicator: Communicator) throws {
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        let console = Console(communicator: communicator)
        let start = Date()
        // Rank 0 holds the folder for the whole report, as training holds its checkpoint folder:
        // a second report into it is refused at once, so the files never mix two runs.
        let lock = try communicator.agreeing { () throws -> RunLock? in
            guard communicator.isRoot else { return nil }
            try OutputFolder.prepare(directory, option: "--out")
            return try RunLock(path: RunLock.checkpointLockPath(directory), option: "--out", target: directory.path)
        }
        defer { lock?.release() }
        let header = try communicator.agreeing { communicator.isRoot ? try reportHeader(date: start) : ReportHeader() }
        let runs: [RunMetrics]
        var insights: [String: ModelInsight] = [:]
        if metricsFiles.isEmpty {
            (runs, insights) = try train(into: directory.appendingPathComponent("metrics"), communicator: communicator)
        } else {
            runs = try communicator.agreeing { try RunMetrics.load(metricsFiles.map { URL(fileURLWithPath: $0) }) }
            if communicator.isRoot { insights = try savedInsights(for: runs) }
        }
        guard communicator.isRoot else { return }
        let written = try ReportWriter.write(runs: runs, to: directory, header: header, insights: insights)
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

    /// One run the report trains: its metrics file's name (without `.jsonl`) and its options.
    private struct PlannedRun {
        let name: String
        let arguments: [String]
    }

    /// The runs the report trains: the three models, the ablation, multiclass with Adam when
    /// comparing optimizers, then the other digits' detectors.
    private var plannedRuns: [PlannedRun] {
        var runs = [PlannedRun(name: "single", arguments: ["--model", "single"]),
                    PlannedRun(name: "hidden", arguments: ["--model", "hidden"]),
                    PlannedRun(name: "multiclass", arguments: ["--model", "multiclass"])]
        let epochs = min(ablationEpochs, length.epochs)
        if epochs > 0 {
            // The multiclass network's defaults (relu, 128 hidden units, lr 0.5) questioned one setting at a
            // time: the activation, the learning rate, and the width (the narrower runs are the cheapest).
            let settings = [("sigmoid", 128, "0.5"), ("tanh", 128, "0.5"), ("relu", 128, "0.5"), ("relu", 128, "0.1"),
                            ("relu", 32, "0.5"), ("relu", 64, "0.5")]
            runs += settings.map { activation, hidden, rate in
                PlannedRun(name: "\(ReportWriter.ablationPrefix)\(activation)-h\(hidden)-lr\(rate)",
                           arguments: ["--model", "multiclass", "--activation", activation, "--hidden", String(hidden),
                                       "--lr", rate, "--epochs", String(epochs)])
            }
        }
        if compareOptimizers {
            runs.append(PlannedRun(name: "multiclass-adam", arguments: ["--model", "multiclass", "--optimizer", "adam"]))
        }
        if allDigits {
            runs += (0...9).filter { $0 != 5 }.map {
                PlannedRun(name: "\(model ?? "single")-digit\($0)", arguments: ["--model", model ?? "single", "--digit", String($0)])
            }
        }
        return runs
    }

    /// Trains every planned run, writing each one's metrics and final weights into `folder`, and
    /// returns the runs with what rank 0 drew from their weights.
    private func train(into folder: URL, communicator: Communicator) throws -> (runs: [RunMetrics], insights: [String: ModelInsight]) {
        var common: [String] = ["--epochs", String(length.epochs), "--seed", String(length.seed)]
        common += ["--validation", String(validation ?? 5000), "--batch-size", String(batchSize ?? 64)]
        common += (compute.threads.map { ["--threads", String($0)] } ?? []) + (compute.data.map { ["--data", $0] } ?? [])
        common += classNames.map { ["--class-names", $0] } ?? []
        // A run's own --epochs (the ablation's) comes last, so it wins.
        let planned = plannedRuns
        let options = try planned.map { try TrainingOptions.parse(common + $0.arguments) }
        let (data, names) = try communicator.agreeing {
            if communicator.isRoot { try OutputFolder.prepare(folder, option: "--out") }
            let data = try options[0].loadData(for: options[0].configuration, ranks: communicator.size)
            for option in options {
                try TrainingOptions.checkMemory(TrainingOptions.fitted(option.configuration, to: data),
                                                ranks: communicator.size, ranksOnNode: communicator.ranksOnNode)
            }
            return (data, try options[0].loadClassNames(for: data))
        }
        try communicator.checkSameData(data, folder: MNIST.locate(option: compute.data))
        let dataSet = DataSetName(folder: MNIST.locate(option: compute.data)).text
        let console = Console(communicator: communicator)
        var display = ProgressDisplay(console: console, quiet: quiet)
        var noCheckpoints = CheckpointFiles(folder: nil, communicator: communicator, console: console)
        var runs: [RunMetrics] = []
        var insights: [String: ModelInsight] = [:]
        for (plan, option) in zip(planned, options) {
            let configuration = TrainingOptions.fitted(option.configuration, to: data)
            let file = "\(plan.name).jsonl"
            var metricsFile: MetricsFile? = MetricsFile(path: folder.appendingPathComponent(file).path, links: .replace)
            var run = TrainingRun(configuration: configuration, threads: compute.threads ?? communicator.defaultThreads,
                                  inputForm: option.inputForm)
            run.classNames = names
            run.dataSet = dataSet
            let outcome = try run.run(data: data, communicator: communicator, display: &display,
                                      metricsFile: &metricsFile, checkpoints: &noCheckpoints)
            runs += RunMetrics.runs(from: outcome.records, source: file)
            if communicator.isRoot, !plan.name.hasPrefix(ReportWriter.ablationPrefix) {
                try outcome.model.write(to: folder.appendingPathComponent("\(plan.name).safetensors"))
                insights[file] = ModelInsight(outcome.model, test: data.test)
            }
        }
        return (runs, insights)
    }

    /// What rank 0 draws from the weights saved beside the `--from` metrics files (NAME.safetensors
    /// beside NAME.jsonl), on the test images of the data the runs name; none without such files.
    private func savedInsights(for runs: [RunMetrics]) throws -> [String: ModelInsight] {
        var insights: [String: ModelInsight] = [:]
        var test: LabeledImages?
        for path in metricsFiles {
            let url = URL(fileURLWithPath: path)
            let weights = url.deletingPathExtension().appendingPathExtension("safetensors")
            guard FileManager.default.fileExists(atPath: weights.path) else { continue }
            let checkpoint: Checkpoint
            do throws(CheckpointError) { checkpoint = try Checkpoint.read(from: weights) } catch {
                throw JobError.invalid("\(weights.path): \(error.problem); remove it or put the run's final checkpoint there")
            }
            if test == nil {
                let folder = MNIST.locate(option: compute.data), name = DataSetName(folder: folder).text
                if let trained = runs.lazy.compactMap(\.dataSet).first, trained != name {
                    throw JobError.invalid("the runs were trained on \(trained), but the test images found are \(name)'s "
                                           + "(\(folder.path)); pass --data with the \(trained) folder to draw \(weights.lastPathComponent)")
                }
                test = try MNIST.load(from: folder).test
            }
            guard let test, test.pixelsPerImage == checkpoint.configuration.model.inputs else {
                throw JobError.invalid("\(weights.path) takes \(checkpoint.configuration.model.inputs) inputs, but the images of "
                                       + "\(MNIST.locate(option: compute.data).path) have \(test?.pixelsPerImage ?? 0); pass --data with the data set it was trained on")
            }
            insights[url.lastPathComponent] = ModelInsight(checkpoint, test: test)
        }
        return insights
    }
}
