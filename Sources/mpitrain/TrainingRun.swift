import Foundation
import NetCore
import Distributed
import Parallel

/// One model trained on all ranks for its epochs: prints through the display, writes the metrics
/// file on rank 0, takes checkpoints, honours a stop request, checks that the ranks stay in sync.
/// Used by `train` and by `report`.
struct TrainingRun {
    let configuration: TrainingConfiguration
    /// Worker threads per rank.
    let threads: Int
    /// How images reach the first layer.
    let inputForm: InputForm
    /// The precision of the dense layers' products (`--precision`).
    var precision = ProductPrecision.fp32
    /// Gather the per-phase time breakdown each epoch (`--profile`).
    var profile = false
    /// Compare parameter checksums across ranks after every epoch (always done once at the end).
    var checkSync = false
    /// With a checkpoint folder: write a checkpoint every this many epochs, and after the last.
    var checkpointEvery = 1
    /// With a metrics file: a step line every this many steps (`--log-every`).
    var logEvery: Int?
    /// Stop when the validation loss has not improved for this many epochs (`--early-stop`).
    var earlyStop: Int?
    /// The checkpoint to continue from, and its path.
    var resume: (checkpoint: Checkpoint, path: String)?
    /// Ctrl-C / SIGTERM: stop every rank at the next step boundary.
    var stop: StopRequest?
    /// The classes' names (`--class-names`), written into every record.
    var classNames: [String]?
    /// The data set's name (`DataSetName`), written into every record.
    var dataSet: String?
    /// How gradients are summed over the minibatch (`--reproducible`: exactly).
    var summation: Summation = .float

    /// What the run produced.
    struct Outcome {
        /// One record per epoch, as written to the metrics file.
        var records: [EpochMetrics]
        /// The test-set evaluation after the last epoch.
        var evaluation: Evaluation
        /// Wall-clock seconds of the whole run.
        var seconds: Double
        /// The parameters after the last epoch trained (the report draws its weights and mistakes from them).
        var model: Checkpoint
        /// The last epoch trained: the run's last, or an earlier one when it stopped early.
        var lastEpoch: Int { records.last?.epoch ?? 0 }
    }

    /// Trains; a collective that stalls (`--stall-timeout`) ends in `JobError.stalled`, which says where
    /// the run was, which ranks are missing and how to resume.
    func run(data: consuming MNIST, communicator: Communicator, display: inout ProgressDisplay,
             metricsFile: inout MetricsFile?, checkpoints: inout CheckpointFiles) throws -> Outcome {
        let place = RunPlace()
        do {
            return try trainEpochs(data: consume data, communicator: communicator, display: &display, metricsFile: &metricsFile,
                                   checkpoints: &checkpoints, place: place)
        } catch let stalled as CollectiveStalled {
            throw JobError.stalled("\(stalled.ranks) \(stalled.missingRanks.count == 1 ? "has" : "have") not reached "
                             + "\(place) for \(stalled.seconds) s (stall timeout): ending the job; \(checkpoints.keptNote)")
        }
    }

