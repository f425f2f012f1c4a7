import Foundation
import CZlib

/// Everything needed to continue a run exactly where it stopped, stored as safetensors:
///
/// - tensors: each parameter tensor under its `Network.tensors` name ("dense1.weights" [784, 64],
///   "dense1.bias" [64], …) and the optimizer's state under the same names with a prefix: with
///   momentum, SGD's velocity as "velocity.dense1.weights", …; Adam's moments as
///   "exp_avg.dense1.weights" and "exp_avg_sq.dense1.weights", … (PyTorch's names);
/// - metadata: `format` ("mpitrain-checkpoint"), `format_version`, `model` and `training` (the
///   configurations as JSON: since version 2 the model's `hidden` widths and `activations` are
///   lists and its `classes` is given; version 1's one `hidden` width and `activation` still read), `seed`, `ranks`, `epoch` (epochs completed), `step` (steps completed
///   in the next epoch), that epoch's running `epoch_loss_sum` and `epoch_correct`, and
///   `data_crc32`, the CRC-32 of the data section (every tensor's bytes, in name order) as 8 hex
///   digits; in a run with a validation set, `best_epoch` and `best_validation_loss`; with Adam,
///   `optimizer_steps`, the steps its bias corrections count (version 3). Reading checks the CRC, every metadata field and that every value is finite; files
///   written before the CRC was added (no `data_crc32`) are read without that check.
///
/// With the epoch order, dropout masks and distortions functions of (seed, epoch, example) alone,
/// restoring parameters, optimizer state and position makes the rest of a run bit-identical to
/// one that never stopped. Checkpoints of versions 1 and 2 (SGD only) still read.
public struct Checkpoint: Sendable, Equatable {
    /// The version this code writes; it reads this one and the ones before.
    public static let formatVersion = 3
    static let format = "mpitrain-checkpoint"

    /// The run that wrote it.
    public var configuration: TrainingConfiguration
    /// Where that run was.
    public var position: TrainingPosition
    /// Ranks of the run that wrote it (a resumed run may use another number).
    public var ranks: Int
    /// Parameter and optimizer state tensors by name.
    public var tensors: [String: SafeTensors.Tensor]
    /// Adam's steps so far (0 for SGD).
    public var optimizerSteps = 0
    /// In a run with a validation set: its best epoch so far (lowest validation loss), which
    /// early stopping counts from.
    public var best: BestEpoch?

    /// A snapshot of `network`'s parameters and `optimizer`'s state at `position`.
    public init(network: Network, optimizer: Optimizer, configuration: TrainingConfiguration,
                position: TrainingPosition, ranks: Int) {
        self.configuration = configuration
        self.position = position
        self.ranks = ranks
        optimizerSteps = optimizer.steps
        tensors = [:]
        let parameters = network.parameters
        for tensor in network.tensors {
            let range = tensor.offset..<tensor.offset + tensor.count
            tensors[tensor.name] = SafeTensors.Tensor(Array(parameters[range]), shape: tensor.shape)
            for prefix in optimizer.usedStatePrefixes {
                tensors[prefix + tensor.name] = SafeTensors.Tensor(Array(optimizer[state: prefix][range]), shape: tensor.shape)
            }
        }
    }

