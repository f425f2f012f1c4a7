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
    /// Worker threads for GEMM, default 1. Gradients are bit-identical for a given value.
    /// The element-wise work (activations, loss, bias sums: ≈3–6 µs at batch 64) stays on the
    /// caller's thread.
    public var threads = 1
    /// The dense layers, input side first.
    let layers: [Dense]
    /// Number of trainable parameters.
    public let parameterCount: Int

    private let parameterStorage: UnsafeMutablePointer<Float>      // [parameterCount]
    private let gradientStorage: UnsafeMutablePointer<Float>       // [parameterCount + 3]
    private var workspace: Workspace

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
        let (loss, correct) = evaluateLoss(predictions: nil, labels: labels, count: count)
        statistics[0] = Float(loss)
        statistics[1] = Float(correct)
    }

    /// The second half of `computeGradients`: backpropagates the logits' gradients left by
    /// `forwardLoss` on the same `input`, overwriting the parameter gradients.
    public func backward(input: LayerInput,    // [count, inputs]
                         count: Int) {
        let gradients = gradientStorage
        guard count > 0 else {
            gradients.update(repeating: 0, count: parameterCount)
            return
        }
        let parameters = UnsafePointer(parameterStorage)
        let output = layers[layers.count - 1]
        if layers.count == 1 {
            output.backward(inputGradients: nil, gradients: gradients, outputGradients: workspace.logitGradients,
                            inputs: input, parameters: parameters, batch: count, threads: threads)
            return
        }
        let hidden = layers[0]
        let activations = workspace.hiddenActivations
        let activationGradients = workspace.hiddenGradients
        output.backward(inputGradients: activationGradients, gradients: gradients,
                        outputGradients: workspace.logitGradients, inputs: .dense(activations),
                        parameters: parameters, batch: count, threads: threads)
        configuration.activation.backward(inputGradients: activationGradients, outputGradients: activationGradients,
                                          outputs: activations, count: count * hidden.outputs)
        hidden.backward(inputGradients: nil, gradients: gradients, outputGradients: activationGradients,
                        inputs: input, parameters: parameters, batch: count, threads: threads)
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
        return evaluateLoss(predictions: predictions, labels: labels, count: count).loss
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
        let parameters = UnsafePointer(parameterStorage)
        let logits = workspace.logits
        if layers.count == 1 {
            layers[0].forward(outputs: logits, inputs: input, parameters: parameters,
                              batch: count, threads: threads)
            return
        }
        let activations = workspace.hiddenActivations
        layers[0].forward(outputs: activations, inputs: input, parameters: parameters,
                          batch: count, activation: configuration.activation, threads: threads)
        layers[1].forward(outputs: logits, inputs: .dense(activations), parameters: parameters,
                          batch: count, threads: threads)
    }

    /// The loss of the logits in the workspace, leaving their gradients beside them.
    private func evaluateLoss(predictions: UnsafeMutablePointer<UInt8>?,
                              labels: UnsafePointer<UInt8>, count: Int) -> (loss: Double, correct: Int) {
        if configuration.isBinary {
            BinaryCrossEntropy.evaluate(logitGradients: workspace.logitGradients, predictions: predictions,
                                        logits: workspace.logits, labels: labels,
                                        positiveLabel: configuration.digit, batch: count)
        } else {
            CategoricalCrossEntropy.evaluate(logitGradients: workspace.logitGradients, predictions: predictions,
                                             logits: workspace.logits, labels: labels,
                                             batch: count, classes: configuration.outputs)
        }
    }
}
