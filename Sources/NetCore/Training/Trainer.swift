import Foundation
import Parallel

/// Data-parallel minibatch SGD on one rank: the same code whether the job has 1 rank or many.
///
/// Each step, every rank takes its part of the global minibatch (see `BatchPlan`), runs forward
/// and backward, and the model's one gradient buffer (gradients, loss sum and correct count) is
/// summed over the ranks with a single allreduce; then every rank applies the same update, so
/// the parameters, broadcast from rank 0 at the start, stay identical everywhere.
public final class Trainer {
    public let configuration: TrainingConfiguration
    public let network: Network
    public let communicator: Communicator
    public let data: MNIST
    public internal(set) var optimizer: SGD
    /// How far training has come; `restore(_:)` sets it from a checkpoint.
    public internal(set) var position = TrainingPosition(epochsCompleted: 0)
    /// Asked once per step on each rank; when it returns true on any rank, every rank finishes that
    /// step and `trainEpoch` throws `TrainingInterrupted`.
    public var stopRequested: () -> Bool = { false }
    private let plan: BatchPlan
    /// The rank's part of the current minibatch, gathered contiguously. [maxPart, pixelsPerImage]
    private var batchImages: [Float]
    /// Labels of `batchImages`. [maxPart]
    private var batchLabels: [UInt8]

    /// Builds the network from `configuration.seed` and makes every rank start from rank 0's parameters.
    public init(configuration: TrainingConfiguration, data: MNIST, communicator: Communicator, threads: Int) throws {
        self.configuration = configuration
        self.data = data
        self.communicator = communicator
        network = Network(configuration.model, seed: configuration.seed)
        network.threads = threads
        optimizer = SGD(learningRate: configuration.learningRate, momentum: configuration.momentum,
                        parameterCount: network.parameterCount)
        plan = BatchPlan(examples: data.train.count, batchSize: configuration.batchSize, ranks: communicator.size)
        let maxPart = (configuration.batchSize + communicator.size - 1) / communicator.size
        batchImages = [Float](repeating: 0, count: maxPart * data.train.pixelsPerImage)
        batchLabels = [UInt8](repeating: 0, count: maxPart)
        try communicator.broadcast(network.parameters)
    }

    // MARK: - Training

    /// What one epoch of training saw, summed over all ranks.
    public struct EpochResult: Sendable {
        /// Mean loss over the epoch's minibatches, each computed before its update.
        public var loss: Double
        /// Fraction of training examples predicted correctly before their update.
        public var accuracy: Double
        public var examples: Int
    }

    /// Runs one epoch (1-based `epoch` picks the shuffled order) and returns its training loss and
    /// accuracy; continues from `position` when it is inside this epoch (a resumed run).
    /// Throws `TrainingError.diverged` at the first step whose loss is not finite (before its update)
    /// and `TrainingInterrupted` after a step in which a rank's `stopRequested` returned true.
    public func trainEpoch(_ epoch: Int) throws -> EpochResult {
        let order = SeededRandom.epochOrder(count: data.train.count, seed: configuration.seed, epoch: epoch)
        let statistics = network.parameterCount
        if position.epoch != epoch { position = TrainingPosition(epochsCompleted: epoch - 1) }
        for step in position.stepsCompleted..<plan.steps {
            let part = plan.part(step, rank: communicator.rank)
            gather(order[part])
            batchImages.withUnsafeBufferPointer { images in
                batchLabels.withUnsafeBufferPointer { labels in
                    network.computeGradients(images: images.baseAddress!, labels: labels.baseAddress!, count: part.count)
                }
            }
            let gradients = network.gradientBuffer
            gradients[statistics + 2] = stopRequested() ? 1 : 0
            try communicator.allreduceSum(gradients)
            guard gradients[statistics].isFinite else {
                throw TrainingError.diverged(epoch: epoch, step: step + 1, learningRate: configuration.learningRate)
            }
            optimizer.update(parameters: network.parameters, gradientSum: UnsafeBufferPointer(gradients),
                             examples: plan.batch(step).count)
            position.advance(loss: Double(gradients[statistics]), correct: Double(gradients[statistics + 1]))
            if gradients[statistics + 2] > 0 { throw TrainingInterrupted(position: position) }
        }
        let examples = data.train.count
        let result = EpochResult(loss: position.lossSum / Double(examples), accuracy: position.correct / Double(examples),
                                 examples: examples)
        position = TrainingPosition(epochsCompleted: epoch)
        return result
    }

    /// Steps (global minibatches) per epoch.
    public var stepsPerEpoch: Int { plan.steps }

    /// Copies the images and labels at `positions` of the training set into the batch buffers.
    private func gather(_ positions: ArraySlice<Int32>) {
        let width = data.train.pixelsPerImage
        data.train.pixels.withUnsafeBufferPointer { pixels in
            batchImages.withUnsafeMutableBufferPointer { batch in
                for (row, index) in positions.enumerated() {
                    let source = pixels.baseAddress! + Int(index) * width
                    (batch.baseAddress! + row * width).update(from: source, count: width)
                    batchLabels[row] = data.train.labels[Int(index)]
                }
            }
        }
    }

    // MARK: - Evaluation

    /// Evaluates the model on `set` across the ranks: each rank takes a contiguous share, and the
    /// loss sum and confusion counts are summed with one allreduce. Every rank gets the result.
    public func evaluate(on set: LabeledImages) throws -> Evaluation {
        var evaluation = Evaluation(model: configuration.model)
        let share = BatchPlan(examples: set.count, batchSize: set.count, ranks: communicator.size)
            .part(0, rank: communicator.rank)
        let chunk = 1000
        var predictions = [UInt8](repeating: 0, count: chunk)
        set.pixels.withUnsafeBufferPointer { pixels in
            set.labels.withUnsafeBufferPointer { labels in
                predictions.withUnsafeMutableBufferPointer { predicted in
                    for start in stride(from: share.lowerBound, to: share.upperBound, by: chunk) {
                        let count = min(chunk, share.upperBound - start)
                        evaluation.lossSum += network.evaluate(
                            images: pixels.baseAddress! + start * set.pixelsPerImage,
                            labels: labels.baseAddress! + start, count: count,
                            predictions: predicted.baseAddress!)
                        for i in 0..<count { evaluation.record(label: labels[start + i], predicted: predicted[i]) }
                    }
                }
            }
        }
        var totals = evaluation.flattened
        try communicator.allreduceSum(&totals)
        evaluation.unflatten(totals)
        return evaluation
    }

    // MARK: - Synchronisation check

    /// Compares a checksum of the parameters across ranks; throws if any rank's parameters differ.
    public func checkParametersInSync() throws {
        guard communicator.size > 1 else { return }
        let checksum = ParameterChecksum(network.parameters)
        var low = checksum.halves, high = checksum.halves
        try communicator.allreduceMin(&low)
        try communicator.allreduceMax(&high)
        if low != high { throw TrainingError.parametersOutOfSync(rank: communicator.rank) }
    }
}
