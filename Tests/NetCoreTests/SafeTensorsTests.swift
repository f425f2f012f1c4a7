import Foundation
import Testing
@testable import NetCore

struct SafeTensorsTests {
    private static let weights: [Float] = [1, -2.5, .pi, 0, 1e-30, -0.0]
    private let file = SafeTensors(
        tensors: ["weights": .init(weights, shape: [2, 3]), "bias": .init([0.25], shape: [1])],
        metadata: ["format": "test", "epoch": "3"])

    @Test func roundTripsTensorsAndMetadata() throws {
        let bytes = file.encoded()
        let header = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        #expect(header % 8 == 0, "header padded to 8 bytes")
        #expect(bytes.count == 8 + header + 7 * 4)
        let decoded = try SafeTensors(decoding: bytes)
        #expect(decoded == file)
        #expect(decoded.tensors["weights"]?.floats?.map(\.bitPattern) == Self.weights.map(\.bitPattern))
        // Data in name order: "bias" first, little-endian.
        #expect(Array(bytes[(8 + header)..<(8 + header + 4)]) == [0, 0, 0x80, 0x3E])
    }

    @Test func rejectsDamagedFiles() {
        let bytes = file.encoded()
        #expect(throws: SafeTensorsError.self) { try SafeTensors(decoding: Array(bytes.prefix(5))) }
        #expect(throws: SafeTensorsError.self) { try SafeTensors(decoding: Array(bytes.dropLast())) }
        #expect(throws: SafeTensorsError.self) { try SafeTensors(decoding: bytes + [0]) }
        var huge = bytes
        huge[6] = 1
        #expect(throws: SafeTensorsError.self) { try SafeTensors(decoding: huge) }
        var notJSON = bytes
        notJSON[9] = UInt8(ascii: "]")
        #expect(throws: SafeTensorsError.self) { try SafeTensors(decoding: notJSON) }
    }

    @Test func checkpointRestoresParametersVelocityAndPosition() throws {
        let model = ModelConfiguration(kind: .multiclass, inputs: 12, hidden: 5)
        let configuration = TrainingConfiguration(model: model, epochs: 4, batchSize: 8, learningRate: 0.1, momentum: 0.9, seed: 9)
        let network = Network(model, seed: 9)
        var optimizer = Optimizer(learningRate: 0.1, momentum: 0.9, parameterCount: network.parameterCount)
        for i in optimizer.velocity.indices { optimizer.velocity[i] = Float(i) * 0.001 }
        let position = TrainingPosition(epochsCompleted: 2, stepsCompleted: 5, lossSum: 0.1 + 0.2, correct: 17)
        var checkpoint = Checkpoint(network: network, optimizer: optimizer, configuration: configuration, position: position, ranks: 2)
        checkpoint.best = BestEpoch(epoch: 2, loss: 0.1 + 0.2)

        let files = try TestFiles()
        defer { files.remove() }
        let url = files.directory.appendingPathComponent("c.safetensors")
        try checkpoint.write(to: url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: files.directory.path) == ["c.safetensors"])
        let read = try Checkpoint.read(from: url)
        #expect(read == checkpoint)
        #expect(read.position.lossSum == 0.1 + 0.2)
        #expect(read.best == BestEpoch(epoch: 2, loss: 0.1 + 0.2), "early stopping resumes from the best epoch")

        let other = Network(model, seed: 10)
        var otherOptimizer = Optimizer(learningRate: 0.1, momentum: 0.9, parameterCount: other.parameterCount)
        try read.restore(into: other, optimizer: &otherOptimizer)
        #expect(Array(other.parameters) == Array(network.parameters))
        #expect(otherOptimizer.velocity == optimizer.velocity)

