import Foundation
import NetCore

/// The checks that keep a run from silently replacing another run's output: an existing metrics
/// file, or checkpoints beyond the point where this run starts (`--overwrite` allows both).
enum ExistingOutputs {
    /// Refuses a metrics file that holds epochs: any, for a new run; another model, seed or
    /// batch size than the resumed run's, for a resumed run (which continues its own file).
    static func checkMetrics(_ path: String, configuration: TrainingConfiguration, resuming: Bool) throws {
        guard let (target, kind) = try? AtomicFile.destination(of: path), kind == .regular,
              let text = try? String(contentsOfFile: target, encoding: .utf8),
              !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        else { return }
        let records = text.split(separator: "\n").compactMap { try? JSONDecoder().decode(EpochMetrics.self, from: Data($0.utf8)) }
        let remedy = "pass --overwrite to replace it, or choose another --metrics file"
        guard resuming else {
            let what = records.isEmpty ? "" : " (\(records.count) epoch\(records.count == 1 ? "" : "s") of an earlier run)"
            throw JobError.invalid("--metrics \(path) already exists\(what); \(remedy) (a --resume run continues its own file)")
        }
        let model = configuration.model
        if let other = records.first(where: { record in
            record.model != model.kind.rawValue || record.seed.map { $0 != configuration.seed } == true
                || record.batchSize.map { $0 != configuration.batchSize } == true
                || record.layerWidths.map { $0 != model.layerWidths } == true
                || record.validation.map { $0 != configuration.validation } == true
        }) {
            throw JobError.invalid("--metrics \(path) holds another run (\(other.model) model, seed \(other.seed.map(String.init) ?? "?"), batch size \(other.batchSize.map(String.init) ?? "?")) than the one this run resumes; \(remedy)")
        }
    }

    /// Refuses a checkpoint folder that holds checkpoints after `start`, which this run would
    /// overwrite as it reaches them (or leave mixed with its own), and a new run's folder that
    /// holds an earlier run's best.safetensors.
    static func checkCheckpoints(in folder: URL, after start: TrainingPosition, resuming: Bool) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let later = names.compactMap { name in position(name).map { (name, $0) } }
            .filter { isBefore(start, $0.1) }
            .sorted { isBefore($0.1, $1.1) }
            .map(\.0)
            + (!resuming && names.contains(CheckpointFiles.bestName) ? [CheckpointFiles.bestName] : [])
        guard let first = later.first, let last = later.last else { return }
        let list = later.count <= 3 ? later.joined(separator: ", ") : "\(first) … \(last), \(later.count) files"
        if resuming {
            throw JobError.invalid("--checkpoint \(folder.path) already holds checkpoints after the one this run resumes from (\(list)); move them away or choose another --checkpoint folder (--overwrite replaces them as the run reaches them)")
        }
        throw JobError.invalid("--checkpoint \(folder.path) already holds checkpoints of an earlier run (\(list)); choose another --checkpoint folder, or pass --overwrite to replace them as the run reaches them")
    }

    /// The position a checkpoint file name stands for (see `CheckpointFiles.name`), or nil.
    private static func position(_ name: String) -> TrainingPosition? {
        if let match = name.wholeMatch(of: /epoch-(\d+)\.safetensors/), let epochs = Int(match.1) {
            return TrainingPosition(epochsCompleted: epochs)
        }
        if let match = name.wholeMatch(of: /epoch-(\d+)-step-(\d+)\.safetensors/), let epoch = Int(match.1), let step = Int(match.2) {
            return TrainingPosition(epochsCompleted: epoch - 1, stepsCompleted: step)
        }
        return nil
    }

    private static func isBefore(_ a: TrainingPosition, _ b: TrainingPosition) -> Bool {
        (a.epochsCompleted, a.stepsCompleted) < (b.epochsCompleted, b.stepsCompleted)
    }
}
