import ArgumentParser
import Foundation
import NetCore

extension ModelKind: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}
extension InputForm: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension Augmentation: ExpressibleByArgument {}

/// The options that define a training run, shared by `train` and `report`.
struct TrainingOptions: ParsableArguments {
    @Option(help: "Model: single (784→1 sigmoid neuron), hidden (784→H→1) or multiclass (784→H→10 softmax); the input width and the classes come from the data.")
    var model: ModelKind = .multiclass

    @Option(name: [.customLong("digit"), .customLong("positive-class")],
            help: "The binary models' positive class: they answer \"is this a <digit>?\" (a label of the data, 0–9 for MNIST).")
    var digit: Int = 5

    @Option(help: ArgumentHelp("Hidden layer widths, input side first, e.g. 256,128 (default: 64 for hidden, 128 for multiclass; 0 = no hidden layer).",
                               valueName: "widths"),
            transform: widths)
    var hidden: [Int]?

    @Option(help: ArgumentHelp("Hidden activations, sigmoid, relu or tanh: one for all hidden layers or one per layer, e.g. relu,tanh (default: sigmoid for hidden, as in the lab; relu for multiclass).",
                               valueName: "names"),
            transform: activations)
    var activation: [Activation]?

    @Option(name: .customLong("batch-size"), help: "Global minibatch size, split across the ranks.")
    var batchSize: Int = 64