        let single = Network(ModelConfiguration(kind: .single, inputs: 12), seed: 1)
        var singleOptimizer = Optimizer(learningRate: 0.1, momentum: 0, parameterCount: single.parameterCount)
        #expect(throws: CheckpointError.self) { try read.restore(into: single, optimizer: &singleOptimizer) }
    }

    /// A small checkpoint's safetensors file and the checkpoint read back from `file`.
    private static func smallCheckpoint(parameter: Float = 0.5) -> SafeTensors {
        let network = Network(ModelConfiguration(kind: .single, inputs: 4), seed: 1)
        network.parameters[0] = parameter
        return Checkpoint(
            network: network, optimizer: Optimizer(learningRate: 1, momentum: 0, parameterCount: network.parameterCount),
            configuration: TrainingConfiguration(model: network.configuration, epochs: 3, batchSize: 1, learningRate: 1, momentum: 0, seed: 1),
            position: TrainingPosition(epochsCompleted: 1), ranks: 1).safeTensors
    }

    private static func problem(_ file: SafeTensors) -> String {
        do {
            _ = try Checkpoint(try SafeTensors(decoding: file.encoded()))
            return "read"
        } catch {
            return "\(error)"
        }
    }

    @Test func aFlippedDataByteIsCaughtByTheCRC() throws {
        var bytes = Self.smallCheckpoint().encoded()
        #expect(Self.problem(Self.smallCheckpoint()) == "read")
        bytes[bytes.count - 3] ^= 0x10
        let damaged = try SafeTensors(decoding: bytes)
        let problem = Self.problem(damaged)
        #expect(problem.hasPrefix("checkpoint is damaged: its tensor data has CRC-32 "), "\(problem)")
        #expect(problem.hasSuffix("; pass an earlier checkpoint of the run"), "\(problem)")
        var older = damaged
        older.metadata["data_crc32"] = nil
        #expect(Self.problem(older) == "read", "a checkpoint written before the CRC is read without it")
    }

    @Test func nonFiniteParametersAreRefused() {
        #expect(Self.problem(Self.smallCheckpoint(parameter: .nan))
                == "checkpoint holds NaN or infinite values in \"dense1.weights\" (saved from a diverged run?); pass an earlier checkpoint of the run")
        #expect(Self.problem(Self.smallCheckpoint(parameter: -.infinity)).contains("holds NaN or infinite values"))
    }

    @Test(arguments: [("epoch", "-1"), ("epoch", "4"), ("epoch", "9223372036854775807"), ("step", "-3"), ("step", "x"),
                      ("ranks", "0"), ("seed", "2"), ("epoch_loss_sum", "nan"), ("epoch_correct", "-1")])
    func everyMetadataFieldIsChecked(key: String, value: String) {
        var file = Self.smallCheckpoint()
        file.metadata[key] = value
        let problem = Self.problem(file)
        #expect(problem.hasPrefix("checkpoint has \"\(key)\""), "\(problem)")
        #expect(!problem.contains("\n"))
    }

    @Test(arguments: [("3", "0.5", "checkpoint has \"best_epoch\": \"3\" in its metadata, expected an epoch the run completed (1–1)"),
                      ("1", "inf", "checkpoint has \"best_validation_loss\": \"inf\" in its metadata, expected a finite loss ≥ 0"),
                      ("1", nil, "checkpoint has no \"best_validation_loss\" in its metadata")])
    func theBestEpochIsChecked(epoch: String, loss: String?, expected: String) {
        var file = Self.smallCheckpoint()
        file.metadata["best_epoch"] = epoch
        file.metadata["best_validation_loss"] = loss
        #expect(Self.problem(file).hasPrefix(expected), "\(Self.problem(file))")
    }

    @Test func aFailedWriteLeavesNothingBehind() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let network = Network(ModelConfiguration(kind: .single, inputs: 4), seed: 1)
        let checkpoint = Checkpoint(
            network: network, optimizer: Optimizer(learningRate: 1, momentum: 0, parameterCount: network.parameterCount),
            configuration: TrainingConfiguration(model: network.configuration, epochs: 1, batchSize: 1, learningRate: 1, momentum: 0, seed: 1),
            position: TrainingPosition(epochsCompleted: 1), ranks: 1)
        let target = files.directory.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: target.appendingPathComponent("inside"), withIntermediateDirectories: true)
        #expect(throws: CheckpointError.self) { try checkpoint.write(to: target) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: files.directory.path) == ["taken"])
    }
}
