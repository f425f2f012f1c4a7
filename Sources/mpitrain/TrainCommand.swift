import ArgumentParser
import Foundation
import NetCore
import Parallel

/// `mpitrain train`: trains one of the lab's models, as one process or under `mpirun`.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model on MNIST (the default command).",
        discussion: "Under mpirun the global batch is split across the ranks; only rank 0 prints and writes files.")

    @OptionGroup var options: TrainingOptions

    @Option(help: "Write one JSON object per epoch to this file (JSON lines).")
    var metrics: String?

    @Flag(name: .customLong("check-sync"), help: "Compare a checksum of the parameters across ranks after every epoch.")
    var checkSync = false

    @Flag(help: "Report where each epoch's time goes (forward, backward, allreduce, wait, update, evaluation, data), min/mean/max over ranks; adds a barrier per step.")
    var profile = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        let communicator = try Communicator.start()
        communicator.runJob { try train(on: communicator) }
    }

    private func train(on communicator: Communicator) throws {
        let console = Console(communicator: communicator)
        let configuration = options.configuration
        var metricsFile = metrics.map(MetricsFile.init(path:))

        let data = try communicator.agree {
            try metricsFile?.checkWritable()
            guard configuration.batchSize >= communicator.size else {
                throw CLIError("--batch-size \(configuration.batchSize) cannot be split over \(communicator.size) ranks; use a batch of at least \(communicator.size) or fewer ranks")
            }
            let data = try MNIST.load(from: MNIST.locate(option: options.data))
            guard configuration.batchSize <= data.train.count else {
                throw CLIError("--batch-size \(configuration.batchSize) is larger than the \(data.train.count) training images; use at most \(data.train.count)")
            }
            return data
        }
        let threads = options.threads ?? communicator.defaultThreads
        var display = ProgressDisplay(console: console, quiet: quiet)
        let run = TrainingRun(configuration: configuration, threads: threads, inputForm: options.inputForm, profile: profile, checkSync: checkSync)
        let outcome = try run.run(data: data, communicator: communicator, display: &display, metricsFile: &metricsFile)
        display.line(Summary(configuration: configuration, evaluation: outcome.evaluation, seconds: outcome.seconds).text)
    }
}