    @OptionGroup var length: RunLengthOptions

    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Learning rate (default: 0.1; 0.5 for multiclass; 0.001 for adam and adamw, as in PyTorch).",
            transform: { try number($0, example: "0.1") })
    var learningRate: Float?

    @Option(name: .customLong("lr-schedule"), help: "Learning-rate schedule: constant, or cosine (annealed towards 0 over the epochs).")
    var schedule: LearningRateSchedule = .constant

    @Option(parsing: .unconditional, help: "Momentum (default: 0, plain SGD).",
            transform: { try number($0, example: "0.9") })
    var momentum: Float?

    @Option(help: "Optimizer: sgd (with --momentum), adam, or adamw (Adam with decoupled weight decay), as in torch.optim.")
    var optimizer: OptimizerKind = .sgd

    @Option(name: .customLong("weight-decay"), parsing: .unconditional,
            help: ArgumentHelp("Weight decay λ on every parameter: L2 added to the gradient for sgd and adam, decoupled for adamw (default: 0; 0.01 for adamw, as in PyTorch).",
                               valueName: "λ"),
            transform: { try number($0, example: "0.0005") })
    var weightDecay: Float?

    @Option(parsing: .unconditional, help: "Adam's β₁, the first moment's decay rate (PyTorch's default).",
            transform: { try number($0, example: "0.9") })
    var beta1: Float = 0.9

    @Option(parsing: .unconditional, help: "Adam's β₂, the second moment's decay rate (PyTorch's default).",
            transform: { try number($0, example: "0.999") })
    var beta2: Float = 0.999

    @Option(parsing: .unconditional, help: "Adam's ε, added to the root of the second moment (PyTorch's default).",
            transform: { try number($0, example: "1e-8") })
    var epsilon: Float = 1e-8

    @Option(name: .customLong("lr-warmup"), parsing: .unconditional,
            help: ArgumentHelp("Raise the learning rate linearly over the first N epochs (epoch e of N: lr·e/(N+1)), then follow --lr-schedule over the rest.",
                               valueName: "N"))
    var warmup: Int = 0

    @Option(help: ArgumentHelp("Dropout rate of the hidden layers' outputs in training, one for all or one per hidden layer, e.g. 0.5 or 0.2,0.5 (inverted dropout; none in evaluation).",
                               valueName: "p[,p…]"),
            transform: dropoutRates)
    var dropout: [Float] = []

    @Option(name: .customLong("input-dropout"), parsing: .unconditional,
            help: ArgumentHelp("Dropout rate of the input pixels in training, e.g. 0.2 (inverted dropout; none in evaluation; the input is then read dense).",
                               valueName: "p"),
            transform: { try number($0, example: "0.2") })
    var inputDropout: Float = 0

    @Option(help: "Distort each training image afresh every epoch (from the seed, the epoch and the example): shift (±2 px) or elastic (Simard et al. 2003). Off by default; test images are never distorted.")
    var augment: Augmentation?

    @Option(name: .customLong("input"),
            help: "How images reach the first layer: sparse skips the zero pixels, dense copies each batch for GEMM (auto: sparse when under 30 % of the pixels are non-zero, as in MNIST).")
    var inputForm: InputForm = .auto

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Hold out N training images as a validation set (a stratified choice by --seed, the same on every rank), never trained on; each epoch reports its loss and accuracy.",
                               valueName: "N"))
    var validation: Int = 0

    @OptionGroup var compute: ComputeOptions

    @Option(name: .customLong("class-names"),
            help: ArgumentHelp("A file with one name per class, in label order (e.g. Fashion-MNIST's T-shirt/top, Trouser, …), for the tables and figures.",
                               valueName: "file"),
            completion: .file())
    var classNames: String?

    mutating func validate() throws {
        guard (0..<ModelConfiguration.maximumClasses).contains(digit) else {
            throw ValidationError("--digit \(digit) is not a class; use a label of the data (0–9 for MNIST)")
        }
        if model == .hidden, hidden == [] {
            throw ValidationError("--hidden 0 leaves the hidden model without its hidden layer; use --model single, or --hidden ≥ 1")
        }
        if let activation, activation.count > 1, activation.count != hiddenWidths.count {
            throw ValidationError("--activation names \(activation.count) activations for \(hiddenWidths.count) hidden layers; give one per hidden layer, or one for all")
        }
        guard validation >= 0 else { throw ValidationError("--validation \(validation) must be 0 (none) or a number of training images, e.g. 5000") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size \(batchSize) must be at least 1") }
        if let learningRate, !(learningRate > 0 && learningRate.isFinite) {
            throw ValidationError("--lr \(learningRate) must be a positive number, e.g. 0.1")
        }
        if let momentum, !(momentum >= 0 && momentum < 1) {
            throw ValidationError("--momentum \(momentum) must be in [0, 1), e.g. 0.9")
        }
        if let momentum, momentum != 0, optimizer != .sgd {
            throw ValidationError("--momentum is SGD's; \(optimizer.rawValue) keeps its own moments (set them with --beta1 and --beta2), so drop --momentum or use --optimizer sgd")
        }
        if let weightDecay, !(weightDecay >= 0) {
            throw ValidationError("--weight-decay \(weightDecay) must be 0 or more, e.g. 0.0005")
        }
        for (name, beta) in [("--beta1", beta1), ("--beta2", beta2)] where !(beta >= 0 && beta < 1) {
            throw ValidationError("\(name) \(beta) must be in [0, 1), e.g. \(name == "--beta1" ? "0.9" : "0.999")")
        }
        guard epsilon > 0 else { throw ValidationError("--epsilon \(epsilon) must be positive, e.g. 1e-8") }
        guard warmup >= 0, warmup < length.epochs else {
            throw ValidationError("--lr-warmup \(warmup) must be 0 or more and fewer than the \(length.epochs) epochs, e.g. 5")
        }
        if !dropout.isEmpty, !dropout.allSatisfy({ $0 == 0 }) {
            guard !hiddenWidths.isEmpty else {
                throw ValidationError("--dropout acts on hidden layers, and this model has none; add --hidden, or drop --dropout")
            }
            guard dropout.count == 1 || dropout.count == hiddenWidths.count else {
                throw ValidationError("--dropout gives \(dropout.count) rates for \(hiddenWidths.count) hidden layers; give one for all, or one per hidden layer")
            }
        }
        guard inputDropout >= 0, inputDropout < 1 else {
            throw ValidationError("--input-dropout \(inputDropout) must be in [0, 1), e.g. 0.2")
        }
        if inputDropout > 0, inputForm == .sparse {
            throw ValidationError("--input-dropout drops pixels batch by batch, which --input sparse cannot read; use --input dense or auto")
        }
        if augment != nil, inputForm == .sparse {
            throw ValidationError("--augment distorts the images batch by batch, which --input sparse cannot read; use --input dense or auto")
        }
    }

    /// The hidden layer widths, with each model's default filled in.
    private var hiddenWidths: [Int] { model == .single ? [] : hidden ?? [model == .multiclass ? 128 : 64] }

    /// The run these options describe, with each model's defaults filled in, for MNIST-shaped data
    /// (784 inputs, 10 classes) until `configuration(for:)` fits it to the data.
    var configuration: TrainingConfiguration {
        let modelConfiguration = ModelConfiguration(
            kind: model, hidden: hiddenWidths,
            activations: activation ?? [model == .multiclass ? .relu : .sigmoid], digit: digit)
        var configuration = TrainingConfiguration(
            model: modelConfiguration, epochs: length.epochs, batchSize: batchSize,
            learningRate: learningRate ?? (optimizer != .sgd ? 0.001 : model == .multiclass ? 0.5 : 0.1), schedule: schedule,
            momentum: momentum ?? 0, seed: length.seed, validation: validation)
        configuration.optimizer = optimizer
        configuration.weightDecay = weightDecay ?? (optimizer == .adamw ? 0.01 : 0)
        (configuration.beta1, configuration.beta2, configuration.epsilon) = (beta1, beta2, epsilon)
        configuration.dropout = dropout.allSatisfy { $0 == 0 } ? [] : dropout
        configuration.inputDropout = inputDropout
        configuration.augmentation = augment
        configuration.warmup = warmup
        return configuration
    }
}

