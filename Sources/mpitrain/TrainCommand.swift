import ArgumentParser
import Foundation
import NetCore
import LabReport
import Distributed
import Parallel

extension AllreducePrecision: ExpressibleByArgument {}
extension ProductPrecision: ExpressibleByArgument {
    /// Why `--precision bf16` cannot run here, where `bf16Usable` is false.
    static let bf16Unavailable = "--precision bf16 needs AMX-BF16 tile instructions (Intel Xeon 4th generation or later), which this CPU or its kernel does not offer"
}

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

    @Option(help: ArgumentHelp("Write one JSON object per epoch to this file (JSON lines).", valueName: "file"),
            completion: .file())
    var metrics: String?

    @Option(help: ArgumentHelp("Write checkpoints (safetensors) into this folder, created if missing.", valueName: "dir"),
            completion: .directory)
    var checkpoint: String?

    @Option(name: .customLong("checkpoint-every"), help: "Write a checkpoint every N epochs, and after the last.")
    var checkpointEvery: Int = 1

    @Option(help: ArgumentHelp("Continue the run saved in this checkpoint file (same model, seed and batch size).", valueName: "file"),
            completion: .file(extensions: ["safetensors"]))
    var resume: String?

    @Option(name: .customLong("log-every"),
            help: ArgumentHelp("Also write a step line to --metrics every N steps (the epoch's running training loss).", valueName: "N"))
    var logEvery: Int?

    @Option(name: .customLong("early-stop"),
            help: ArgumentHelp("Stop when the validation loss has not improved for this many epochs (needs --validation); with --checkpoint, best.safetensors holds the best epoch.",
                               valueName: "patience"))
    var earlyStop: Int?

    @Flag(help: "Replace an existing --metrics file, and checkpoints in the --checkpoint folder beyond this run's start (refused without it).")
    var overwrite = false

    @Flag(name: .customLong("check-sync"), help: "Compare a checksum of the parameters across ranks after every epoch.")
    var checkSync = false

    @Flag(help: "Report where each epoch's time goes (forward, backward, allreduce, wait, update, evaluation, data), min/mean/max over ranks; adds a barrier per step.")
    var profile = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @Option(name: .customLong("allreduce-precision"),
            help: "How gradients travel between ranks: fp32, or bf16 (half the bytes, rounded to bfloat16, summed in float; docs/scaling.md).")
    var allreducePrecision: AllreducePrecision = .fp32

    @Option(help: "The dense layers' products: fp32, or bf16 (each factor rounded to bfloat16, the products summed in float, as PyTorch's CPU autocast; the weights stay float; needs a CPU with AMX-BF16, Intel Xeon 4th generation or later). A sparse first layer stays fp32.")
    var precision: ProductPrecision = .fp32

    @Flag(help: "Sum gradients exactly (fixed point, over fixed 16-example chunks), so that any number of ranks and threads gives the same bits as one process; slower (README, \"Same bits\").")
    var reproducible = false

    @Option(name: .customLong("stall-timeout"),
            help: ArgumentHelp("End the job when a rank has kept the others waiting this long (a stopped or hung rank): rank 0 names it and prints how to resume.", valueName: "seconds"))
    var stallTimeout: Double = 120

    func validate() throws {
        if let logEvery {
            guard logEvery >= 1 else { throw ValidationError("--log-every \(logEvery) must be at least 1 (steps)") }
            guard metrics != nil else { throw ValidationError("--log-every writes step lines into the metrics file: add --metrics FILE") }
        }
        if let earlyStop {
            guard earlyStop >= 1 else { throw ValidationError("--early-stop \(earlyStop) must be at least 1 (epochs without improvement)") }
            guard options.validation > 0 else {
                throw ValidationError("--early-stop watches the validation loss: add --validation N (e.g. --validation 5000)")
            }
        }
        guard checkpointEvery >= 1 else {
            throw ValidationError("--checkpoint-every \(checkpointEvery) must be at least 1 (epochs)")
        }
        if reproducible, options.batchSize > Summation.largestExactBatch {
            throw ValidationError("--reproducible sums a minibatch of at most \(Summation.largestExactBatch) examples exactly, not \(options.batchSize); use a smaller --batch-size")
        }
        if reproducible, allreducePrecision != .fp32 {
            throw ValidationError("--reproducible sums gradients exactly, which --allreduce-precision \(allreducePrecision.rawValue) rounds away; drop one of them")
        }
        if precision == .bf16, !ProductPrecision.bf16Usable {
            throw ValidationError("\(ProductPrecision.bf16Unavailable); train in fp32 (leave out --precision)")
        }
        guard stallTimeout > 0, stallTimeout.isFinite else {
            throw ValidationError("--stall-timeout \(stallTimeout) must be a positive number of seconds, e.g. 120")
        }
    }

    func run() throws {
        let stop = StopRequest {
            guard MPITrain.launchRank == 0 else { return }
            printLine("mpitrain: stopping after the current step (Ctrl-C again quits at once)")
        }
        if let warning = Version.debugBuildWarning, !quiet, MPITrain.launchRank == 0 { printLine(warning) }
        let communicator = try Communicator.start(threads: options.compute.threads)
        communicator.stallTimeout = stallTimeout
        communicator.allreducePrecision = allreducePrecision
        communicator.runJob { try train(on: communicator, stop: stop) }
    }

    private func train(on communicator: Communicator, stop: StopRequest) throws {
        let options = self.options.configuration
        let folder = checkpoint.map { URL(fileURLWithPath: $0, isDirectory: true) }

        try checkSameSettings(options, on: communicator)
        let (data, configuration, saved, classNames) = try communicator.agreeing {
            if communicator.isRoot {
                if let metrics { try OutputFolder.checkFile(metrics, option: "--metrics") }
                if let folder { try OutputFolder.prepare(folder, option: "--checkpoint") }
            }
            let data = try self.options.loadData(for: options, ranks: communicator.size)
            let configuration = TrainingOptions.fitted(options, to: data)
            try TrainingOptions.checkMemory(configuration, ranks: communicator.size, ranksOnNode: communicator.ranksOnNode)
            let classNames = try self.options.loadClassNames(for: data)
            var saved: Checkpoint?
            if let resume {
                do throws(CheckpointError) { saved = try Checkpoint.read(from: URL(fileURLWithPath: resume)) } catch { throw error.whenResuming }
            }
            if let saved, saved.configuration.model != configuration.model {
                throw CheckpointError(path: resume!, problem: "holds a \(Checkpoint.describe(saved.configuration.model)) model, not the \(Checkpoint.describe(configuration.model)) this run trains",
                                      remedy: "resume with the model options of the run that wrote it, or start without --resume")
            }
            if let saved, saved.position.epochsCompleted >= configuration.epochs {
                throw JobError.invalid("checkpoint \(resume!) has already completed \(saved.position.epochsCompleted) epochs; pass --epochs greater than \(saved.position.epochsCompleted) to train further")
            }
            return (data, configuration, saved, classNames)
        }
        try communicator.checkSameData(data, folder: MNIST.locate(option: self.options.compute.data))
        let locks = try communicator.agreeing {
            communicator.isRoot ? try claimOutputs(folder: folder, configuration: configuration, resuming: saved) : []
        }
        defer { locks.forEach { $0.release() } }
        var display = ProgressDisplay(console: Console(communicator: communicator), quiet: quiet)
        // A resumed run keeps the records of the epochs before the one it continues, also with
        // --overwrite (which replaces only what follows), unless the file holds another run.
        var metricsFile = metrics.map { path in
            saved.map { saved in
                let sameRun = (try? ExistingOutputs.checkMetrics(path, configuration: configuration, resuming: true)) != nil
                return sameRun ? MetricsFile(path: path, continuingAt: saved.position.epoch) : MetricsFile(path: path)
            } ?? MetricsFile(path: path)
        }
        var files = CheckpointFiles(folder: folder, communicator: communicator, console: Console(communicator: communicator, quiet: quiet))
        files.lastCheckpoint = resume
        var run = TrainingRun(configuration: configuration, threads: self.options.compute.threads ?? communicator.defaultThreads,
                              inputForm: self.options.inputForm, profile: profile, checkSync: checkSync,
                              checkpointEvery: checkpointEvery, logEvery: logEvery, earlyStop: earlyStop, resume: saved.map { ($0, resume!) }, stop: stop,
                              classNames: classNames)
        run.summation = reproducible ? .exact : .float
        run.precision = precision
        run.dataSet = DataSetName(folder: MNIST.locate(option: self.options.compute.data)).text
        let outcome = try run.run(data: consume data, communicator: communicator, display: &display,
                                  metricsFile: &metricsFile, checkpoints: &files)
        display.line(Summary(configuration: configuration, evaluation: outcome.evaluation, lastEpoch: outcome.lastEpoch,
                             epochsRun: outcome.records.count, seconds: outcome.seconds, classNames: classNames).text)
    }

    /// Rank 0 locks the checkpoint folder and the metrics file for the whole run, then checks
    /// (under the locks, so two runs cannot both pass) that the run replaces no other run's output.
    private func claimOutputs(folder: URL?, configuration: TrainingConfiguration, resuming saved: Checkpoint?) throws -> [RunLock] {
        var locks: [RunLock] = []
        do {
            if let folder {
                locks.append(try RunLock(path: RunLock.checkpointLockPath(folder), option: "--checkpoint", target: folder.path))
                if !overwrite {
                    try ExistingOutputs.checkCheckpoints(in: folder, after: saved?.position ?? TrainingPosition(epochsCompleted: 0),
                                                         resuming: saved != nil)
                }
            }
            if let metrics {
                if let path = RunLock.metricsLockPath(metrics) {
                    locks.append(try RunLock(path: path, option: "--metrics", target: metrics))
                }
                if !overwrite { try ExistingOutputs.checkMetrics(metrics, configuration: configuration, resuming: saved != nil) }
            }
            return locks
        } catch {
            locks.forEach { $0.release() }
            throw error
        }
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
                throw JobError.invalid("this rank was started with other training settings than rank 0 (\(String(decoding: mine, as: UTF8.self)) vs \(String(decoding: rootSettings, as: UTF8.self))); give every rank the same model and training options")
            }
        }
    }
}
