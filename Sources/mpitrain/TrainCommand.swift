import ArgumentParser
import Foundation
import NetCore
import Parallel

/// `mpitrain train`: trains one of the lab's models, as one process or under `mpirun`.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model on MNIST (the default command).",
        discussion: """
            Under mpirun the global batch is split across the ranks; only rank 0 prints and writes files. \
            Ctrl-C (or SIGTERM) stops every rank at the next step, writes a checkpoint when --checkpoint \
            is set and prints the command that resumes the run; a second Ctrl-C quits at once.
            """)

    @OptionGroup var options: TrainingOptions

    @Option(help: "Write one JSON object per epoch to this file (JSON lines).")
    var metrics: String?

    @Option(help: ArgumentHelp("Write checkpoints (safetensors) into this folder, created if missing.", valueName: "dir"))
    var checkpoint: String?

    @Option(name: .customLong("checkpoint-every"), help: "Write a checkpoint every N epochs, and after the last.")
    var checkpointEvery: Int = 1

    @Option(help: ArgumentHelp("Continue the run saved in this checkpoint file (same model, seed and batch size).", valueName: "file"))
    var resume: String?

    @Flag(name: .customLong("check-sync"), help: "Compare a checksum of the parameters across ranks after every epoch.")
    var checkSync = false

    func validate() throws {
        guard checkpointEvery >= 1 else {
            throw ValidationError("--checkpoint-every \(checkpointEvery) must be at least 1 (epochs)")
        }
    }

    func run() throws {
        let stop = StopRequest {
            guard MPITrain.launchRank == 0 else { return }
            printLine("mpitrain: stopping after the current step (Ctrl-C again quits at once)")
        }
        let communicator = try Communicator.start()
        communicator.runJob { try train(on: communicator, stop: stop) }
    }

    private func train(on communicator: Communicator, stop: StopRequest) throws {
        let console = Console(communicator: communicator)
        let configuration = options.configuration
        var metricsFile = metrics.map(MetricsFile.init(path:))
        let folder = checkpoint.map { URL(fileURLWithPath: $0, isDirectory: true) }

        try checkSameSettings(configuration, on: communicator)
        let (data, saved) = try communicator.agreeing {
            if communicator.isRoot {
                if let metrics { try OutputFolder.checkFile(metrics, option: "--metrics") }
                if let folder { try OutputFolder.prepare(folder, option: "--checkpoint") }
            }
            guard configuration.batchSize >= communicator.size else {
                throw CLIError("--batch-size \(configuration.batchSize) cannot be split over \(communicator.size) ranks; use a batch of at least \(communicator.size) or fewer ranks")
            }
            let data = try MNIST.load(from: MNIST.locate(option: options.data))
            guard data.train.pixelsPerImage == configuration.model.inputs else {
                throw CLIError("the images in \(MNIST.locate(option: options.data).path) are \(data.train.rows)×\(data.train.columns) (\(data.train.pixelsPerImage) pixels), but the model takes \(configuration.model.inputs) inputs (28×28); use MNIST-format data of 28×28 images")
            }
            guard configuration.batchSize <= data.train.count else {
                throw CLIError("--batch-size \(configuration.batchSize) is larger than the \(data.train.count) training images; use at most \(data.train.count)")
            }
            let saved = try resume.map { try Checkpoint.read(from: URL(fileURLWithPath: $0)) }
            if let saved, saved.configuration.model != configuration.model {
                throw CheckpointError(path: resume!, problem: "holds a \(Checkpoint.describe(saved.configuration.model)) model, not the \(Checkpoint.describe(configuration.model)) this run trains",
                                      remedy: "resume with the model options of the run that wrote it, or start without --resume")
            }
            if let saved, saved.position.epochsCompleted >= configuration.epochs {
                throw CLIError("checkpoint \(resume!) has already completed \(saved.position.epochsCompleted) epochs; pass --epochs greater than \(saved.position.epochsCompleted) to train further")
            }
            return (data, saved)
        }
        let threads = options.threads ?? communicator.defaultThreads
        let trainer = try Trainer(configuration: configuration, data: data, communicator: communicator, threads: threads)
        if let saved {
            try communicator.agreeing { try trainer.restore(saved) }
            try trainer.broadcastState()
        }
        trainer.stopRequested = { stop.isRequested }
        console.print(RunDescription(configuration: configuration, ranks: communicator.size, threads: threads).text)
        if let saved, let resume {
            console.print("resuming from \(resume): epoch \(saved.position.epoch), step \(saved.position.stepsCompleted) of \(trainer.stepsPerEpoch)")
        }

        var run = RunFiles(folder: folder, communicator: communicator, console: console)
        run.lastCheckpoint = resume
        var evaluation = Evaluation(model: configuration.model)
        let start = Date()
        for epoch in trainer.position.epoch...configuration.epochs {
            let epochStart = Date()
            let training: Trainer.EpochResult
            do {
                training = try trainer.trainEpoch(epoch)
            } catch let interrupted as TrainingInterrupted {
                try run.stop(trainer, at: interrupted.position)
            } catch let error as TrainingError {
                throw JobFailure(description: "\(error)" + (run.lastCheckpoint.map { "; the last good checkpoint, \($0), is kept" } ?? ""))
            }
            evaluation = try trainer.evaluate(on: data.test)
            let seconds = Date().timeIntervalSince(epochStart)
            if checkSync { try trainer.checkParametersInSync() }
            let record = EpochMetrics(
                configuration: configuration, epoch: epoch, training: training, test: evaluation,
                seconds: seconds, ranks: communicator.size, threads: threads)
            console.print(EpochLine(record).text)
            if communicator.isRoot, let metrics { try Self.append(record, to: &metricsFile, path: metrics) }
            if folder != nil, epoch % checkpointEvery == 0 || epoch == configuration.epochs {
                try run.save(trainer.checkpoint())
            }
            if epoch < configuration.epochs, try stopAgreed(stop, on: communicator) {
                try run.stop(trainer, at: trainer.position)
            }
        }
        try trainer.checkParametersInSync()
        console.print(Summary(configuration: configuration, evaluation: evaluation,
                              seconds: Date().timeIntervalSince(start)).text)
    }

    /// Fails on every rank when any rank was started with other training settings than rank 0
    /// (possible with an MPMD launch): they would run different steps and wait for each other forever.
    private func checkSameSettings(_ configuration: TrainingConfiguration, on communicator: Communicator) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let mine = Array(try encoder.encode(configuration))
        let rootSettings = try communicator.broadcast(mine)
        try communicator.agreeing {
            guard rootSettings == mine else {
                throw CLIError("this rank was started with other training settings than rank 0 (\(String(decoding: mine, as: UTF8.self)) vs \(String(decoding: rootSettings, as: UTF8.self))); give every rank the same model and training options")
            }
        }
    }

    /// Appends to the metrics file, turning Foundation's error into one line.
    private static func append(_ record: EpochMetrics, to file: inout MetricsFile?, path: String) throws {
        do {
            try file?.append(record)
        } catch {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            var isFolder: ObjCBool = false
            let reason = FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue
                ? (error as NSError).localizedDescription : "its folder \(folder) is gone"
            throw CLIError("cannot write the metrics file \(path): \(reason); check that its folder still exists and has space")
        }
    }

    /// Whether any rank has been asked to stop (one tiny allreduce, once per epoch).
    private func stopAgreed(_ stop: StopRequest, on communicator: Communicator) throws -> Bool {
        var requests = [stop.isRequested ? 1.0 : 0]
        try communicator.allreduceSum(&requests)
        return requests[0] > 0
    }
}

