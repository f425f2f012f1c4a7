import Foundation

/// Everything that determines a training run, identical on every rank.
public struct TrainingConfiguration: Sendable, Equatable, Codable {
    /// The network to train.
    public var model: ModelConfiguration
    /// Passes over the 60,000 training images.
    public var epochs: Int
    /// The global minibatch: split over the ranks, so it is the same for `-np 1` and `-np 4`.
    public var batchSize: Int
    /// SGD step size (at the first epoch, when a schedule lowers it).
    public var learningRate: Float
    /// How the step size changes over the epochs.
    public var schedule: LearningRateSchedule
    /// Heavy-ball momentum (0 = plain SGD).
    public var momentum: Float
    /// Seeds the initial weights, each epoch's order and the choice of the validation images.
    public var seed: UInt64
    /// Training images held out as the validation set (0: none); see `MNIST.holdingOut(_:seed:)`.
    public var validation: Int

    public init(model: ModelConfiguration, epochs: Int, batchSize: Int, learningRate: Float,
                schedule: LearningRateSchedule = .constant, momentum: Float, seed: UInt64, validation: Int = 0) {
        self.model = model
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.schedule = schedule
        self.momentum = momentum
        self.seed = seed
        self.validation = validation
    }

    enum CodingKeys: String, CodingKey {
        case model, epochs, batchSize, learningRate, schedule, momentum, seed, validation
    }

    /// Decodes a configuration; one written before validation sets existed has none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(ModelConfiguration.self, forKey: .model)
        epochs = try container.decode(Int.self, forKey: .epochs)
        batchSize = try container.decode(Int.self, forKey: .batchSize)
        learningRate = try container.decode(Float.self, forKey: .learningRate)
        schedule = try container.decode(LearningRateSchedule.self, forKey: .schedule)
        momentum = try container.decode(Float.self, forKey: .momentum)
        seed = try container.decode(UInt64.self, forKey: .seed)
        validation = try container.decodeIfPresent(Int.self, forKey: .validation) ?? 0
    }

    /// The step size used throughout epoch `epoch` (1-based).
    public func learningRate(epoch: Int) -> Float {
        switch schedule {
        case .constant:
            return learningRate
        case .cosine:
            let progress = Double(epoch - 1) / Double(max(epochs, 1))
            return Float(Double(learningRate) * 0.5 * (1 + cos(Double.pi * progress)))
        }
    }
}

/// How the learning rate changes from epoch to epoch.
public enum LearningRateSchedule: String, CaseIterable, Codable, Sendable {
    /// The same step size in every epoch.
    case constant
    /// Cosine annealing: η·½(1 + cos(π·(epoch − 1)/epochs)), from η in the first epoch towards 0 in the last.
    case cosine
}
