import Foundation

/// Everything needed to continue a run exactly where it stopped, stored as safetensors:
///
/// - tensors: each parameter tensor under its `Network.tensors` name ("dense1.weights" [784, 64],
///   "dense1.bias" [64], …) and, with momentum, SGD's velocity as "velocity.dense1.weights", …;
/// - metadata: `format` ("mpitrain-checkpoint"), `format_version`, `model` and `training` (the
///   configurations as JSON), `seed`, `ranks`, `epoch` (epochs completed), `step` (steps completed
///   in the next epoch) and that epoch's running `epoch_loss_sum` and `epoch_correct`.
///
/// With the epoch order a function of (seed, epoch) alone, restoring parameters, velocity and
/// position makes the rest of a run bit-identical to one that never stopped.
public struct Checkpoint: Sendable, Equatable {
    /// The version this code writes and reads.
    public static let formatVersion = 1
    static let format = "mpitrain-checkpoint"
    static let velocityPrefix = "velocity."

    /// The run that wrote it.
    public var configuration: TrainingConfiguration
    /// Where that run was.
    public var position: TrainingPosition
    /// Ranks of the run that wrote it (a resumed run may use another number).
    public var ranks: Int
    /// Parameter and velocity tensors by name.
    public var tensors: [String: SafeTensors.Tensor]

    /// A snapshot of `network`'s parameters and `optimizer`'s velocity at `position`.
    public init(network: Network, optimizer: SGD, configuration: TrainingConfiguration,
                position: TrainingPosition, ranks: Int) {
        self.configuration = configuration
        self.position = position
        self.ranks = ranks
        tensors = [:]
        let parameters = network.parameters
        for tensor in network.tensors {
            let range = tensor.offset..<tensor.offset + tensor.count
            tensors[tensor.name] = SafeTensors.Tensor(Array(parameters[range]), shape: tensor.shape)
            if !optimizer.velocity.isEmpty {
                tensors[Self.velocityPrefix + tensor.name] =
                    SafeTensors.Tensor(Array(optimizer.velocity[range]), shape: tensor.shape)
            }
        }
    }

    /// Copies the parameters into `network` and the velocity into `optimizer`, after checking
    /// that the checkpoint holds exactly `network`'s tensors with the same shapes.
    public func restore(into network: Network, optimizer: inout SGD) throws(CheckpointError) {
        guard configuration.model == network.configuration else {
            throw CheckpointError(problem: "holds a \(Self.describe(configuration.model)) model, not the \(Self.describe(network.configuration)) this run trains",
                                  remedy: "resume with the model options of the run that wrote it, or start without --resume")
        }
        let hasVelocity = tensors.keys.contains { $0.hasPrefix(Self.velocityPrefix) }
        let expected = network.tensors.count * (hasVelocity ? 2 : 1)
        guard tensors.count == expected else {
            throw CheckpointError(problem: "holds \(tensors.count) tensors, expected \(expected)")
        }
        if optimizer.momentum == 0 {
            optimizer.velocity = []
        } else if optimizer.velocity.isEmpty {
            optimizer.velocity = [Float](repeating: 0, count: network.parameterCount)
        }
        let parameters = network.parameters
        for tensor in network.tensors {
            let values = try floats(tensor.name, shape: tensor.shape)
            for (index, value) in values.enumerated() { parameters[tensor.offset + index] = value }
            guard !optimizer.velocity.isEmpty else { continue }
            guard hasVelocity else {
                for index in 0..<tensor.count { optimizer.velocity[tensor.offset + index] = 0 }
                continue
            }
            let velocity = try floats(Self.velocityPrefix + tensor.name, shape: tensor.shape)
            for (index, value) in velocity.enumerated() { optimizer.velocity[tensor.offset + index] = value }
        }
    }

    private func floats(_ name: String, shape: [Int]) throws(CheckpointError) -> [Float] {
        guard let tensor = tensors[name] else { throw CheckpointError(problem: "has no tensor \"\(name)\"") }
        guard tensor.shape == shape, let values = tensor.floats else {
            throw CheckpointError(problem: "has tensor \"\(name)\" as \(tensor.dtype.rawValue) \(tensor.shape), expected F32 \(shape)")
        }
        return values
    }

