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
    /// The update rule (default SGD).
    public var optimizer: OptimizerKind = .sgd
    /// Weight decay λ: L2 for sgd and adam, decoupled for adamw (see `Optimizer`).
    public var weightDecay: Float = 0
    /// Adam's β₁, β₂ and ε (PyTorch's defaults).
    public var beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
    /// Dropout rate of each hidden layer's outputs, input side first (empty: none); see `Dropout`.
    public var dropout: [Float] = []
    /// Dropout rate of the input pixels (0: none); see `Dropout.dropInputs`.
    public var inputDropout: Float = 0
    /// How training images are distorted as they are gathered (nil: not at all).
    public var augmentation: Augmentation?
    /// Epochs over which the learning rate rises linearly to `learningRate` before the schedule starts.
    public var warmup: Int = 0

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
        case optimizer, weightDecay, beta1, beta2, epsilon, dropout, inputDropout, augmentation, warmup
    }

    /// Decodes a configuration; one written before validation sets existed has none, one written
    /// before the optimizers, dropout, augmentation and warm-up existed trained with plain SGD
    /// (with its momentum), none of these, and no warm-up; one written before input dropout, without it.
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
        optimizer = try container.decodeIfPresent(OptimizerKind.self, forKey: .optimizer) ?? .sgd
        weightDecay = try container.decodeIfPresent(Float.self, forKey: .weightDecay) ?? 0
        beta1 = try container.decodeIfPresent(Float.self, forKey: .beta1) ?? 0.9
        beta2 = try container.decodeIfPresent(Float.self, forKey: .beta2) ?? 0.999
        epsilon = try container.decodeIfPresent(Float.self, forKey: .epsilon) ?? 1e-8
        dropout = try container.decodeIfPresent([Float].self, forKey: .dropout) ?? []
        inputDropout = try container.decodeIfPresent(Float.self, forKey: .inputDropout) ?? 0
        augmentation = try container.decodeIfPresent(Augmentation.self, forKey: .augmentation)
        warmup = try container.decodeIfPresent(Int.self, forKey: .warmup) ?? 0
    }

    /// The step size used throughout epoch `epoch` (1-based): during the `warmup` epochs
    /// η·epoch/(warmup + 1), rising towards η; then the schedule over the epochs after them.
    public func learningRate(epoch: Int) -> Float {
        if epoch <= warmup { return Float(Double(learningRate) * Double(epoch) / Double(warmup + 1)) }
        switch schedule {
        case .constant:
            return learningRate
        case .cosine:
            let progress = Double(epoch - 1 - warmup) / Double(max(epochs - warmup, 1))
            return Float(Double(learningRate) * 0.5 * (1 + cos(Double.pi * progress)))
        }
    }

    /// The dropout rate of hidden layer `layer` (0-based): 0 without dropout, the one rate given
    /// for all layers, or the layer's own.
    public func dropoutRate(ofLayer layer: Int) -> Float {
        dropout.count == 1 ? dropout[0] : dropout.indices.contains(layer) ? dropout[layer] : 0
    }
}

/// How the learning rate changes from epoch to epoch.
public enum LearningRateSchedule: String, CaseIterable, Codable, Sendable {
    /// The same step size in every epoch.
    case constant
    /// Cosine annealing: η·½(1 + cos(π·(epoch − 1)/epochs)), from η in the first epoch towards 0 in the last.
    case cosine
}