extension TrainingOptions {
    /// Loads the data set (`--data`), holds out the validation images, and checks the rest against
    /// the run: a global batch that the ranks can split and the training set can fill.
    func loadData(for configuration: TrainingConfiguration, ranks: Int) throws -> MNIST {
        guard configuration.batchSize >= ranks else {
            throw JobError.invalid("--batch-size \(configuration.batchSize) cannot be split over \(ranks) ranks; use a batch of at least \(ranks) or fewer ranks")
        }
        let folder = MNIST.locate(option: compute.data)
        let loaded = try MNIST.load(from: folder)
        guard configuration.validation == 0 || configuration.validation <= loaded.train.count - configuration.batchSize else {
            throw JobError.invalid("--validation \(configuration.validation) leaves \(max(0, loaded.train.count - configuration.validation)) of the \(loaded.train.count) training images, fewer than one batch of \(configuration.batchSize); hold out at most \(max(0, loaded.train.count - configuration.batchSize))")
        }
        let data = loaded.holdingOut(configuration.validation, seed: configuration.seed)
        guard configuration.batchSize <= data.train.count else {
            throw JobError.invalid("--batch-size \(configuration.batchSize) is larger than the \(data.train.count) training images; use at most \(data.train.count)")
        }
        guard !configuration.model.isBinary || configuration.model.digit < data.classes else {
            throw JobError.invalid("--digit \(configuration.model.digit) is not a class of the data in \(folder.path), whose labels are 0–\(data.classes - 1); pick one of those")
        }
        return data
    }