    private func trainEpochs(data: consuming MNIST, communicator: Communicator, display: inout ProgressDisplay,
                             metricsFile: inout MetricsFile?, checkpoints: inout CheckpointFiles,
                             place: RunPlace) throws -> Outcome {
        let trainer = try Trainer(configuration: configuration, data: consume data, communicator: communicator,
                                  threads: threads, inputForm: inputForm, summation: summation, precision: precision)
        if let resume {
            try communicator.agreeing { try restore(resume, into: trainer) }
            try trainer.broadcastState()
        }
        if let stop { trainer.stopRequested = { stop.isRequested } }
        trainer.separatesAllreduceWait = profile
        if communicator.usesMPI, display.style != .quiet,
           let warning = Oversubscription(ranksOnNode: communicator.ranksOnNode, threads: trainer.network.threads,
                                          cores: ProcessInfo.processInfo.activeProcessorCount).warning {
            display.console.note(warning)
        }
        display.line(RunDescription(configuration: configuration, ranks: communicator.size, threads: trainer.network.threads,
                                    askedThreads: threads, inputForm: trainer.inputForm, summation: summation,
                                    precision: precision).text)
        if let resume {
            display.line("resuming from \(resume.path): epoch \(resume.checkpoint.position.epoch), "
                         + "step \(resume.checkpoint.position.stepsCompleted) of \(trainer.stepsPerEpoch)")
        }
        display.startRun(at: Double(trainer.position.epochsCompleted) + Double(trainer.position.stepsCompleted) / Double(trainer.stepsPerEpoch))
        var records: [EpochMetrics] = []
        var evaluation = Evaluation(model: configuration.model)
        var watcher = EarlyStopping(patience: earlyStop, best: resume?.checkpoint.best)
        checkpoints.best = watcher.best
        let start = Date()
        for epoch in trainer.position.epoch...configuration.epochs {
            let epochStart = Date()
            trainer.resetTimes()
            place.start(epoch, steps: trainer.stepsPerEpoch, done: trainer.position.epoch == epoch ? trainer.position.stepsCompleted : 0)
            let training: Trainer.EpochResult
            do {
                training = try trainer.trainEpoch(epoch) { done, steps, loss in
                    place.stepsDone = done
                    if let logEvery, done % logEvery == 0, communicator.isRoot {
                        try metricsFile?.append(StepMetrics(configuration: configuration, epoch: epoch, step: done, steps: steps, loss: loss))
                    }
                    display.step(epoch: epoch, epochs: configuration.epochs, done: done, steps: steps, loss: loss,
                                 examplesPerStep: configuration.batchSize, epochStart: epochStart)
                }
            } catch TrainingError.interrupted(let position) {
                try checkpoints.stop(trainer, at: position)
            } catch let error as TrainingError {
                throw JobError.failed("\(error)"
                                 + (checkpoints.lastCheckpoint.map { "; the last good checkpoint, \($0), is kept" } ?? ""))
            }
            evaluation = try trainer.evaluateTestSet()
            let validation = try trainer.evaluateValidationSet()
            let seconds = Date().timeIntervalSince(epochStart)
            if checkSync { try trainer.checkParametersInSync() }
            var record = EpochMetrics(
                configuration: configuration, epoch: epoch, training: training, test: evaluation, validation: validation,
                seconds: seconds, ranks: communicator.size, threads: threads, input: trainer.inputForm,
                profile: profile ? try trainer.gatherTimes() : nil)
            record.classNames = classNames
            record.dataSet = dataSet
            record.allreducePrecision = communicator.allreducePrecision.rawValue
            record.summation = summation.rawValue
            record.precision = precision.rawValue
            record.version = Version.description
            display.epoch(record, elapsed: Date().timeIntervalSince(start))
            if let breakdown = record.profile { display.line(ProfileLine(breakdown).text) }
            if communicator.isRoot { try metricsFile?.append(record) }
            records.append(record)
            if let validation, watcher.record(epoch: epoch, loss: validation.loss) {
                checkpoints.best = watcher.best
                try checkpoints.saveBest(trainer.checkpoint())
            }
            let stopsEarly = epoch < configuration.epochs && watcher.shouldStop(after: epoch)
            if checkpoints.folder != nil, epoch % checkpointEvery == 0 || epoch == configuration.epochs || stopsEarly {
                try checkpoints.save(trainer.checkpoint())
            }
            if stopsEarly, let best = watcher.best {
                display.line("early stop after epoch \(epoch): the validation loss has not improved for \(counted(epoch - best.epoch, "epoch")) "
                             + "(best \(fixed(best.loss, 4)) in epoch \(best.epoch)\(checkpoints.folder.map { ", saved in \($0.appendingPathComponent(CheckpointFiles.bestName).path)" } ?? ""))")
                break
            }
            if epoch < configuration.epochs, let stop, try stopAgreed(stop, on: communicator) {
                try checkpoints.stop(trainer, at: trainer.position)
            }
        }
        try trainer.checkParametersInSync()
        return Outcome(records: records, evaluation: evaluation, seconds: Date().timeIntervalSince(start),
                       model: trainer.checkpoint())
    }

    /// Restores the checkpoint to resume from, after checking that its step lies inside an epoch
    /// of this run; errors name the file.
    private func restore(_ resume: (checkpoint: Checkpoint, path: String), into trainer: Trainer) throws {
        let position = resume.checkpoint.position
        do {
            guard position.stepsCompleted < trainer.stepsPerEpoch else {
                throw CheckpointError(problem: "is at step \(position.stepsCompleted) of epoch \(position.epoch), but an epoch has \(trainer.stepsPerEpoch) steps at batch size \(configuration.batchSize)")
            }
            try trainer.restore(resume.checkpoint)
        } catch var error as CheckpointError {
            error.path = resume.path
            throw error.whenResuming
        }
    }

    /// Whether any rank has been asked to stop (one tiny allreduce, once per epoch).
    private func stopAgreed(_ stop: StopRequest, on communicator: Communicator) throws -> Bool {
        var requests = [stop.isRequested ? 1.0 : 0]
        try communicator.allreduceSum(&requests)
        return requests[0] > 0
    }
}

/// Where a run is, for the stall message: the step the ranks meet in next, or the end of an epoch.
final class RunPlace: CustomStringConvertible {
    private var epoch = 0, steps = 0
    /// Steps finished in the current epoch.
    var stepsDone = 0

    func start(_ epoch: Int, steps: Int, done: Int) {
        self.epoch = epoch
        self.steps = steps
        stepsDone = done
    }

    var description: String {
        guard epoch > 0 else { return "the start of training" }
        return stepsDone < steps ? "step \(stepsDone + 1) of epoch \(epoch)" : "the end of epoch \(epoch)"
    }
}
