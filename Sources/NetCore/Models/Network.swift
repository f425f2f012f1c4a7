import Parallel

/// The trainable network: dense layers that are views into one contiguous parameter buffer and
/// one contiguous gradient buffer, so a step needs one allreduce and one update loop.
///
/// Layers: `dense1`, `dense2`, … from the input side, each hidden layer followed by its
/// activation, the last one (→ outputs) by none. Forward and backward run on the
/// `Team`: the kernels split the products over `threads`, and the row-by-row rest of the
/// step is split by examples. The outputs are logits: binary
/// models use binary cross-entropy on one logit, `multiclass` softmax cross-entropy on one logit per class.
public final class Network {
    /// Slots after the gradients in `gradientBuffer`: the batch's loss sum, its correct count, and
    /// the caller's stop request (the trainer's: any rank's request reaches all in the same allreduce).
    public static let statisticsSlots = 3
    /// The stream of `SeededRandom` the initial weights are drawn from (epoch orders use others).
    static let initializationStream: UInt64 = 0x1417_1A11_5E17_0000

    /// What this network is.
    public let configuration: ModelConfiguration
    /// Threads of the `Team` the network's kernels split a batch over: those set (default 1),
    /// or 1 for a network of fewer than `sharedMultiplyAdds` multiply-adds per example (the single
    /// neuron's 784), whose step is shorter than the team's hand-offs between its phases.
    /// Results do not depend on it: they are bit-identical for every thread count.
    public var threads: Int {
        get { multiplyAddsPerExample < Self.sharedMultiplyAdds ? 1 : requestedThreads }
        set { requestedThreads = newValue }
    }
    private var requestedThreads = 1
    /// The fewest multiply-adds per example (`multiplyAddsPerExample`) worth a second thread.
    public static let sharedMultiplyAdds = 4096
    /// Multiply-adds of the layers' weights per example: Σ inputs · outputs.
    public let multiplyAddsPerExample: Int
    /// The dense layers, input side first.
    let layers: [Dense]
    /// How each layer's products run, chosen when the network is built.
    let kernels: [LayerKernels]
    /// Column partitions of the training images the first layer is multiplied by, whatever the
    /// thread count (threads change who multiplies a partition, never how the partial products
    /// are added): 4, so that up to four threads share the first layer; 2 for a first layer
    /// narrower than 16 outputs (the single neuron), whose partitions cost more to keep apart
    /// than a thread saves.
    public var inputPartitions: Int { layers[0].outputs < 16 ? 2 : 4 }
    /// Number of trainable parameters.
    public let parameterCount: Int

    /// The parameters cut for the update into one share per team member, given each member's
    /// rows of the first layer's weights (its input's columns, whose gradient rows it writes;
    /// contiguous, in order, from 0 to `inputs`): member m's share holds its rows, and the
    /// leader's (member 0) also every parameter after the first layer's weights, whose gradients
    /// it adds up last.
    public func updateShares(firstLayerRows memberRows: [Range<Int>]) -> [[Range<Int>]] {
        let first = layers[0]
        precondition(first.weightsOffset == 0 && memberRows.first?.lowerBound == 0
                     && memberRows.last?.upperBound == first.inputs, "rows must cover the first layer's inputs")
        var shares = memberRows.map { [$0.lowerBound * first.outputs..<$0.upperBound * first.outputs] }
        shares[0].append(first.biasOffset..<parameterCount)
        return shares
    }

    let parameterStorage: UnsafeMutablePointer<Float>      // [parameterCount]
    let gradientStorage: UnsafeMutablePointer<Float>       // [parameterCount + 3]
    /// Whether `gradientStorage` was allocated here (else it is the caller's, e.g. shared memory).
    private let ownsGradientStorage: Bool
    var workspace: Workspace
    /// Dropout of the hidden layers' outputs in `forwardLoss` and `backward` (nil: none).
    public var dropout: Dropout?