    /// Refuses a run whose model and batch do not fit in this node's memory, before anything is
    /// allocated: each of the `ranksOnNode` ranks on the node holds the model and its part of the batch.
    static func checkMemory(_ configuration: TrainingConfiguration, ranks: Int, ranksOnNode: Int) throws {
        let model = configuration.model
        let batch = (configuration.batchSize + ranks - 1) / ranks
        let needed = model.trainingBytes(batch: batch, momentum: configuration.momentum > 0) * Double(ranksOnNode)
        let available = NodeMemory.bytes
        guard needed > available else { return }
        let parameters = Double(model.parameterCount)
        let count = parameters >= 1e9 ? String(format: "%.1f billion", parameters / 1e9)
            : parameters >= 1e6 ? String(format: "%.1f million", parameters / 1e6) : String(Int(parameters))
        let perRanks = ranksOnNode > 1 ? " for its \(ranksOnNode) ranks on this node" : ""
        throw JobError.invalid("the model \(Checkpoint.describe(model)) has \(count) parameters and needs \(NodeMemory.describe(needed)) of memory to train with a batch of \(batch) per rank\(perRanks), but this node has \(NodeMemory.describe(available)); use narrower or fewer --hidden layers, a smaller --batch-size, or fewer ranks per node")
    }

    /// The largest `--class-names` file: 256 classes of long names fit many times over.
    static let classNamesLimit = 1 << 20

    /// The names of `--class-names`, one per class of `data`; nil without the option.
    func loadClassNames(for data: MNIST) throws -> [String]? {
        guard let classNames else { return nil }
        let bytes = try InputFile.read(classNames, limit: Self.classNamesLimit, what: "--class-names \(classNames)")
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw JobError.invalid("--class-names \(classNames) is not UTF-8 text; give a text file with one name per line")
        }
        // Any line ending (\n, \r\n or \r) ends a name: "\r\n" is one Character in Swift, so splitting on "\n" would not split it.
        var names = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        while names.last?.isEmpty == true { names.removeLast() }
        guard names.count == data.classes, !names.contains(where: \.isEmpty) else {
            throw JobError.invalid("--class-names \(classNames) has \(names.count) names\(names.contains(where: \.isEmpty) ? " (some empty)" : ""), but the data has \(data.classes) classes; give one name per line, in label order")
        }
        return names
    }

    /// `configuration` fitted to `data`: its input width (the images' rows × columns) and its
    /// number of classes (the largest training label + 1).
    static func fitted(_ configuration: TrainingConfiguration, to data: MNIST) -> TrainingConfiguration {
        var fitted = configuration
        fitted.model.inputs = data.train.pixelsPerImage
        fitted.model.classes = data.classes
        return fitted
    }
}

/// `text` as layer widths: a comma-separated list of positive whole numbers ("0" or "" for none).
private func widths(_ text: String) throws -> [Int] {
    if text == "0" || text.isEmpty { return [] }
    let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard values.allSatisfy({ $0.map { (1...65_536).contains($0) } ?? false }) else {
        throw ValidationError("give the hidden layer widths as whole numbers 1–65536 separated by commas, e.g. 256,128 (or 0 for no hidden layer)")
    }
    return values.map { $0! }
}

/// `text` as activations: a comma-separated list of sigmoid, relu or tanh.
private func activations(_ text: String) throws -> [Activation] {
    let names = text.split(separator: ",", omittingEmptySubsequences: false)
    let values = names.map { Activation(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
        throw ValidationError("give sigmoid, relu or tanh, one for all hidden layers or one per layer separated by commas, e.g. relu,tanh")
    }
    return values.map { $0! }
}

/// `text` as dropout rates: a comma-separated list of numbers in [0, 1).
private func dropoutRates(_ text: String) throws -> [Float] {
    let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Float($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ $0.map { $0 >= 0 && $0 < 1 } ?? false }) else {
        throw ValidationError("give dropout rates in [0, 1), one for all hidden layers or one per layer separated by commas, e.g. 0.5 or 0.2,0.5")
    }
    return values.map { $0! }
}

/// `text` as a finite Float, or an error that says what a valid value looks like.
private func number(_ text: String, example: String) throws -> Float {
    guard let value = Float(text), value.isFinite else {
        throw ValidationError("not a number; give a decimal number such as \(example)")
    }
    return value
}
