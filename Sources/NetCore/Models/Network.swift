import Parallel

/// The trainable network: dense layers that are views into one contiguous parameter buffer and
/// one contiguous gradient buffer, so a step needs one allreduce and one update loop.
///
/// Layers: `dense1`, `dense2`, … from the input side, each hidden layer followed by its
/// activation, the last one (→ outputs) by none. Forward and backward run on the
/// `WorkerPool`: the kernels split the products over `threads`, and the row-by-row rest of the
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
    /// Threads of the `WorkerPool` the network's kernels split a batch over (default 1).
    /// Results depend on this number only through the order of float sums, and are
    /// bit-identical for a given value.
    public var threads = 1
    /// The dense layers, input side first.
    let layers: [Dense]
    /// Number of trainable parameters.
    public let parameterCount: Int

    let parameterStorage: UnsafeMutablePointer<Float>      // [parameterCount]
    let gradientStorage: UnsafeMutablePointer<Float>       // [parameterCount + 3]
    var workspace: Workspace
    /// Dropout of the hidden layers' outputs in `forwardLoss` and `backward` (nil: none).
    public var dropout: Dropout?

    /// A network for `configuration` with deterministic initial weights drawn from `seed`
    /// (He uniform for layers followed by ReLU, Xavier uniform for the others; zero biases).
    public init(_ configuration: ModelConfiguration, seed: UInt64) {
        do { try configuration.validate() } catch { preconditionFailure(error.description) }
        self.configuration = configuration
        let widths = configuration.layerWidths
        var layers: [Dense] = []
        var offset = 0
        for (inputs, outputs) in zip(widths, widths.dropFirst()) {
            layers.append(Dense(inputs: inputs, outputs: outputs, offset: offset))
            offset += layers.last!.parameterCount
        }
        self.layers = layers
        parameterCount = offset
        parameterStorage = .allocateCacheAligned(capacity: offset)
        gradientStorage = .allocateCacheAligned(capacity: offset + Self.statisticsSlots)
        gradientStorage.initialize(repeating: 0, count: offset + Self.statisticsSlots)
        parameterStorage.initialize(repeating: 0, count: offset)
        workspace = Workspace(layerWidths: widths)

        var generator = SeededRandom(seed: seed, stream: Self.initializationStream)
        for (index, layer) in layers.enumerated() {
            let scheme: Initialization = configuration.activation(ofLayer: index) == .relu ? .he : .xavier
            scheme.initialize(layer, parameters: parameterStorage, generator: &generator)
        }
    }

    deinit {
        parameterStorage.deallocate()
        gradientStorage.deallocate()
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

    /// Forward and backward on `count` examples: overwrites `gradientBuffer` with the SUM over the
    /// examples (not the mean) of dLoss/dParameters, then the loss sum and the correct count.
    /// `count` may be 0 (everything is then zero). The same as `forwardLoss` then `backward`.
    public func computeGradients(input: LayerInput,               // [count, inputs]
                                 labels: UnsafePointer<UInt8>,    // [count]
                                 count: Int) {
        forwardLoss(input: input, labels: labels, count: count)
        backward(input: input, count: count)
    }

    /// `computeGradients` on a dense batch of images.
    public func computeGradients(images: UnsafePointer<Float>,    // [count, inputs]
                                 labels: UnsafePointer<UInt8>,    // [count]
                                 count: Int) {
        computeGradients(input: .dense(images), labels: labels, count: count)
    }

    /// The first half of `computeGradients`: runs the layers and the loss, writing the loss sum and
    /// the correct count into the statistics slots and the logits' gradients into the workspace.
    public func forwardLoss(input: LayerInput,               // [count, inputs]
                            labels: UnsafePointer<UInt8>,    // [count]
                            count: Int) {
        let statistics = gradientStorage + parameterCount
        guard count > 0 else {
            statistics.update(repeating: 0, count: Self.statisticsSlots)
            return
        }
        let (loss, correct) = forward(input: input, labels: labels, count: count, predictions: nil, training: true)
        statistics[0] = Float(loss)
        statistics[1] = Float(correct)
    }

    /// The second half of `computeGradients`: backpropagates the logits' gradients left by
    /// `forwardLoss` on the same `input`, overwriting the parameter gradients.
    public func backward(input: LayerInput,    // [count, inputs]
                         count: Int) {
        guard count > 0 else {
            gradientStorage.update(repeating: 0, count: parameterCount)
            return
        }
        let parameters = UnsafePointer(parameterStorage), threads = threads
        for index in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[index], outputGradients = workspace.gradients(index)
            let inputs = index == 0 ? input : .dense(workspace.outputs(index - 1))
            layer.weightGradient(gradientStorage, outputGradients: outputGradients, inputs: inputs, batch: count,
                                 threads: threads)
            layer.biasGradient(gradientStorage, outputGradients: outputGradients, batch: count, threads: threads)
            guard index > 0 else { break }
            // dL/dz of the layer below: through this layer's weights, then the activation.
            let below = workspace.gradients(index - 1), outputs = workspace.outputs(index - 1), width = layer.inputs
            layer.inputGradient(below, outputGradients: outputGradients, parameters: parameters, batch: count,
                                threads: threads)
            let activation = configuration.activations[index - 1]
            let dropout = dropout?.drops(layer: index - 1) == true ? dropout : nil
            parallelFor(count: count, threads: threads, minimumChunk: Self.rowsPerShare) { rows in
                let first = rows.lowerBound * width
                let activated = dropout?.backward(layer: index - 1, gradients: below, rows: rows) ?? UnsafePointer(outputs)
                activation.backward(inputGradients: below + first, outputGradients: below + first,
                                    outputs: activated + first, count: rows.count * width)
            }
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

    /// `evaluate` on a dense batch of images.
    public func evaluate(images: UnsafePointer<Float>,                  // [count, inputs]
                         labels: UnsafePointer<UInt8>,                  // [count]
                         count: Int,
                         predictions: UnsafeMutablePointer<UInt8>) -> Double {
        evaluate(input: .dense(images), labels: labels, count: count, predictions: predictions)
    }

    // MARK: - Steps

    /// Runs the layers and the loss of `count` (> 0) examples, leaving every layer's outputs and
    /// the logits' gradients in the workspace; returns the loss sum and the correct count.
    /// In `training`, the hidden layers' outputs go through `dropout`.
    ///
    /// The first layer's product, the widest, is split over the threads by its kernel; the rest
    /// is row by row, so each thread takes a share of the examples through all of it.
    func forward(input: LayerInput, labels: UnsafePointer<UInt8>, count: Int,
                 predictions: UnsafeMutablePointer<UInt8>?, training: Bool = false) -> (loss: Double, correct: Int) {
        let shares = self.shares(count)
        workspace.reserve(batch: count, shares: shares)
        let dropout = training ? dropout : nil
        dropout?.reserve(batch: count)
        layers[0].product(workspace.outputs(0), inputs: input, parameters: parameterStorage, batch: count,
                          threads: threads)
        let statistics = workspace.shareStatistics
        WorkerPool.shared.run(parts: shares, threads: shares) { share in
            let rows = evenPart(share, of: shares, count: count)
            forwardFromFirstProduct(rows: rows, dropout: dropout)
            let (loss, correct) = evaluateLoss(predictions: predictions, labels: labels, rows: rows)
            statistics[2 * share] = loss
            statistics[2 * share + 1] = Double(correct)
        }
        var loss = 0.0, correct = 0.0
        for share in 0..<shares {
            loss += statistics[2 * share]
            correct += statistics[2 * share + 1]
        }
        return (loss, Int(correct))
    }

    /// Shares of the examples for the row-by-row passes: one per thread, at least
    /// `rowsPerShare` rows each.
    private func shares(_ count: Int) -> Int { max(1, min(threads, count / Self.rowsPerShare)) }

    /// The fewest examples worth a share of their own in the row-by-row passes.
    private static let rowsPerShare = 16

    /// The forward pass of the examples `rows`, from the first layer's x·W (already in its
    /// outputs) to the logits, the hidden layers' outputs through `dropout` when given.
    private func forwardFromFirstProduct(rows: Range<Int>, dropout: Dropout?) {
        let parameters = UnsafePointer(parameterStorage)
        for (index, layer) in layers.enumerated() {
            let outputs = workspace.outputs(index) + rows.lowerBound * layer.outputs
            if index > 0 {
                let inputs = workspace.outputs(index - 1) + rows.lowerBound * layer.inputs
                layer.product(outputs, inputs: .dense(inputs), parameters: parameters, batch: rows.count)
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