    /// Copies the parameters into `network` and the optimizer's state into `optimizer`, after
    /// checking that the checkpoint holds exactly `network`'s tensors with the same shapes, each
    /// optimizer state (`Optimizer.statePrefixes`) for all of them or none. State the optimizer
    /// keeps but the checkpoint lacks (momentum added on resuming, SGD resumed as Adam) starts at 0.
    public func restore(into network: Network, optimizer: inout Optimizer) throws(CheckpointError) {
        guard configuration.model == network.configuration else {
            throw CheckpointError(problem: "holds a \(Self.describe(configuration.model)) model, not the \(Self.describe(network.configuration)) this run trains",
                                  remedy: "resume with the model options of the run that wrote it, or start without --resume")
        }
        let saved = Optimizer.statePrefixes.filter { prefix in tensors.keys.contains { $0.hasPrefix(prefix) } }
        let expected = network.tensors.count * (1 + saved.count)
        guard tensors.count == expected else {
            throw CheckpointError(problem: "holds \(tensors.count) tensors, expected \(expected)")
        }
        let parameters = network.parameters
        for tensor in network.tensors {
            let values = try floats(tensor.name, shape: tensor.shape)
            for (index, value) in values.enumerated() { parameters[tensor.offset + index] = value }
        }
        for prefix in optimizer.usedStatePrefixes {
            var state = [Float](repeating: 0, count: network.parameterCount)
            if saved.contains(prefix) {
                for tensor in network.tensors {
                    let values = try floats(prefix + tensor.name, shape: tensor.shape)
                    for (index, value) in values.enumerated() { state[tensor.offset + index] = value }
                }
            }
            optimizer[state: prefix] = state
        }
        optimizer.steps = saved.contains("exp_avg.") && optimizer.kind != .sgd ? optimizerSteps : 0
    }

    private func floats(_ name: String, shape: [Int]) throws(CheckpointError) -> [Float] {
        guard let tensor = tensors[name] else { throw CheckpointError(problem: "has no tensor \"\(name)\"") }
        guard tensor.shape == shape, let values = tensor.floats else {
            throw CheckpointError(problem: "has tensor \"\(name)\" as \(tensor.dtype.rawValue) \(tensor.shape), expected F32 \(shape)")
        }
        return values
    }

