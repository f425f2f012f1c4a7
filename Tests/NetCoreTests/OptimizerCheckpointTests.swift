import Foundation
import NetCore
import Testing

/// The optimizer's state in checkpoints: Adam's moments and step count round-trip; checkpoints
/// written before version 3 (SGD only) still read; switching optimizers on resuming starts the
/// new one's state at zero.
@Suite struct OptimizerCheckpointTests {
    static let model = ModelConfiguration(kind: .multiclass, inputs: 12, hidden: [5, 4], activations: [.relu])

    private func adamCheckpoint() -> (Checkpoint, Network, Optimizer) {
        var configuration = TrainingConfiguration(model: Self.model, epochs: 4, batchSize: 8, learningRate: 0.01, momentum: 0, seed: 9)
        configuration.optimizer = .adamw
        configuration.weightDecay = 0.01
        configuration.dropout = [0.5, 0.2]
        configuration.augmentation = .shift
        configuration.warmup = 1
        let network = Network(Self.model, seed: 9)
        var optimizer = Optimizer(configuration, parameterCount: network.parameterCount)
        let gradients = uniformValues(network.parameterCount + Network.statisticsSlots, seed: 5)
        for _ in 0..<3 {
            gradients.withUnsafeBufferPointer { optimizer.update(parameters: network.parameters, gradientSum: $0, examples: 8) }
        }
        let checkpoint = Checkpoint(network: network, optimizer: optimizer, configuration: configuration,
                                    position: TrainingPosition(epochsCompleted: 1, stepsCompleted: 2), ranks: 3)
        return (checkpoint, network, optimizer)
    }

    @Test func adamsMomentsAndStepsRoundTrip() throws {
        let (checkpoint, network, optimizer) = adamCheckpoint()
        let file = checkpoint.safeTensors
        #expect(file.metadata["optimizer_steps"] == "3" && file.metadata["format_version"] == "3")
        #expect(file.tensors.keys.contains("exp_avg.dense2.weights") && file.tensors.keys.contains("exp_avg_sq.dense3.bias"))
        #expect(file.tensors.count == 6 * 3)
        let read = try Checkpoint(SafeTensors(decoding: file.encoded()))
        #expect(read == checkpoint)
        #expect(read.configuration.optimizer == .adamw && read.configuration.dropout == [0.5, 0.2]
                && read.configuration.augmentation == .shift && read.configuration.warmup == 1)
        let other = Network(Self.model, seed: 1)
        var restored = Optimizer(read.configuration, parameterCount: other.parameterCount)
        try read.restore(into: other, optimizer: &restored)
        #expect(Array(other.parameters) == Array(network.parameters))
        #expect(restored.firstMoment == optimizer.firstMoment && restored.secondMoment == optimizer.secondMoment)
        #expect(restored.steps == 3 && restored.firstMoment.contains { $0 != 0 })
    }

    @Test func thePyTorchExportSaysHowTheModelWasTrained() throws {
        let (checkpoint, _, _) = adamCheckpoint()
        let exported = try PyTorchExport.stateDict(checkpoint)
        #expect(exported.metadata["trained_with"]
                == "torch.optim.AdamW(lr=0.01, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01); nn.Dropout(0.5 / 0.2) after the hidden activations in turn; shift augmentation of the training images")
        #expect(exported.tensors.keys.allSatisfy { $0.hasPrefix("fc") }, "no optimizer state in the export")
    }

    @Test func aVersion2CheckpointStillReads() throws {
        let configuration = TrainingConfiguration(model: Self.model, epochs: 4, batchSize: 8, learningRate: 0.1, momentum: 0.9, seed: 9)
        let network = Network(Self.model, seed: 9)
        var optimizer = Optimizer(learningRate: 0.1, momentum: 0.9, parameterCount: network.parameterCount)
        for i in optimizer.velocity.indices { optimizer.velocity[i] = Float(i) * 0.001 }
        var file = Checkpoint(network: network, optimizer: optimizer, configuration: configuration,
                              position: TrainingPosition(epochsCompleted: 2), ranks: 1).safeTensors
        // As version 2 wrote it: no optimizer, weight decay, Adam settings, dropout or warm-up in "training".
        var training = try #require(try JSONSerialization.jsonObject(with: Data(file.metadata["training"]!.utf8)) as? [String: Any])
        for key in ["optimizer", "weightDecay", "beta1", "beta2", "epsilon", "dropout", "augmentation", "warmup"] {
            training[key] = nil
        }
        file.metadata["training"] = String(decoding: try JSONSerialization.data(withJSONObject: training), as: UTF8.self)
        file.metadata["format_version"] = "2"
        #expect(!file.metadata["training"]!.contains("optimizer"))
        let read = try Checkpoint(SafeTensors(decoding: file.encoded()))
        #expect(read.configuration == configuration)
        let other = Network(Self.model, seed: 1)
        var restored = Optimizer(read.configuration, parameterCount: other.parameterCount)
        try read.restore(into: other, optimizer: &restored)
        #expect(restored.velocity == optimizer.velocity && Array(other.parameters) == Array(network.parameters))
    }

    @Test func switchingOptimizersOnResumingStartsTheNewStateAtZero() throws {
        let (checkpoint, network, _) = adamCheckpoint()
        let other = Network(Self.model, seed: 1)
        var sgd = Optimizer(.sgd, learningRate: 0.1, momentum: 0.9, parameterCount: other.parameterCount)
        try checkpoint.restore(into: other, optimizer: &sgd)
        #expect(Array(other.parameters) == Array(network.parameters))
        #expect(sgd.velocity.count == other.parameterCount && sgd.velocity.allSatisfy { $0 == 0 } && sgd.steps == 0)
        // And back: an SGD checkpoint resumed with Adam starts its moments and step count afresh.
        let sgdCheckpoint = Checkpoint(network: other, optimizer: sgd, configuration: checkpoint.configuration,
                                       position: checkpoint.position, ranks: 1)
        var adam = Optimizer(.adam, learningRate: 0.001, parameterCount: other.parameterCount)
        adam.steps = 7
        try sgdCheckpoint.restore(into: other, optimizer: &adam)
        #expect(adam.steps == 0 && adam.firstMoment.allSatisfy { $0 == 0 } && adam.firstMoment.count == other.parameterCount)
    }
}