    /// A network for `configuration` with deterministic initial weights drawn from `seed`
    /// (He uniform for layers followed by ReLU, Xavier uniform for the others; zero biases),
    /// its kernels chosen for training batches of up to `batch` examples, the products of its
    /// layers with dense inputs taken in `precision` (`.bf16` needs `ProductPrecision.bf16Usable`).
    /// The gradient buffer is `gradientStorage` when given (`configuration.parameterCount` +
    /// `statisticsSlots` floats, the caller's to keep alive and free), else allocated here.
    public init(_ configuration: ModelConfiguration, seed: UInt64, batch: Int = 64, precision: ProductPrecision = .fp32,
                gradientStorage: UnsafeMutablePointer<Float>? = nil) {
        do { try configuration.validate() } catch { preconditionFailure(error.description) }
        precondition(precision == .fp32 || ProductPrecision.bf16Usable, "bf16 products on a CPU without AMX-BF16")
        self.configuration = configuration
        let widths = configuration.layerWidths
        var layers: [Dense] = []
        var offset = 0
        for (inputs, outputs) in zip(widths, widths.dropFirst()) {
            layers.append(Dense(inputs: inputs, outputs: outputs, offset: offset))
            offset += layers.last!.parameterCount
        }
        self.layers = layers
        multiplyAddsPerExample = layers.reduce(0) { $0 + $1.inputs * $1.outputs }
        kernels = layers.enumerated().map { index, layer in
            LayerKernels(index: index, inputs: layer.inputs, outputs: layer.outputs, batch: batch,
                         rowsPerShare: Self.rowsPerShare, precision: precision)
        }
        parameterCount = offset
        parameterStorage = .allocateCacheAligned(capacity: offset)
        precondition(gradientStorage == nil || offset == configuration.parameterCount)
        ownsGradientStorage = gradientStorage == nil
        self.gradientStorage = gradientStorage ?? .allocateCacheAligned(capacity: offset + Self.statisticsSlots)
        self.gradientStorage.initialize(repeating: 0, count: offset + Self.statisticsSlots)
        parameterStorage.initialize(repeating: 0, count: offset)
        workspace = Workspace(layers: layers, kernels: kernels)

        var generator = SeededRandom(seed: seed, stream: Self.initializationStream)
        for (index, layer) in layers.enumerated() {
            let scheme: Initialization = configuration.activation(ofLayer: index) == .relu ? .he : .xavier
            scheme.initialize(layer, parameters: parameterStorage, generator: &generator)
        }
    }

    deinit {
        parameterStorage.deallocate()
        if ownsGradientStorage { gradientStorage.deallocate() }
        workspace.deallocate()
    }

