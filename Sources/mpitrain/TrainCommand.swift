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
        let trainer = try Trainer(configuration: configuration, data: data, communicator: communicator, threads: threads)
        console.print(RunDescription(configuration: configuration, ranks: communicator.size, threads: threads).text)

        var evaluation = Evaluation(model: configuration.model)
        let start = Date()
        for epoch in 1...configuration.epochs {
            let epochStart = Date()
            let training = try trainer.trainEpoch(epoch)
            evaluation = try trainer.evaluate(on: data.test)
            let seconds = Date().timeIntervalSince(epochStart)
            if !training.loss.isFinite {
                throw TrainingError.diverged(epoch: epoch, learningRate: configuration.learningRate)
            }
            if checkSync { try trainer.checkParametersInSync() }
            let record = EpochMetrics(
                configuration: configuration, epoch: epoch, training: training, test: evaluation,
                seconds: seconds, ranks: communicator.size, threads: threads)
            console.print(EpochLine(record).text)
            if communicator.isRoot { try metricsFile?.append(record) }
        }
        try trainer.checkParametersInSync()
        console.print(Summary(configuration: configuration, evaluation: evaluation,
                              seconds: Date().timeIntervalSince(start)).text)
    }
}
