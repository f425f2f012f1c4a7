import ArgumentParser
import Foundation
import NetCore
import Parallel

extension ModelKind: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}
extension InputForm: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}

/// The options that define a training run, shared by `train` and `report`.
struct TrainingOptions: ParsableArguments {
    @Option(help: "Model: single (784→1 sigmoid neuron), hidden (784→H→1) or multiclass (784→H→10 softmax).")
    var model: ModelKind = .multiclass

    @Option(help: "The binary models' positive digit: they answer \"is this a <digit>?\" (0–9).")
    var digit: Int = 5

    @Option(help: "Hidden units (default: 64 for hidden, 128 for multiclass; 0 = multiclass as softmax regression).")
    var hidden: Int?

    @Option(help: "Hidden activation: sigmoid, relu or tanh (default: sigmoid for hidden, as in the lab; relu for multiclass).")
    var activation: Activation?

    @Option(help: "Passes over the 60,000 training images.")
    var epochs: Int = 100

    @Option(name: .customLong("batch-size"), help: "Global minibatch size, split across the ranks.")
    var batchSize: Int = 64

    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Learning rate (default: 0.1; 0.5 for multiclass).",
            transform: { try number($0, example: "0.1") })
    var learningRate: Float?

    @Option(name: .customLong("lr-schedule"), help: "Learning-rate schedule: constant, or cosine (annealed towards 0 over the epochs).")
    var schedule: LearningRateSchedule = .constant

    @Option(parsing: .unconditional, help: "Momentum (default: 0, plain SGD).",
            transform: { try number($0, example: "0.9") })
    var momentum: Float?

    @Option(help: "Seed for the initial weights and the shuffled order of every epoch.")
    var seed: UInt64 = 1

    @Option(help: "Worker threads per rank, 1 to 32 (default: cores on this node ÷ ranks on this node).")
    var threads: Int?

    @Option(name: .customLong("input"),
            help: "How images reach the first layer: sparse skips the zero pixels, dense copies each batch for GEMM (auto: sparse when under half the pixels are non-zero).")
    var inputForm: InputForm = .auto

    @Option(help: "Folder with the four MNIST IDX files (default: $MPITRAIN_DATA, then the project's data/).")
    var data: String?

    mutating func validate() throws {
        guard (0...9).contains(digit) else {
            throw ValidationError("--digit \(digit) is not a digit; use 0–9")
        }
        if let hidden, !(0...65_536).contains(hidden) {
            throw ValidationError("--hidden \(hidden) is out of range; use 1–65536 (or 0 for multiclass without a hidden layer)")
        }
        if model == .hidden, hidden == 0 {
            throw ValidationError("--hidden 0 leaves the hidden model without its hidden layer; use --model single, or --hidden ≥ 1")
        }
        guard epochs >= 1 else { throw ValidationError("--epochs \(epochs) must be at least 1") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size \(batchSize) must be at least 1") }
        if let learningRate, !(learningRate > 0 && learningRate.isFinite) {
            throw ValidationError("--lr \(learningRate) must be a positive number, e.g. 0.1")
        }
        if let momentum, !(momentum >= 0 && momentum < 1) {
            throw ValidationError("--momentum \(momentum) must be in [0, 1), e.g. 0.9")
        }
        // A thread team splits each phase into at most ThreadTeam.maximumItems shares.
        if let threads, !(1...ThreadTeam.maximumItems).contains(threads) {
            throw ValidationError("--threads takes 1 to \(ThreadTeam.maximumItems) worker threads per rank, not \(threads)")
        }
    }

    /// The run these options describe, with each model's defaults filled in.
    var configuration: TrainingConfiguration {
        let modelConfiguration = ModelConfiguration(
            kind: model, hidden: model == .single ? 0 : hidden ?? (model == .multiclass ? 128 : 64),
            activation: activation ?? (model == .multiclass ? .relu : .sigmoid), digit: digit)
        return TrainingConfiguration(
            model: modelConfiguration, epochs: epochs, batchSize: batchSize,
            learningRate: learningRate ?? (model == .multiclass ? 0.5 : 0.1), schedule: schedule,
            momentum: momentum ?? 0, seed: seed)
    }
}

extension TrainingOptions {
    /// Loads the data set (`--data`) and checks it against the run: image size, and a global batch
    /// that the ranks can split and the training set can fill.
    func loadData(for configuration: TrainingConfiguration, ranks: Int) throws -> MNIST {
        guard configuration.batchSize >= ranks else {
            throw CLIError("--batch-size \(configuration.batchSize) cannot be split over \(ranks) ranks; use a batch of at least \(ranks) or fewer ranks")
        }
        let folder = MNIST.locate(option: data)
        let data = try MNIST.load(from: folder)
        guard data.train.pixelsPerImage == configuration.model.inputs else {
            throw CLIError("the images in \(folder.path) are \(data.train.rows)×\(data.train.columns) (\(data.train.pixelsPerImage) pixels), but the model takes \(configuration.model.inputs) inputs (28×28); use MNIST-format data of 28×28 images")
        }
        guard configuration.batchSize <= data.train.count else {
            throw CLIError("--batch-size \(configuration.batchSize) is larger than the \(data.train.count) training images; use at most \(data.train.count)")
        }
        return data
    }
}

/// `text` as a finite Float, or an error that says what a valid value looks like.
private func number(_ text: String, example: String) throws -> Float {
    guard let value = Float(text), value.isFinite else {
        throw ValidationError("not a number; give a decimal number such as \(example)")
    }
    return value
}