/// The checkpoints of one run: where they go, the last one written, and the interrupted-run exit.
private struct RunFiles {
    let folder: URL?
    let communicator: Communicator
    let console: Console
    var lastCheckpoint: String?
    /// Where the last checkpoint of this run was taken.
    private var savedPosition: TrainingPosition?

    init(folder: URL?, communicator: Communicator, console: Console) {
        self.folder = folder
        self.communicator = communicator
        self.console = console
    }

    /// `epoch-3.safetensors` after epoch 3; `epoch-4-step-412.safetensors` inside epoch 4.
    static func name(_ position: TrainingPosition) -> String {
        position.isEpochBoundary ? "epoch-\(position.epochsCompleted).safetensors"
                                 : "epoch-\(position.epoch)-step-\(position.stepsCompleted).safetensors"
    }

    /// Rank 0 writes `checkpoint` atomically; a failure is agreed, so every rank stops with its message.
    mutating func save(_ checkpoint: Checkpoint) throws {
        guard let folder else { return }
        let url = folder.appendingPathComponent(Self.name(checkpoint.position))
        try communicator.agreeing {
            if communicator.isRoot { try checkpoint.write(to: url) }
        }
        lastCheckpoint = url.path
        savedPosition = checkpoint.position
        console.print("checkpoint: \(url.path)")
    }

    /// Ends an interrupted run: saves where it stopped (with --checkpoint), says how to resume, exits 130.
    mutating func stop(_ trainer: Trainer, at position: TrainingPosition) throws -> Never {
        let place = position.isEpochBoundary
            ? "after epoch \(position.epochsCompleted)"
            : "in epoch \(position.epoch) after step \(position.stepsCompleted) of \(trainer.stepsPerEpoch)"
        guard folder != nil else {
            console.note("interrupted \(place); nothing saved (pass --checkpoint DIR to be able to resume)")
            throw JobStopped()
        }
        if savedPosition != position { try save(trainer.checkpoint()) }
        console.note("interrupted \(place); saved \(lastCheckpoint!); to resume: \(resumeCommand(lastCheckpoint!))")
        throw JobStopped()
    }

    /// This run's command line with `--resume checkpoint` in place of any earlier --resume.
    private func resumeCommand(_ checkpoint: String) -> String {
        var arguments: [String] = []
        var skipNext = false
        for argument in CommandLine.arguments.dropFirst() {
            if skipNext { skipNext = false; continue }
            if argument == "--resume" { skipNext = true; continue }
            if argument.hasPrefix("--resume=") { continue }
            arguments.append(argument)
        }
        let program = CommandLine.arguments.first ?? "mpitrain"
        let launcher = communicator.size > 1 ? "scripts/mpirun -np \(communicator.size) " : ""
        return launcher + ([program] + arguments + ["--resume", checkpoint]).map(shellQuoted).joined(separator: " ")
    }
}

/// `text` as one shell word: unchanged when safe, else in single quotes.
private func shellQuoted(_ text: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
    if !text.isEmpty, text.allSatisfy(safe.contains) { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// Writes one line to standard error at once (safe from the signal queue).
private func printLine(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
