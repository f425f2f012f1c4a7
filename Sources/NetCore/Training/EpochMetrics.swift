/// One line of a metrics file: what one model measured after one epoch.
///
/// The trainer writes these as JSON lines (one object per line, one line per epoch); the schema is
/// documented in `docs/metrics-schema.md`. Accuracies are fractions in [0, 1].
public struct EpochMetrics: Codable, Equatable, Sendable {
    /// `epoch`: what the line is (step lines, `StepMetrics`, have `step`).
    public var event: String? = "epoch"
    /// The model: `single` (one sigmoid neuron), `hidden` (one hidden layer, one sigmoid output)
    /// or `multiclass` (softmax over the ten digits).
    public var model: String
    /// The epoch this line describes, counted from 1.
    public var epoch: Int
    /// The number of epochs the run was asked to train.
    public var epochs: Int
    /// Mean loss over the training set during this epoch.
    public var trainLoss: Double
    /// Mean loss over the test set after this epoch.
    public var testLoss: Double
    /// Fraction of training images classified correctly.
    public var trainAccuracy: Double
    /// Fraction of test images classified correctly.
    public var testAccuracy: Double
    /// Mean loss over the validation images after this epoch (with `--validation`).
    public var validationLoss: Double?
    /// Fraction of the validation images classified correctly (with `--validation`).
    public var validationAccuracy: Double?
    /// Wall-clock seconds this epoch took.
    public var seconds: Double
    /// Training throughput of this epoch, in images per second over all ranks.
    public var samplesPerSecond: Double?
    /// Number of MPI ranks.
    public var ranks: Int?
    /// Number of threads per rank.
    public var threads: Int?
    /// Seed of the weights and the sampler.
    public var seed: UInt64?
    /// Global minibatch size.
    public var batchSize: Int?
    /// SGD learning rate.
    public var learningRate: Double?
    /// SGD momentum.
    public var momentum: Double?
    /// Width of the hidden layer of a model with exactly one, else `nil` (see `layerWidths`).
    public var hidden: Int?
    /// The hidden activations in a few letters (`relu`, or `relu,tanh` when they differ), `nil`
    /// without a hidden layer.
    public var activation: String?
    /// Each hidden layer's activation, input side first, e.g. `["relu", "tanh"]`.
    public var activations: [String]?
    /// The digit a binary model detects ("is it a `digit`?"), `nil` for multiclass.
    public var digit: Int?
    /// Widths of the layers from input to output, e.g. `[784, 256, 128, 10]`.
    public var layerWidths: [Int]?
    /// With `--class-names`: each class's name, in label order.
    public var classNames: [String]?
    /// The data set's name (e.g. `MNIST`, `Fashion-MNIST`), from its folder; `nil` in older files.
    public var dataSet: String?
    /// Multiclass only: fraction of test images of each digit 0…9 classified correctly.
    public var perClassAccuracy: [Double]?
    /// Multiclass only: `confusion[true digit][predicted digit]` counts over the test set.
    public var confusion: [[Int]]?
    /// Binary models only: fraction of test images of each digit 0…9 the detector classifies correctly.
    public var digitAccuracy: [Double]?
    /// Binary models only: the detector's true/false positives and negatives on the test set.
    public var binaryConfusion: BinaryConfusion?
    /// Training images held out as the validation set (0: none).
    public var validation: Int?
    /// The learning-rate schedule: `constant` or `cosine`.
    public var schedule: String?
    /// The optimizer: `sgd`, `adam` or `adamw` (absent in lines written before it was recorded: `sgd`).
    public var optimizer: String?
    /// The weight decay λ (0: none).
    public var weightDecay: Double?
    /// Each hidden layer's dropout rate (or one for all); absent without dropout.
    public var dropout: [Double]?
    /// The input pixels' dropout rate (`--input-dropout`); absent without it.
    public var inputDropout: Double?
    /// How training images were distorted, `shift` or `elastic`; absent without augmentation.
    public var augment: String?
    /// Epochs of learning-rate warm-up; absent without.
    public var warmup: Int?
    /// How images reached the first layer: `sparse` or `dense`.
    public var input: String?
    /// How gradients travelled between ranks: `fp32` or `bf16`.
    public var allreducePrecision: String?
    /// How gradients were summed over the minibatch: `float`, or `exact` (`--reproducible`).
    public var summation: String?
    /// How the dense layers' products were taken: `fp32`, or `bf16` (`--precision`).
    public var precision: String?
    /// Identifies the run: the same in every line it wrote, different in every other run.
    public var runId: String?
    /// When the line was written: UTC, ISO 8601 with milliseconds.
    public var time: String?
    /// The mpitrain that wrote the line (`mpitrain --version`).
    public var version: String?
    /// With `--profile`: seconds per phase of this epoch ("forward", "backward", "allreduce",
    /// "allreduce_wait", "update", "evaluation", "data"), as min/mean/max over the ranks.
    public var profile: [String: PhaseSpread]?

