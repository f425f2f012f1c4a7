import Foundation
import NetCore
import Parallel

/// One model trained on all ranks for its epochs: prints through the display, writes the metrics
/// file on rank 0, checks that the ranks stay in sync. Used by `train` and by `report`.
struct TrainingRun {
    let configuration: TrainingConfiguration
    /// Worker threads per rank.
    let threads: Int
    /// How images reach the first layer.
    let inputForm: InputForm
    /// Gather the per-phase time breakdown each epoch (`--profile`).
    let profile: Bool
    /// Compare parameter checksums across ranks after every epoch (always done once at the end).
    let checkSync: Bool

    /// What the run produced.
    struct Outcome {
        /// One record per epoch, as written to the metrics file.
        var records: [EpochMetrics]
        /// The test-set evaluation after the last epoch.
        var evaluation: Evaluation
        /// Wall-clock seconds of the whole run.
        var seconds: Double
    }

    func run(data: MNIST, communicator: Communicator, display: inout ProgressDisplay,
             metricsFile: inout MetricsFile?) throws -> Outcome {
        let trainer = try Trainer(configuration: configuration, data: data, communicator: communicator, threads: threads,
                                  inputForm: inputForm)
        trainer.separatesAllreduceWait = profile
        display.line(RunDescription(configuration: configuration, ranks: communicator.size, threads: threads,
                                    inputForm: trainer.inputForm).text)
        display.startRun()
        var records: [EpochMetrics] = []
        var evaluation = Evaluation(model: configuration.model)
        let start = Date()
        for epoch in 1...configuration.epochs {
            let epochStart = Date()
            trainer.resetTimes()
            let training = try trainer.trainEpoch(epoch) { done, steps, loss in
                display.step(epoch: epoch, epochs: configuration.epochs, done: done, steps: steps, loss: loss,
                             examplesPerStep: configuration.batchSize, epochStart: epochStart)
            }
            if !training.loss.isFinite {
                throw TrainingError.diverged(epoch: epoch, learningRate: configuration.learningRate)
            }
            evaluation = try trainer.evaluateTestSet()
            let seconds = Date().timeIntervalSince(epochStart)
            if checkSync { try trainer.checkParametersInSync() }
            let record = EpochMetrics(
                configuration: configuration, epoch: epoch, training: training, test: evaluation,
                seconds: seconds, ranks: communicator.size, threads: threads,
                profile: profile ? try trainer.gatherTimes() : nil)
            display.epoch(record, elapsed: Date().timeIntervalSince(start))
            if let breakdown = record.profile { display.line(ProfileLine(breakdown).text) }
            if communicator.isRoot { try metricsFile?.append(record) }
            records.append(record)
        }
        try trainer.checkParametersInSync()
        return Outcome(records: records, evaluation: evaluation, seconds: Date().timeIntervalSince(start))
    }
}