    /// A model in a few words, e.g. "multiclass 784→64→10 (sigmoid)" or "single 784→1 (is it a 5?)".
    public static func describe(_ model: ModelConfiguration) -> String {
        let layers = model.layerWidths.map(String.init).joined(separator: "→")
        var details: [String] = []
        if model.hasHiddenLayer { details.append(model.activation.rawValue) }
        if model.isBinary { details.append("is it a \(model.digit)?") }
        return "\(model.kind.rawValue) \(layers)" + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))")
    }

    // MARK: - safetensors

    /// The checkpoint as a safetensors file.
    public var safeTensors: SafeTensors {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ value: T) -> String { String(decoding: try! encoder.encode(value), as: UTF8.self) }
        return SafeTensors(tensors: tensors, metadata: [
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
        ])
    }

    /// Reads a checkpoint from safetensors, checking its format, version and metadata.
    public init(_ file: SafeTensors) throws(CheckpointError) {
        let metadata = file.metadata
        guard metadata["format"] == Self.format else {
            throw CheckpointError(problem: "is a safetensors file but not an mpitrain checkpoint (no \"format\": \"\(Self.format)\" metadata)",
                                  remedy: "pass a file written by mpitrain --checkpoint")
        }
        guard let version = metadata["format_version"].flatMap(Int.init), version <= Self.formatVersion else {
            throw CheckpointError(problem: "has checkpoint format version \(metadata["format_version"] ?? "?"), this mpitrain reads up to \(Self.formatVersion)",
                                  remedy: "use the mpitrain that wrote it")
        }
        func number<T: LosslessStringConvertible>(_ key: String) throws(CheckpointError) -> T {
            guard let value = metadata[key].flatMap(T.init) else {
                throw CheckpointError(problem: "has no valid \"\(key)\" metadata")
            }
            return value
        }
        guard let training = metadata["training"].flatMap({ try? JSONDecoder().decode(TrainingConfiguration.self, from: Data($0.utf8)) }),
              (try? training.model.validate()) != nil
        else { throw CheckpointError(problem: "has no valid \"training\" metadata") }
        configuration = training
        ranks = try number("ranks")
        position = TrainingPosition(epochsCompleted: try number("epoch"), stepsCompleted: try number("step"),
                                    lossSum: try number("epoch_loss_sum"), correct: try number("epoch_correct"))
        tensors = file.tensors
    }

    // MARK: - Files

    /// Reads and checks the checkpoint at `url`.
    public static func read(from url: URL) throws(CheckpointError) -> Checkpoint {
        let kind = FileKind(path: url.path)
        guard kind == .regular || kind == .missing else {
            throw CheckpointError(path: url.path, problem: "is \(kind), not a checkpoint file",
                                  remedy: "pass a file written by mpitrain --checkpoint")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            let reason = FileManager.default.fileExists(atPath: url.path) ? "is not readable" : "does not exist"
            throw CheckpointError(path: url.path, problem: reason, remedy: "check the path")
        }
        let bytes = [UInt8](data)
        do {
            return try Checkpoint(try SafeTensors(decoding: bytes))
        } catch let error as SafeTensorsError {
            throw CheckpointError(path: url.path, problem: "is not a valid safetensors file: \(error)")
        } catch let error as CheckpointError {
            throw error.at(url.path)
        } catch {
            preconditionFailure("unexpected \(error)")
        }
    }

    /// Writes the checkpoint to `url` atomically: to a temporary file in the same folder, flushed
    /// to disk (`fsync`), then renamed over `url`, so a crash never leaves a partial checkpoint
    /// (through a symbolic link to its target; see `AtomicFile`).
    public func write(to url: URL) throws(CheckpointError) {
        do {
            try AtomicFile.save(safeTensors.encoded(), to: url)
        } catch {
            throw CheckpointError(path: error.path, problem: "cannot be written: \(error.reason)", remedy: error.remedy)
        }
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

    public init(path: String = "", problem: String, remedy: String = "pass another checkpoint, or start without --resume") {
        self.path = path
        self.problem = problem
        self.remedy = remedy
    }

    func at(_ path: String) -> CheckpointError {
        CheckpointError(path: path, problem: problem, remedy: remedy)
    }
}