    enum CodingKeys: String, CodingKey {
        case model, epoch, epochs, seconds, ranks, threads, seed, momentum, hidden, activation, activations, digit
        case event, confusion, validation, schedule, input, time, version, optimizer, dropout, augment, summation, precision
        case weightDecay = "weight_decay"
        case warmup = "lr_warmup"
        case inputDropout = "input_dropout"
        case runId = "run_id"
        case allreducePrecision = "allreduce_precision"
        case validationLoss = "validation_loss"
        case validationAccuracy = "validation_accuracy"
        case trainLoss = "train_loss"
        case testLoss = "test_loss"
        case trainAccuracy = "train_accuracy"
        case testAccuracy = "test_accuracy"
        case samplesPerSecond = "samples_per_second"
        case batchSize = "batch_size"
        case learningRate = "learning_rate"
        case layerWidths = "layer_widths"
        case classNames = "class_names"
        case dataSet = "data_set"
        case perClassAccuracy = "per_class_accuracy"
        case digitAccuracy = "digit_accuracy"
        case binaryConfusion = "binary_confusion"
        case profile
    }

    /// A record from its fields; the optional ones default to absent.
    public init(
        model: String,
        epoch: Int,
        epochs: Int,
        trainLoss: Double,
        testLoss: Double,
        trainAccuracy: Double,
        testAccuracy: Double,
        seconds: Double,
        samplesPerSecond: Double? = nil,
        ranks: Int? = nil,
        threads: Int? = nil,
        seed: UInt64? = nil,
        batchSize: Int? = nil,
        learningRate: Double? = nil,
        momentum: Double? = nil,
        hidden: Int? = nil,
        activation: String? = nil,
        activations: [String]? = nil,
        digit: Int? = nil,
        layerWidths: [Int]? = nil,
        classNames: [String]? = nil,
        perClassAccuracy: [Double]? = nil,
        confusion: [[Int]]? = nil,
        digitAccuracy: [Double]? = nil,
        profile: [String: PhaseSpread]? = nil
    ) {
        self.model = model
        self.epoch = epoch
        self.epochs = epochs
        self.trainLoss = trainLoss
        self.testLoss = testLoss
        self.trainAccuracy = trainAccuracy
        self.testAccuracy = testAccuracy
        self.seconds = seconds
        self.samplesPerSecond = samplesPerSecond
        self.ranks = ranks
        self.threads = threads
        self.seed = seed
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.momentum = momentum
        self.hidden = hidden
        self.activation = activation
        self.activations = activations
        self.digit = digit
        self.layerWidths = layerWidths
        self.classNames = classNames
        self.perClassAccuracy = perClassAccuracy
        self.confusion = confusion
        self.digitAccuracy = digitAccuracy
        self.profile = profile
    }
}

extension EpochMetrics {
    /// The record of `epoch` of a run of `configuration`.
    /// `validation` is the evaluation on the held-out images, when the run has them; `input` the
    /// form in which images reached the first layer.
    public init(configuration: TrainingConfiguration, epoch: Int, training: Trainer.EpochResult,
                test: Evaluation, validation: Evaluation? = nil, seconds: Double, ranks: Int, threads: Int,
                input: InputForm? = nil, profile: [String: PhaseSpread]? = nil) {
        let model = configuration.model
        self.init(
            model: model.kind.rawValue, epoch: epoch, epochs: configuration.epochs,
            trainLoss: training.loss, testLoss: test.loss,
            trainAccuracy: training.accuracy, testAccuracy: test.accuracy,
            seconds: seconds, samplesPerSecond: Double(training.examples) / seconds,
            ranks: ranks, threads: threads, seed: configuration.seed, batchSize: configuration.batchSize,
            learningRate: shortestDecimal(configuration.learningRate(epoch: epoch)),
            momentum: shortestDecimal(configuration.momentum),
            hidden: model.hidden.count == 1 ? model.hidden[0] : nil,
            activation: model.hasHiddenLayer ? model.activationNames : nil,
            activations: model.hasHiddenLayer ? model.activations.map(\.rawValue) : nil,
            digit: model.isBinary ? model.digit : nil, layerWidths: model.layerWidths,
            perClassAccuracy: model.isBinary ? nil : test.digitAccuracy,
            confusion: model.isBinary ? nil : test.confusion,
            digitAccuracy: model.isBinary ? test.digitAccuracy : nil, profile: profile)
        binaryConfusion = BinaryConfusion(test)
        self.validation = configuration.validation
        validationLoss = validation?.loss
        validationAccuracy = validation?.accuracy
        schedule = configuration.schedule.rawValue
        self.input = input?.rawValue
        optimizer = configuration.optimizer.rawValue
        weightDecay = shortestDecimal(configuration.weightDecay)
        dropout = configuration.dropout.isEmpty ? nil : configuration.dropout.map(shortestDecimal)
        inputDropout = configuration.inputDropout > 0 ? shortestDecimal(configuration.inputDropout) : nil
        augment = configuration.augmentation?.rawValue
        warmup = configuration.warmup > 0 ? configuration.warmup : nil
    }
}

/// The Double with the same shortest decimal form as `value` (0.1 rather than 0.10000000149011612),
/// so settings given as Floats read in the metrics as they were typed.
func shortestDecimal(_ value: Float) -> Double {
    Double(value.description) ?? Double(value)
}