    /// All parameters, contiguous: [parameterCount].
    public var parameters: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: parameterStorage, count: parameterCount)
    }

    /// Gradients plus the three statistics slots, contiguous: [parameterCount + 3]. Slot
    /// `parameterCount` holds the last batch's summed loss, slot `parameterCount + 1` its number
    /// of correct predictions, so one allreduce sums gradients, loss and accuracy over the ranks;
    /// slot `parameterCount + 2` is left to the caller (the trainer's stop request).
    public var gradientBuffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: gradientStorage, count: parameterCount + Self.statisticsSlots)
    }

    /// Per-tensor views of the buffers, in storage order: "dense1.weights" [inputs, outputs],
    /// "dense1.bias" [outputs], then "dense2.…".
    public var tensors: [ParameterTensor] {
        layers.enumerated().flatMap { index, layer in [
            ParameterTensor(name: "dense\(index + 1).weights", shape: [layer.inputs, layer.outputs],
                            offset: layer.weightsOffset),
            ParameterTensor(name: "dense\(index + 1).bias", shape: [layer.outputs], offset: layer.biasOffset),
        ] }
    }

    // MARK: - Training

    /// The first half of a training step: runs the layers and the loss, writing the loss sum and
    /// the correct count into the statistics slots of `buffer` (laid out as `gradientBuffer`,
    /// which it is by default), and takes each thread's rows back down to the first layer as
    /// soon as their loss is known (a row's gradients need only that row's values): the weight
    /// gradients summed by shares go into `buffer` and the shares' partials, dL/dz of every
    /// layer into the workspace. `backward` finishes the step.
    public func forwardLoss(input: LayerInput,               // [count, inputs]
                            labels: UnsafePointer<UInt8>,    // [count]
                            count: Int,
                            into buffer: UnsafeMutableBufferPointer<Float>? = nil) {
        let statistics = (buffer ?? gradientBuffer).baseAddress! + parameterCount
        guard count > 0 else {
            statistics.update(repeating: 0, count: Self.statisticsSlots)
            return
        }
        let (loss, correct) = forward(input: input, labels: labels, count: count, predictions: nil, training: true,
                                      gradients: (buffer ?? gradientBuffer).baseAddress!)
        statistics[0] = Float(loss)
        statistics[1] = Float(correct)
    }

    /// The second half of a training step: from what `forwardLoss` left on the same `input`
    /// and `buffer`, each layer's weight and bias gradients over the whole batch, overwriting the
    /// parameter gradients in `buffer` (laid out as `gradientBuffer`, which it is by default).
    public func backward(input: LayerInput,    // [count, inputs]
                         count: Int,
                         into buffer: UnsafeMutableBufferPointer<Float>? = nil) {
        let gradients = (buffer ?? gradientBuffer).baseAddress!
        guard count > 0 else {
            gradients.update(repeating: 0, count: parameterCount)
            return
        }
        let shares = self.shares(count)
        for index in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[index], outputGradients = workspace.gradients(index)
            switch kernels[index].weightGradient {
            case .byShares:
                for share in 1..<shares {
                    let partial = workspace.weightPartial(index, share: share), sum = gradients + layer.weightsOffset
                    for element in 0..<layer.inputs * layer.outputs { sum[element] += partial[element] }
                }
            case .wholeBatch:
                let inputs = index == 0 ? input : .dense(workspace.outputs(index - 1))
                layer.weightGradient(gradients, outputGradients: outputGradients, inputs: inputs, batch: count,
                                     kernels: kernels[index].products, threads: threads)
            }
            layer.biasGradient(gradients, outputGradients: outputGradients, batch: count, threads: threads)
        }
    }

    /// Backward through the layers above the first for the consecutive shares `run` of the
    /// `shares` shares of `count` examples: for each layer from the last, each share's part of a
    /// weight gradient summed by shares (into `gradients` for share 0, into the share's partial
    /// otherwise), then dL/dz of the layer below for all the run's rows at once (a row's result
    /// does not depend on the rows beside it).
    private func backwardToFirstLayer(shares run: Range<Int>, of shares: Int, count: Int,
                                      gradients: UnsafeMutablePointer<Float>) {
        let parameters = UnsafePointer(parameterStorage)
        let rows = Self.examples(ofShares: run, of: shares, count: count)
        for index in stride(from: layers.count - 1, to: 0, by: -1) {
            let layer = layers[index]
            if kernels[index].weightGradient == .byShares {
                for share in run {
                    let shareRows = evenPart(share, of: shares, count: count)
                    let target = share == 0 ? gradients : workspace.weightPartial(index, share: share) - layer.weightsOffset
                    layer.weightGradient(target, outputGradients: workspace.gradients(index) + shareRows.lowerBound * layer.outputs,
                                         inputs: .dense(workspace.outputs(index - 1) + shareRows.lowerBound * layer.inputs),
                                         batch: shareRows.count, kernels: kernels[index].products)
                }
            }
            let outputGradients = workspace.gradients(index) + rows.lowerBound * layer.outputs
            let inputs = workspace.outputs(index - 1) + rows.lowerBound * layer.inputs
            let below = workspace.gradients(index - 1) + rows.lowerBound * layer.inputs
            layer.inputGradient(below, outputGradients: outputGradients, parameters: parameters, batch: rows.count,
                                kernels: kernels[index].products)
            // Back through the dropout of the layer below, when it drops any, then its activation.
            var activated = UnsafePointer(inputs)
            if let dropout, dropout.drops(layer: index - 1) {
                activated = dropout.backward(layer: index - 1, gradients: workspace.gradients(index - 1), rows: rows)
                    + rows.lowerBound * layer.inputs
            }
            configuration.activations[index - 1].backward(inputGradients: below, outputGradients: below,
                                                          outputs: activated, count: rows.count * layer.inputs)
        }
    }

    // MARK: - Inference

    /// Forward only: writes each example's predicted class (binary models: 1 = "is `digit`",
    /// 0 = not) into `predictions` and returns the summed loss.
    public func evaluate(input: LayerInput,                             // [count, inputs]
                         labels: UnsafePointer<UInt8>,                  // [count]
                         count: Int,
                         predictions: UnsafeMutablePointer<UInt8>) -> Double {
        guard count > 0 else { return 0 }
        return forward(input: input, labels: labels, count: count, predictions: predictions).loss
    }

    // MARK: - Steps

    /// Runs the layers and the loss of `count` (> 0) examples, leaving every layer's outputs and
    /// the logits' gradients in the workspace; returns the loss sum and the correct count.
    /// In `training`, the hidden layers' outputs go through `dropout`. With `gradients`, each
    /// run of examples then goes back down to the first layer (`backwardToFirstLayer`).
    ///
    /// The first layer's product, the widest, is split over the threads by its kernel; the rest
    /// is row by row, so each thread takes a share of the examples through all of it.
    func forward(input: LayerInput, labels: UnsafePointer<UInt8>, count: Int,
                 predictions: UnsafeMutablePointer<UInt8>?, training: Bool = false,
                 gradients: UnsafeMutablePointer<Float>? = nil) -> (loss: Double, correct: Int) {
        let shares = self.shares(count)
        workspace.reserve(batch: count, shares: shares)
        if gradients != nil { workspace.reserveWeightPartials(shares: shares) }
        let dropout = training ? dropout : nil
        dropout?.reserve(batch: count)
        layers[0].product(workspace.outputs(0), inputs: input, parameters: parameterStorage, batch: count,
                          kernels: kernels[0].products, threads: threads, rowsFinishedLater: true)
        let statistics = workspace.shareStatistics, runs = Team.members(parts: shares, threads: threads)
        Team.shared.run(parts: runs, threads: threads) { run in
            // A run of consecutive shares through the layers at once (a row's result does not
            // depend on the rows beside it), then each share's loss.
            let run = evenPart(run, of: runs, count: shares), rows = Self.examples(ofShares: run, of: shares, count: count)
            input.finishRows(rows)
            forwardFromFirstProduct(rows: rows, dropout: dropout)
            for share in run {
                let (loss, correct) = evaluateLoss(predictions: predictions, labels: labels,
                                                   rows: evenPart(share, of: shares, count: count))
                statistics[2 * share] = loss
                statistics[2 * share + 1] = Double(correct)
            }
            if let gradients { backwardToFirstLayer(shares: run, of: shares, count: count, gradients: gradients) }
        }
        var loss = 0.0, correct = 0.0
        for share in 0..<shares {
            loss += statistics[2 * share]
            correct += statistics[2 * share + 1]
        }
        return (loss, Int(correct))
    }

    /// Shares of the examples for the row-by-row passes: `rowsPerShare` rows each (the last
    /// up to twice that), whatever the thread count. Their loss sums and weight-gradient partials
    /// are added in share order, so the same count gives the same sums on any number of threads:
    /// threads change who computes a share, never how the shares are combined.
    private func shares(_ count: Int) -> Int { max(1, count / Self.rowsPerShare) }

    /// The examples of a share in the row-by-row passes.
    static let rowsPerShare = 16

    /// The examples of the consecutive shares `run` of `shares` shares of `count` examples.
    private static func examples(ofShares run: Range<Int>, of shares: Int, count: Int) -> Range<Int> {
        evenPart(run.lowerBound, of: shares, count: count).lowerBound..<evenPart(run.upperBound - 1, of: shares, count: count).upperBound
    }

    /// The forward pass of the examples `rows`, from the first layer's x·W (already in its
    /// outputs) to the logits, the hidden layers' outputs through `dropout` when given.
    private func forwardFromFirstProduct(rows: Range<Int>, dropout: Dropout?) {
        let parameters = UnsafePointer(parameterStorage)
        for (index, layer) in layers.enumerated() {
            let outputs = workspace.outputs(index) + rows.lowerBound * layer.outputs
            if index > 0 {
                let inputs = workspace.outputs(index - 1) + rows.lowerBound * layer.inputs
                layer.product(outputs, inputs: .dense(inputs), parameters: parameters, batch: rows.count,
                              kernels: kernels[index].products)
            }
            layer.activate(outputs, parameters: parameters, batch: rows.count,
                           activation: configuration.activation(ofLayer: index))
            if let dropout, dropout.drops(layer: index) {
                dropout.forward(layer: index, outputs: workspace.outputs(index), rows: rows)
            }
        }
    }

    /// The loss of the logits of the examples `rows` (indices into the batch and `labels`,
    /// and into `predictions` when given), leaving their gradients beside them.
    func evaluateLoss(predictions: UnsafeMutablePointer<UInt8>?, labels: UnsafePointer<UInt8>,
                      rows: Range<Int>) -> (loss: Double, correct: Int) {
        let offset = rows.lowerBound * configuration.outputs, last = layers.count - 1
        let logits = workspace.outputs(last) + offset, logitGradients = workspace.gradients(last) + offset
        let labels = labels + rows.lowerBound, predictions = predictions.map { $0 + rows.lowerBound }
        if configuration.isBinary {
            return BinaryCrossEntropy.evaluate(logitGradients: logitGradients, predictions: predictions,
                                               logits: logits, labels: labels,
                                               positiveLabel: configuration.digit, batch: rows.count)
        } else {
            return CategoricalCrossEntropy.evaluate(logitGradients: logitGradients, predictions: predictions,
                                                    logits: logits, labels: labels,
                                                    batch: rows.count, classes: configuration.outputs)
        }
    }
}
