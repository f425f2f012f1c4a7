import Parallel

/// The trainable network: dense layers that are views into one contiguous parameter buffer and
/// one contiguous gradient buffer, so a step needs one allreduce and one update loop.
///
/// Layers: `dense1` (inputs → hidden, with the hidden activation) and `dense2` (hidden → outputs),
/// or `dense1` alone (inputs → outputs) without a hidden layer. The outputs are logits: binary
/// models use binary cross-entropy on one logit, `multiclass` softmax cross-entropy on ten.
public final class Network {
    /// Slots after the gradients in `gradientBuffer`: the batch's loss sum, its correct count, and
    /// the caller's stop request (the trainer's: any rank's request reaches all in the same allreduce).
    public static let statisticsSlots = 3
    /// The stream of `SeededRandom` the initial weights are drawn from (epoch orders use others).
    static let initializationStream: UInt64 = 0x1417_1A11_5E17_0000

    /// What this network is.
    public let configuration: ModelConfiguration
    /// Worker threads, default 1: for GEMM, and the number of slices of pixels a step can be
    /// split into (Network+InputSlices). Gradients are bit-identical for a given value.
    public var threads = 1 {
        didSet {
            workspace.deallocate()
            workspace = Workspace(layerWidths: configuration.layerWidths, slices: max(1, threads))
        }
    }
    /// The dense layers, input side first.
    let layers: [Dense]
    /// Number of trainable parameters.
    public let parameterCount: Int

    let parameterStorage: UnsafeMutablePointer<Float>      // [parameterCount]
    let gradientStorage: UnsafeMutablePointer<Float>       // [parameterCount + 3]
    var workspace: Workspace

    /// A network for `configuration` with deterministic initial weights drawn from `seed`
    /// (Xavier uniform, He uniform for a ReLU hidden layer; zero biases).
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
            let isHidden = index < layers.count - 1
            let scheme: Initialization = isHidden && configuration.activation == .relu ? .he : .xavier
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
        forward(input: input, count: count)
        let (loss, correct) = evaluateLoss(predictions: nil, labels: labels, rows: 0..<count)
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
        backpropagate(rows: 0..<count, threads: threads)
        outputLayerGradients(rows: 0..<count, into: gradientStorage, threads: threads)
        firstLayerBiasGradient(rows: 0..<count, into: gradientStorage)
        layers[0].weightGradient(gradientStorage, outputGradients: firstLayerGradients, inputs: input,
                                 batch: count, threads: threads)
    }

    // MARK: - Inference

    /// Forward only: writes each example's predicted class (binary models: 1 = "is `digit`",
    /// 0 = not) into `predictions` and returns the summed loss.
    public func evaluate(input: LayerInput,                             // [count, inputs]
                         labels: UnsafePointer<UInt8>,                  // [count]
                         count: Int,
                         predictions: UnsafeMutablePointer<UInt8>) -> Double {
        guard count > 0 else { return 0 }
        forward(input: input, count: count)
        return evaluateLoss(predictions: predictions, labels: labels, rows: 0..<count).loss
    }

    /// `evaluate` on a dense batch of images.
    public func evaluate(images: UnsafePointer<Float>,                  // [count, inputs]
                         labels: UnsafePointer<UInt8>,                  // [count]
                         count: Int,
                         predictions: UnsafeMutablePointer<UInt8>) -> Double {
        evaluate(input: .dense(images), labels: labels, count: count, predictions: predictions)
    }

    // MARK: - Steps

    /// Runs the layers, leaving hidden activations and logits in the workspace.
    private func forward(input: LayerInput, count: Int) {
        workspace.reserve(batch: count)
        layers[0].product(firstLayerOutputs, inputs: input, parameters: parameterStorage, batch: count,
                          threads: threads)
        forwardFromFirstProduct(rows: 0..<count, threads: threads)
    }

    // MARK: - Pieces shared with a split step (Network+InputSlices)

    /// The first layer's output: the hidden activations, or the logits without a hidden layer.
    var firstLayerOutputs: UnsafeMutablePointer<Float> {
        layers.count == 1 ? workspace.logits : workspace.hiddenActivations
    }

    /// The gradient before the first layer's activation, beside `firstLayerOutputs`.
    var firstLayerGradients: UnsafeMutablePointer<Float> {
        layers.count == 1 ? workspace.logitGradients : workspace.hiddenGradients
    }

    /// The forward pass of the examples `rows`, from the first layer's x·W (already in
    /// `firstLayerOutputs`) to the logits.
    func forwardFromFirstProduct(rows: Range<Int>, threads: Int) {
        let parameters = UnsafePointer(parameterStorage)
        let hasHidden = layers.count == 2
        let outputs = firstLayerOutputs + rows.lowerBound * layers[0].outputs
        layers[0].activate(outputs, parameters: parameters, batch: rows.count,
                           activation: hasHidden ? configuration.activation : nil)
        if hasHidden {
            layers[1].forward(outputs: workspace.logits + rows.lowerBound * layers[1].outputs, inputs: .dense(outputs),
                              parameters: parameters, batch: rows.count, threads: threads)
        }
    }

    /// Backpropagates the logits' gradients of the examples `rows` down to `firstLayerGradients`.
    func backpropagate(rows: Range<Int>, threads: Int) {
        guard layers.count == 2 else { return }
        let width = layers[0].outputs, first = rows.lowerBound * width
        let activationGradients = workspace.hiddenGradients + first
        layers[1].inputGradient(activationGradients, outputGradients: workspace.logitGradients
                                    + rows.lowerBound * layers[1].outputs,
                                parameters: parameterStorage, batch: rows.count, threads: threads)
        configuration.activation.backward(inputGradients: activationGradients, outputGradients: activationGradients,
                                          outputs: workspace.hiddenActivations + first, count: rows.count * width)
    }

    /// The output layer's weight and bias gradients (none without a hidden layer) over the
    /// examples `rows`, into `gradients` (laid out like `gradientBuffer`), overwriting: once
    /// `backpropagate` has covered those rows.
    func outputLayerGradients(rows: Range<Int>, into gradients: UnsafeMutablePointer<Float>, threads: Int) {
        guard layers.count == 2 else { return }
        let logitGradients = workspace.logitGradients + rows.lowerBound * layers[1].outputs
        layers[1].weightGradient(gradients, outputGradients: logitGradients,
                                 inputs: .dense(workspace.hiddenActivations + rows.lowerBound * layers[0].outputs),
                                 batch: rows.count, threads: threads)
        layers[1].biasGradient(gradients, outputGradients: logitGradients, batch: rows.count)
    }

    /// The first layer's bias gradient over the examples `rows`, into `gradients` (laid out like
    /// `gradientBuffer`), overwriting: once `backpropagate` has covered those rows.
    func firstLayerBiasGradient(rows: Range<Int>, into gradients: UnsafeMutablePointer<Float>) {
        layers[0].biasGradient(gradients, outputGradients: firstLayerGradients + rows.lowerBound * layers[0].outputs,
                               batch: rows.count)
    }

    /// The loss of the logits of the examples `rows` (indices into the batch and `labels`,
    /// and into `predictions` when given), leaving their gradients beside them.
    func evaluateLoss(predictions: UnsafeMutablePointer<UInt8>?, labels: UnsafePointer<UInt8>,
                      rows: Range<Int>) -> (loss: Double, correct: Int) {
        let offset = rows.lowerBound * configuration.outputs
        let logits = workspace.logits + offset, logitGradients = workspace.logitGradients + offset
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