    /// A model in a few words, e.g. "multiclass 784→256→128→10 (relu)", "multiclass 784→64→32→10
    /// (relu,tanh)" or "single 784→1 (is it a 5?)".
    public static func describe(_ model: ModelConfiguration) -> String {
        let layers = model.layerWidths.map(String.init).joined(separator: "→")
        var details: [String] = []
        if model.hasHiddenLayer { details.append(model.activationNames) }
        if model.isBinary { details.append("is it a \(model.digit)?") }
        return "\(model.kind.rawValue) \(layers)" + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))")
    }

    // MARK: - safetensors

    /// The checkpoint as a safetensors file.
    public var safeTensors: SafeTensors {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ value: T) -> String { String(decoding: try! encoder.encode(value), as: UTF8.self) }
        var metadata = [
            "format": Self.format,
            "format_version": String(Self.formatVersion),
            "model": json(configuration.model),
            "training": json(configuration),
            "seed": String(configuration.seed),
            "ranks": String(ranks),
            "epoch": String(position.epochsCompleted),
            "step": String(position.stepsCompleted),
            "epoch_loss_sum": String(position.lossSum),   // shortest round-trip form: exact
            "epoch_correct": String(position.correct),
            "data_crc32": Self.hex(Self.dataCRC32(tensors)),
        ]
        if optimizerSteps > 0 { metadata["optimizer_steps"] = String(optimizerSteps) }
        if let best {
            metadata["best_epoch"] = String(best.epoch)
            metadata["best_validation_loss"] = String(best.loss)
        }
        return SafeTensors(tensors: tensors, metadata: metadata)
    }

    /// The CRC-32 of the tensors' bytes in name order: the data section of their safetensors file.
    static func dataCRC32(_ tensors: [String: SafeTensors.Tensor]) -> UInt32 {
        tensors.keys.sorted().reduce(UInt32(0)) { crc, name in
            tensors[name]!.bytes.withUnsafeBytes { UInt32(crc32_z(UInt(crc), $0.baseAddress?.assumingMemoryBound(to: UInt8.self), $0.count)) }
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Reads a checkpoint from safetensors, checking its format, version and metadata.
    public init(_ file: SafeTensors) throws(CheckpointError) {
        let metadata = file.metadata
        let training = try Self.declaredConfiguration(metadata, shapes: file.tensors.mapValues { ($0.dtype, $0.shape) })
        func number<T: LosslessStringConvertible>(_ key: String) throws(CheckpointError) -> T {
            guard let text = metadata[key] else { throw CheckpointError(problem: "has no \"\(key)\" in its metadata") }
            guard let value = T(text) else {
                throw CheckpointError(problem: "has \"\(key)\": \"\(text)\" in its metadata, expected a number")
            }
            return value
        }
        if let recorded = metadata["data_crc32"] {
            let crc = Self.dataCRC32(file.tensors)
            guard recorded == Self.hex(crc) else {
                throw CheckpointError(problem: "is damaged: its tensor data has CRC-32 \(Self.hex(crc)), the file records \(recorded)",
                                      remedy: "pass an earlier checkpoint of the run")
            }
        }
        configuration = training
        func check(_ valid: Bool, _ key: String, _ what: String) throws(CheckpointError) {
            guard valid else { throw CheckpointError(problem: "has \"\(key)\": \"\(metadata[key] ?? "")\" in its metadata, \(what)") }
        }
        let seed: UInt64 = try number("seed")
        try check(seed == training.seed, "seed", "but its training metadata has seed \(training.seed)")
        ranks = try number("ranks")
        try check(ranks >= 1, "ranks", "expected at least 1")
        position = TrainingPosition(epochsCompleted: try number("epoch"), stepsCompleted: try number("step"),
                                    lossSum: try number("epoch_loss_sum"), correct: try number("epoch_correct"))
        try check((0...training.epochs).contains(position.epochsCompleted), "epoch",
                  "expected 0–\(training.epochs) (the epochs of the run that wrote it)")
        try check(position.stepsCompleted >= 0 && (position.stepsCompleted == 0 || position.epochsCompleted < training.epochs),
                  "step", "expected 0, or a step of an epoch under way")
        try check(position.lossSum.isFinite && position.lossSum >= 0, "epoch_loss_sum", "expected a finite sum of losses ≥ 0")
        let seen = Double(position.stepsCompleted) * Double(training.batchSize)
        try check(position.correct.isFinite && position.correct >= 0 && position.correct <= seen && position.correct.rounded() == position.correct,
                  "epoch_correct", "expected a whole count of 0–\(Int(min(seen, 1e18))) (the images of the \(position.stepsCompleted) steps done)")
        if let name = file.tensors.keys.sorted().first(where: { file.tensors[$0]!.floats?.allSatisfy(\.isFinite) == false }) {
            throw CheckpointError(problem: "holds NaN or infinite values in \"\(name)\" (saved from a diverged run?)",
                                  remedy: "pass an earlier checkpoint of the run")
        }
        tensors = file.tensors
        if metadata["optimizer_steps"] != nil {
            optimizerSteps = try number("optimizer_steps")
            try check(optimizerSteps >= 0, "optimizer_steps", "expected a count ≥ 0")
        }
        if metadata["best_epoch"] != nil || metadata["best_validation_loss"] != nil {
            best = BestEpoch(epoch: try number("best_epoch"), loss: try number("best_validation_loss"))
            try check((1...max(1, position.epochsCompleted)).contains(best!.epoch), "best_epoch",
                      "expected an epoch the run completed (1–\(position.epochsCompleted))")
            try check(best!.loss.isFinite && best!.loss >= 0, "best_validation_loss", "expected a finite loss ≥ 0")
        }
    }

    /// The run a checkpoint's `metadata` declares, after checking its format, version and training
    /// configuration, and that the tensors' `shapes` are exactly those of its model: what can be
    /// checked from the header alone, before any tensor data is read.
    static func declaredConfiguration(_ metadata: [String: String],
                                      shapes: [String: (dtype: SafeTensors.DType, shape: [Int])]) throws(CheckpointError) -> TrainingConfiguration {
        guard metadata["format"] == Self.format else {
            throw CheckpointError(problem: "is a safetensors file but not an mpitrain checkpoint (no \"format\": \"\(Self.format)\" metadata)",
                                  remedy: "pass a file written by mpitrain --checkpoint")
        }
        guard let version = metadata["format_version"].flatMap(Int.init), version <= Self.formatVersion else {
            throw CheckpointError(problem: "has checkpoint format version \(metadata["format_version"] ?? "?"), this mpitrain reads up to \(Self.formatVersion)",
                                  remedy: "use the mpitrain that wrote it")
        }
        guard let training = metadata["training"].flatMap({ try? JSONDecoder().decode(TrainingConfiguration.self, from: Data($0.utf8)) }),
              training.epochs >= 1, training.learningRate > 0, training.learningRate.isFinite, (0..<1).contains(training.momentum),
              training.weightDecay >= 0, training.weightDecay.isFinite, (0..<1).contains(training.beta1),
              (0..<1).contains(training.beta2), training.epsilon > 0, training.warmup >= 0,
              training.dropout.allSatisfy({ (0..<1).contains($0) }), (0..<1).contains(training.inputDropout)
        else { throw CheckpointError(problem: "has no valid \"training\" metadata") }
        do throws(ModelConfigurationError) { try training.model.validate() } catch {
            throw CheckpointError(problem: "declares a model that cannot be built (\(error))")
        }
        guard (1...Self.maximumBatchSize).contains(training.batchSize) else {
            throw CheckpointError(problem: "declares a batch size of \(training.batchSize), expected 1–\(Self.maximumBatchSize)")
        }
        try checkShapes(shapes, of: training.model)
        return training
    }

    /// The largest batch a checkpoint may declare: IDX files count their images in 32 bits.
    static let maximumBatchSize = Int(UInt32.max)

    /// Checks that `tensors` are exactly those of a network of `model` ("dense1.weights"
    /// [inputs, width], "dense1.bias" [width], …; with momentum also "velocity.…" for every one),
    /// all F32, and for each optimizer state it holds ("velocity.", "exp_avg.", "exp_avg_sq.") one
    /// tensor per parameter tensor: before the network is built, so a file cannot make the reader
    /// allocate what its own data does not hold.
    static func checkShapes(_ tensors: [String: (dtype: SafeTensors.DType, shape: [Int])], of model: ModelConfiguration) throws(CheckpointError) {
        let widths = model.layerWidths
        var expected: [String: [Int]] = [:]
        for (index, (inputs, outputs)) in zip(widths, widths.dropFirst()).enumerated() {
            expected["dense\(index + 1).weights"] = [inputs, outputs]
            expected["dense\(index + 1).bias"] = [outputs]
        }
        let parameters = expected
        for prefix in Optimizer.statePrefixes where tensors.keys.contains(where: { $0.hasPrefix(prefix) }) {
            for (name, shape) in parameters { expected[prefix + name] = shape }
        }
        for name in expected.keys.sorted() {
            guard let tensor = tensors[name] else {
                throw CheckpointError(problem: "has no tensor \"\(name)\", which its \(describe(model)) model needs")
            }
            guard tensor.dtype == .f32, tensor.shape == expected[name] else {
                throw CheckpointError(problem: "has tensor \"\(name)\" as \(tensor.dtype.rawValue) \(tensor.shape), but its \(describe(model)) model needs F32 \(expected[name]!)")
            }
        }
        if let extra = tensors.keys.sorted().first(where: { expected[$0] == nil }) {
            throw CheckpointError(problem: "has tensor \"\(extra)\", which its \(describe(model)) model does not have")
        }
    }

    // MARK: - Files

    /// Reads and checks the checkpoint at `url`. The file is mapped, not read: its header is checked
    /// first (sizes, and that the tensors are those of the model it declares), then each tensor's
    /// bytes are copied once, so a file costs its own size in memory and a file that cannot be a
    /// checkpoint of its model costs nothing.
    public static func read(from url: URL) throws(CheckpointError) -> Checkpoint {
        let descriptor = open(url.path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            let reason = code == ENOENT ? "does not exist" : "is not readable (\(String(cString: strerror(code))))"
            throw CheckpointError(path: url.path, problem: reason, remedy: "check the path")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw CheckpointError(path: url.path, problem: "is not readable", remedy: "check the path")
        }
        let kind = FileKind(mode: status.st_mode)
        guard kind == .regular else {
            throw CheckpointError(path: url.path, problem: "is \(kind), not a checkpoint file",
                                  remedy: "pass a file written by mpitrain --checkpoint")
        }
        let size = Int(status.st_size)
        var mapping: UnsafeMutableRawPointer?
        if size > 0 {
            mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
            guard mapping != MAP_FAILED else {
                throw CheckpointError(path: url.path, problem: "cannot be read (\(String(cString: strerror(errno))))", remedy: "check the path")
            }
        }
        defer { if let mapping { munmap(mapping, size) } }
        let bytes = UnsafeRawBufferPointer(start: mapping, count: size)
        let header: SafeTensors.Header
        do throws(SafeTensorsError) { header = try SafeTensors.header(of: bytes) } catch {
            throw CheckpointError(path: url.path, problem: "is not a valid safetensors file: \(error)")
        }
        do throws(CheckpointError) {
            _ = try declaredConfiguration(header.metadata, shapes: header.entries.mapValues { ($0.dtype, $0.shape) })
            return try Checkpoint(SafeTensors(header: header, bytes: bytes))
        } catch {
            throw error.at(url.path)
        }
    }

    /// Writes the checkpoint to `url` atomically: to a temporary file in the same folder, flushed
    /// to disk (`fsync`), then renamed over `url`, so a crash never leaves a partial checkpoint.
    /// A symbolic link at `url` is replaced, never written through: checkpoint names are chosen by
    /// the program, and a link planted in the folder must not redirect the write (see `AtomicFile`).
    public func write(to url: URL) throws(CheckpointError) {
        do {
            try AtomicFile.save(safeTensors.encoded(), to: url, links: .replace)
        } catch {
            throw CheckpointError(path: error.path, problem: "cannot be written: \(error.reason)", remedy: error.remedy)
        }
    }
}

/// The epoch of a run with the lowest validation loss so far.
public struct BestEpoch: Sendable, Equatable {
    /// The epoch, from 1.
    public var epoch: Int
    /// Its mean loss over the validation images.
    public var loss: Double

    public init(epoch: Int, loss: Double) {
        self.epoch = epoch
        self.loss = loss
    }
}

/// Why a checkpoint cannot be used: one line naming the file, the problem and the remedy.
public struct CheckpointError: Error, CustomStringConvertible, Sendable {
    /// The checkpoint file (empty until known).
    public var path: String
    /// What is wrong with it.
    public let problem: String
    /// What to do about it.
    public let remedy: String

    public var description: String {
        "checkpoint \(path.isEmpty ? "" : path + " ")\(problem); \(remedy)"
    }

    public init(path: String = "", problem: String, remedy: String = CheckpointError.anotherCheckpoint) {
        self.path = path
        self.problem = problem
        self.remedy = remedy
    }

    /// The usual remedy: "pass another checkpoint".
    public static let anotherCheckpoint = "pass another checkpoint"

    func at(_ path: String) -> CheckpointError {
        CheckpointError(path: path, problem: problem, remedy: remedy)
    }

    /// The error as `train --resume` words it: a remedy that passes another checkpoint (or an
    /// earlier one) also offers to start afresh.
    public var whenResuming: CheckpointError {
        guard remedy == Self.anotherCheckpoint || remedy.hasPrefix("pass an earlier checkpoint") else { return self }
        return CheckpointError(path: path, problem: problem, remedy: remedy + ", or start without --resume")
    }
}
