import Foundation
import Parallel

/// Data-parallel minibatch SGD on one rank: the same code whether the job has 1 rank or many.
///
/// Each step, every rank takes its part of the global minibatch (see `BatchPlan`), runs forward
/// and backward, and the model's one gradient buffer (gradients, loss sum and correct count) is
/// summed over the ranks with a single allreduce; then every rank applies the same update, so
/// the parameters, broadcast from rank 0 at the start, stay identical everywhere. How the buffer
/// is summed is `summation`'s: in floats in one pass over the part, or exactly, one pass per
/// fixed chunk (`GradientSum`), so that any number of ranks gives the same bits.
public final class Trainer {
    public let configuration: TrainingConfiguration
    public let network: Network
    public let communicator: any Collectives
    public internal(set) var optimizer: Optimizer
    /// How far training has come; `restore(_:)` sets it from a checkpoint.
    public internal(set) var position = TrainingPosition(epochsCompleted: 0)
    /// Asked once per step on each rank; when it returns true on any rank, every rank finishes that
    /// step and `trainEpoch` throws `TrainingError.interrupted`.
    public var stopRequested: () -> Bool = { false }
    private let plan: BatchPlan
    /// How gradients are summed over the minibatch.
    public let summation: Summation
    private let gradientSum: any GradientSum
    /// The training, test and validation images in the form the first layer reads.
    let train: PreparedImages, test: PreparedImages, validation: PreparedImages?
    /// How the update shares the parameters out over the threads (`Network.updateShares`).
    private let updateShares: [[Range<Int>]]
    /// Labels of the examples of the current pass. [largest pass]
    var batchLabels: [UInt8]
    /// Time per phase on this rank since the last `resetTimes()`.
    public internal(set) var times = PhaseTimes()
    /// Measure the wait for the slowest rank apart from the allreduce (adds a barrier per step).
    public var separatesAllreduceWait = false

    /// The form in which images reach the first layer (dense or sparse, never `.auto`).
    public var inputForm: InputForm { train.form }

