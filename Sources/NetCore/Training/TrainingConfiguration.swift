/// Everything that determines a training run, identical on every rank.
public struct TrainingConfiguration: Sendable, Equatable, Codable {
    /// The network to train.
    public var model: ModelConfiguration
    /// Passes over the 60,000 training images.
    public var epochs: Int
    /// The global minibatch: split over the ranks, so it is the same for `-np 1` and `-np 4`.
    public var batchSize: Int
    /// SGD step size.
    public var learningRate: Float
    /// Heavy-ball momentum (0 = plain SGD).
    public var momentum: Float
    /// Seeds the initial weights and each epoch's order.
    public var seed: UInt64

    public init(model: ModelConfiguration, epochs: Int, batchSize: Int, learningRate: Float,
                momentum: Float, seed: UInt64) {
        self.model = model
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.momentum = momentum
        self.seed = seed
    }
}
