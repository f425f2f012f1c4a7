/// One epoch of one run, as written to the `--metrics` JSON-lines file (one object per line,
/// keys in snake_case; see docs/metrics-schema.md).
public struct EpochMetrics: Codable, Sendable, Equatable {
    public var model: String
    public var epoch: Int
    public var epochs: Int
    public var trainLoss: Double
    public var testLoss: Double
    public var trainAccuracy: Double
    public var testAccuracy: Double
    public var seconds: Double
    public var samplesPerSecond: Double
    public var ranks: Int
    public var threads: Int
    public var seed: UInt64
    public var batchSize: Int
    public var learningRate: Double
    public var momentum: Double
    public var hidden: Int
    public var activation: String
    /// The binary models' positive digit; nil for multiclass.
    public var digit: Int?
    public var layerWidths: [Int]
    /// Multiclass only: accuracy on each digit's test images.
    public var perClassAccuracy: [Double]?
    /// Multiclass only: `confusion[true][predicted]` on the test set.
    public var confusion: [[Int]]?
    /// Binary models only: fraction of each digit's test images the detector gets right.
    public var digitAccuracy: [Double]?

    enum CodingKeys: String, CodingKey {
        case model, epoch, epochs, seconds, ranks, threads, seed, momentum, hidden, activation, digit, confusion
        case trainLoss = "train_loss", testLoss = "test_loss"
        case trainAccuracy = "train_accuracy", testAccuracy = "test_accuracy"
        case samplesPerSecond = "samples_per_second", batchSize = "batch_size", learningRate = "learning_rate"
        case layerWidths = "layer_widths", perClassAccuracy = "per_class_accuracy", digitAccuracy = "digit_accuracy"
    }
}

extension EpochMetrics {
    /// The record of `epoch` of a run of `configuration`.
    public init(configuration: TrainingConfiguration, epoch: Int, training: Trainer.EpochResult,
                test: Evaluation, seconds: Double, ranks: Int, threads: Int) {
        let model = configuration.model
        self.init(
            model: model.kind.rawValue, epoch: epoch, epochs: configuration.epochs,
            trainLoss: training.loss, testLoss: test.loss,
            trainAccuracy: training.accuracy, testAccuracy: test.accuracy,
            seconds: seconds, samplesPerSecond: Double(training.examples) / seconds,
            ranks: ranks, threads: threads, seed: configuration.seed, batchSize: configuration.batchSize,
            learningRate: Double(configuration.learningRate), momentum: Double(configuration.momentum),
            hidden: model.hidden, activation: model.activation.rawValue,
            digit: model.isBinary ? model.digit : nil, layerWidths: model.layerWidths,
            perClassAccuracy: model.isBinary ? nil : test.digitAccuracy,
            confusion: model.isBinary ? nil : test.confusion,
            digitAccuracy: model.isBinary ? test.digitAccuracy : nil)
    }
}