    /// Builds the network from `configuration.seed` and makes every rank start from rank 0's parameters.
    /// `inputForm` picks how images reach the first layer (the results agree up to float summation order).
    /// `summation` picks how gradients are summed over the minibatch (`.exact`: the same bits on any
    /// number of ranks and threads). `precision` is that of the dense layers' products (`.bf16`:
    /// bfloat16 factors, float sums; needs `ProductPrecision.bf16Usable`).
    /// `data` is handed over set by set: a set read sparse keeps only its compressed rows, and when
    /// the caller hands over the only copy (`consume`), each set's pixels are freed before the next
    /// set is prepared, which keeps the peak memory of a run low.
    public init(configuration: TrainingConfiguration, data: consuming MNIST, communicator: any Collectives, threads: Int,
                inputForm: InputForm = .auto, summation: Summation = .float, precision: ProductPrecision = .fp32) throws {
        self.configuration = configuration
        self.communicator = communicator
        self.summation = summation
        plan = BatchPlan(examples: data.train.count, batchSize: configuration.batchSize, ranks: communicator.size,
                         chunk: summation.chunk ?? 1)
        let largestPass = min(plan.largestPart, summation.chunk ?? .max)
        network = Network(configuration.model, seed: configuration.seed, batch: largestPass, precision: precision,
                          gradientStorage: try communicator.gradientStorage(
                              count: configuration.model.parameterCount + Network.statisticsSlots))
        gradientSum = switch summation {
        case .float: FloatGradientSum(buffer: network.gradientBuffer)
        case .exact: ExactGradientSum(parameterCount: network.parameterCount, largestPart: plan.largestPart)
        }
        network.threads = threads
        network.dropout = Dropout(configuration)
        optimizer = Optimizer(configuration, parameterCount: network.parameterCount)
        let (trainingSet, testSet, validationSet) = (data.train, data.test, data.validation)
        _ = consume data
        train = PreparedImages(consume trainingSet, form: inputForm, partitions: network.inputPartitions, threads: network.threads,
                               augmentation: configuration.augmentation, inputDropout: configuration.inputDropout,
                               seed: configuration.seed)
        let form = train.form
        updateShares = network.updateShares(firstLayerRows: train.memberColumns)
        test = PreparedImages(consume testSet, form: form)
        validation = validationSet.map { PreparedImages($0, form: form) }
        divergenceLoss = 100 * log(configuration.model.isBinary ? 2 : Double(configuration.model.classes))
        batchLabels = [UInt8](repeating: 0, count: largestPass)
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
    /// `progress` is called after every step with the steps done, the steps in the epoch and the mean loss so far.
    /// Throws `TrainingError.diverged` at the first step whose loss is not finite and
    /// `TrainingError.lossExploded` at the first whose mean loss passes `divergenceLoss` (both
    /// before its update), and `TrainingError.interrupted` after a step in which a rank's
    /// `stopRequested` returned true.
    public func trainEpoch(_ epoch: Int,
                           progress: (_ done: Int, _ steps: Int, _ loss: Double) throws -> Void = { _, _, _ in }) throws -> EpochResult {
        var clock = PhaseTimes.now()
        optimizer.learningRate = configuration.learningRate(epoch: epoch)
        let order = SeededRandom.epochOrder(count: train.count, seed: configuration.seed, epoch: epoch)
        clock = times.record(.data, since: clock)
        if position.epoch != epoch { position = TrainingPosition(epochsCompleted: epoch - 1) }
        let gradients = network.gradientBuffer, statistics = network.parameterCount
        // One parallel region for the epoch's steps: the kernels' threads stay between them.
        try Team.shared.region(threads: network.threads) {
            try order.withUnsafeBufferPointer { order in
                for step in position.stepsCompleted..<plan.steps {
                    // This rank's part of the global minibatch, in one pass or one per chunk (`summation`).
                    gradientSum.reset()
                    for pass in gradientSum.passes(over: plan.part(step, rank: communicator.rank)) {
                        let examples = UnsafeBufferPointer(rebasing: order[pass])
                        for (row, index) in examples.enumerated() { batchLabels[row] = train.labels[Int(index)] }
                        let input = train.gather(examples, epoch: epoch)
                        network.dropout?.select(epoch: epoch, examples: examples)
                        clock = times.record(.data, since: clock)
                        // Forward and loss, then backward into the pass's gradient buffer: sums over the pass.
                        let buffer = gradientSum.nextBuffer(threads: network.threads)
                        batchLabels.withUnsafeBufferPointer { labels in
                            network.forwardLoss(input: input, labels: labels.baseAddress!, count: examples.count, into: buffer)
                        }
                        clock = times.record(.forward, since: clock)
                        network.backward(input: input, count: examples.count, into: buffer)
                        clock = times.record(.backward, since: clock)
                    }
                    // Sum over the ranks (with the loss, the correct count and any rank's stop request).
                    if separatesAllreduceWait {
                        try communicator.barrier()
                        clock = times.record(.allreduceWait, since: clock)
                    }
                    let (sums, inRange) = try gradientSum.allreduce(into: gradients, stop: stopRequested(),
                                                                    over: communicator, threads: network.threads)
                    clock = times.record(.allreduce, since: clock)
                    guard sums[statistics].isFinite else {
                        throw TrainingError.diverged(epoch: epoch, step: step + 1, learningRate: optimizer.learningRate)
                    }
                    let stepLoss = Double(sums[statistics]) / Double(plan.batch(step).count)
                    guard stepLoss <= divergenceLoss else {
                        throw TrainingError.lossExploded(epoch: epoch, step: step + 1, loss: stepLoss, limit: divergenceLoss,
                                                         learningRate: optimizer.learningRate)
                    }
                    guard inRange else {
                        throw TrainingError.gradientOutOfRange(epoch: epoch, step: step + 1, learningRate: optimizer.learningRate)
                    }
                    // The update: the only place parameters change.
                    optimizer.update(parameters: network.parameters, gradientSum: sums,
                                     examples: plan.batch(step).count, threads: network.threads, shares: updateShares)
                    position.advance(loss: Double(sums[statistics]), correct: Double(sums[statistics + 1]))
                    let stopping = sums[statistics + 2] > 0
                    clock = times.record(.update, since: clock)
                    try progress(step + 1, plan.steps, position.lossSum / Double(plan.batch(step).upperBound))
                    if stopping { throw TrainingError.interrupted(position: position) }
                }
            }
        }
        let examples = train.count
        let result = EpochResult(loss: position.lossSum / Double(examples), accuracy: position.correct / Double(examples),
                                 examples: examples)
        position = TrainingPosition(epochsCompleted: epoch)
        return result
    }

    /// A step's mean loss past which training has diverged: a hundred times the loss of guessing
    /// (ln 2 for the binary models, ln of the classes for multiclass), which no learning run
    /// comes near, while a learning rate far too large drives it to 1e28 within an epoch.
    public let divergenceLoss: Double

    /// Steps (global minibatches) per epoch.
    public var stepsPerEpoch: Int { plan.steps }

    // MARK: - Evaluation

    /// Evaluates the model on the test set across the ranks: each rank takes a contiguous share of
    /// whole 1,000-image chunks, and the loss sum and confusion counts are summed with one
    /// allreduce. Every rank gets the result, the same for any number of ranks: each chunk's loss
    /// sum is rounded to a multiple of 2⁻²⁴, and such doubles (below 2²⁹) add exactly in any order.
    public func evaluateTestSet() throws -> Evaluation {
        try evaluate(test)
    }

    /// Evaluates the model on the held-out validation images in the same way; nil without them.
    public func evaluateValidationSet() throws -> Evaluation? {
        try validation.map(evaluate)
    }

    private func evaluate(_ images: PreparedImages) throws -> Evaluation {
        let start = PhaseTimes.now()
        defer { times.record(.evaluation, since: start) }
        var evaluation = Evaluation(model: configuration.model)
        let chunk = 1000
        let share = BatchPlan(examples: images.count, batchSize: images.count, ranks: communicator.size, chunk: chunk)
            .part(0, rank: communicator.rank)
        var predictions = [UInt8](repeating: 0, count: chunk)
        Team.shared.region(threads: network.threads) {
            images.labels.withUnsafeBufferPointer { labels in
                predictions.withUnsafeMutableBufferPointer { predicted in
                    for start in stride(from: share.lowerBound, to: share.upperBound, by: chunk) {
                        let range = start..<min(start + chunk, share.upperBound)
                        let loss = images.withInput(range: range) { input in
                            network.evaluate(input: input, labels: labels.baseAddress! + start, count: range.count,
                                             predictions: predicted.baseAddress!)
                        }
                        let scale = ExactGradientSum.lossScale
                        evaluation.lossSum += (loss * scale).rounded() / scale
                        for i in 0..<range.count { evaluation.record(label: labels[start + i], predicted: predicted[i]) }
                    }
                }
            }
        }
        var totals = evaluation.flattened
        try communicator.allreduceSum(&totals)
        evaluation.unflatten(totals)
        return evaluation
    }

    // MARK: - Profile

    /// Starts a new measurement of `times`.
    public func resetTimes() {
        times = PhaseTimes()
    }

    /// Each phase's time since the last reset, as min, mean and max over the ranks (keyed by `Phase` raw value).
    public func gatherTimes() throws -> [String: PhaseSpread] {
        var low = times.seconds, high = times.seconds, total = times.seconds
        try communicator.allreduceMin(&low)
        try communicator.allreduceMax(&high)
        try communicator.allreduceSum(&total)
        var spreads: [String: PhaseSpread] = [:]
        for (index, phase) in Phase.allCases.enumerated() {
            spreads[phase.rawValue] = PhaseSpread(min: low[index], mean: total[index] / Double(communicator.size),
                                                  max: high[index])
        }
        return spreads
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
