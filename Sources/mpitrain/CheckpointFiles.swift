import Foundation
import NetCore
import Distributed

/// The checkpoints of one run: where they go, the last one written, and the interrupted-run exit.
struct CheckpointFiles {
    let folder: URL?
    let communicator: Communicator
    let console: Console
    var lastCheckpoint: String?
    /// In a run with a validation set: its best epoch so far, recorded in every checkpoint.
    var best: BestEpoch?
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

    /// The file that holds the epoch with the lowest validation loss.
    static let bestName = "best.safetensors"

    /// Rank 0 writes `checkpoint` atomically; a failure is agreed, so every rank stops with its message.
    mutating func save(_ checkpoint: Checkpoint) throws {
        guard let folder else { return }
        let url = folder.appendingPathComponent(Self.name(checkpoint.position))
        try write(checkpoint, to: url, isLast: true)
        lastCheckpoint = url.path
        savedPosition = checkpoint.position
        console.print("checkpoint: \(url.path)")
    }

    /// Writes `checkpoint`, the new best epoch, to `best.safetensors`.
    mutating func saveBest(_ checkpoint: Checkpoint) throws {
        guard let folder else { return }
        try write(checkpoint, to: folder.appendingPathComponent(Self.bestName), isLast: false)
    }

    /// Rank 0 writes `checkpoint` (with the best epoch so far) to `url`; every rank learns whether
    /// it could. The run's last checkpoint (`isLast`) is known on rank 0 before that agreement, so
    /// a stall in it names the file.
    private mutating func write(_ checkpoint: Checkpoint, to url: URL, isLast: Bool) throws {
        var checkpoint = checkpoint
        checkpoint.best = best
        try communicator.agreeing {
            guard communicator.isRoot else { return }
            try checkpoint.write(to: url)
            if isLast { lastCheckpoint = url.path }
        }
    }

    /// Ends an interrupted run: saves where it stopped (with --checkpoint), says how to resume, exits 130.
    mutating func stop(_ trainer: Trainer, at position: TrainingPosition) throws -> Never {
        let place = position.isEpochBoundary
            ? "after epoch \(position.epochsCompleted)"
            : "in epoch \(position.epoch) after step \(position.stepsCompleted) of \(trainer.stepsPerEpoch)"
        guard folder != nil else {
            console.note("interrupted \(place); nothing saved (pass --checkpoint DIR to be able to resume)")
            throw JobError.stopped
        }
        if savedPosition != position { try save(trainer.checkpoint()) }
        console.note("interrupted \(place); saved \(lastCheckpoint!); to resume: \(resumeCommand(lastCheckpoint!))")
        throw JobError.stopped
    }

    /// What a run that ends abruptly leaves to resume from: the last checkpoint and the command.
    var keptNote: String {
        guard let lastCheckpoint else {
            return folder == nil ? "nothing was saved (pass --checkpoint DIR to be able to resume)"
                                 : "no checkpoint was written yet"
        }
        return "the last checkpoint is \(lastCheckpoint); resume with: \(resumeCommand(lastCheckpoint))"
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
func printLine(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
