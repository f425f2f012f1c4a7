import NetCore
import Testing

/// Dropout: its backward pass through the masks in the gradient checks, masks that follow the
/// examples (not their places in a batch), input masks, and evaluation without it.
@Suite struct DropoutTests {
    /// The examples (training-set indices) of the small batch's seven rows.
    static let examples: [Int32] = [12, 40_007, 3, 59_999, 512, 7, 1_000]

    /// The masks' scales of each hidden layer, [batch, width], for `examples` in `epoch`.
    private func masks(_ configuration: ModelConfiguration, rates: [Float], epoch: Int, examples: [Int32]) -> [[Float]] {
        configuration.hidden.indices.map { layer in
            examples.flatMap { Dropout.mask(seed: 9, epoch: epoch, example: Int($0), layer: layer,
                                            width: configuration.hidden[layer], rate: rates[layer]) }
        }
    }

    private func network(_ configuration: ModelConfiguration, rates: [Float]) -> Network {
        let network = Network(configuration, seed: 7)
        network.dropout = Dropout(rates: rates, widths: configuration.hidden, seed: 9)
        return network
    }

    @Test(arguments: smallConfigurations.filter(\.hasHiddenLayer))
    func gradientsThroughTheMasksMatchFiniteDifferences(configuration: ModelConfiguration) throws {
        let rates = configuration.hidden.indices.map { [Float(0.5), 0.25, 0][$0 % 3] }
        let network = network(configuration, rates: rates)
        let (images, labels) = smallBatch(inputs: configuration.inputs, classes: configuration.classes)
        Self.examples.withUnsafeBufferPointer { network.dropout!.select(epoch: 2, examples: $0) }
        network.computeGradients(images: images, labels: labels, count: labels.count)
        let buffer = Array(network.gradientBuffer), analytic = Array(buffer[..<network.parameterCount])

        let masks = masks(configuration, rates: rates, epoch: 2, examples: Self.examples)
        #expect(masks[0].contains(0) && masks[0].contains(2), "the first layer's mask drops some units and scales the rest by 2")
        let reference = ReferenceNetwork(configuration: configuration)
        let point = network.parameters.map(Double.init)
        let expected = reference.evaluate(parameters: point, images: images, labels: labels, masks: masks)
        #expect(abs(Double(buffer[network.parameterCount]) - expected.loss) < 1e-5 * expected.loss)
        let withoutDropout = reference.evaluate(parameters: point, images: images, labels: labels)
        #expect(abs(withoutDropout.loss - expected.loss) > 1e-4 * expected.loss, "the masks change the loss")

        let numeric = numericGradient(at: point) { reference.evaluate(parameters: $0, images: images, labels: labels, masks: masks).loss }
        let result = gradientPasses(analytic, numeric)
        #expect(result.correct, "error \(gradientError(analytic, numeric))")
        #expect(result.corruptedFails)
    }

    @Test func anExamplesMaskFollowsItAcrossBatchPlacesButNotAcrossEpochs() {
        let configuration = ModelConfiguration(kind: .multiclass, inputs: 12, hidden: [6, 5], activations: [.relu, .tanh])
        let (images, labels) = smallBatch(inputs: 12)
        let network = network(configuration, rates: [0.5, 0.3])
        func gradients(rows: [Int], epoch: Int) -> [Float] {
            let batchImages = rows.flatMap { images[($0 * 12)..<($0 * 12 + 12)] }, batchLabels = rows.map { labels[$0] }
            rows.map { Self.examples[$0] }.withUnsafeBufferPointer { network.dropout!.select(epoch: epoch, examples: $0) }
            network.computeGradients(images: batchImages, labels: batchLabels, count: rows.count)
            return Array(network.gradientBuffer)
        }
        let inOrder = gradients(rows: Array(0..<7), epoch: 1)
        let reversed = gradients(rows: Array((0..<7).reversed()), epoch: 1)
        #expect(zip(inOrder, reversed).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) }, "same sums, other order")
        #expect(gradients(rows: Array(0..<7), epoch: 1) == inOrder, "deterministic")
        let nextEpoch = gradients(rows: Array(0..<7), epoch: 2)
        #expect(zip(inOrder, nextEpoch).contains { abs($0 - $1) > 1e-3 }, "another epoch, other masks")
    }

    @Test func masksKeepTheRightShareAndDependOnEveryKey() {
        let mask = Dropout.mask(seed: 1, epoch: 1, example: 5, layer: 0, width: 100_000, rate: 0.3)
        let kept = mask.filter { $0 != 0 }
        #expect(abs(Double(kept.count) / 100_000 - 0.7) < 0.01)
        #expect(kept.allSatisfy { $0 == 1 / Float(0.7) })
        for other in [Dropout.mask(seed: 2, epoch: 1, example: 5, layer: 0, width: 100_000, rate: 0.3),
                      Dropout.mask(seed: 1, epoch: 2, example: 5, layer: 0, width: 100_000, rate: 0.3),
                      Dropout.mask(seed: 1, epoch: 1, example: 6, layer: 0, width: 100_000, rate: 0.3),
                      Dropout.mask(seed: 1, epoch: 1, example: 5, layer: 1, width: 100_000, rate: 0.3)] {
            #expect(other != mask)
        }
        #expect(Dropout.mask(seed: 1, epoch: 1, example: 5, layer: 0, width: 100_000, rate: 0.3) == mask)
        #expect(Dropout(rates: [0, 0], widths: [4, 4], seed: 1) == nil, "no rates, no dropout")
    }

    @Test func inputMasksKeepTheRightShareScaleInPlaceAndDependOnEveryKey() {
        func dropped(seed: UInt64 = 1, epoch: Int = 1, example: Int = 5, rate: Float = 0.2) -> [Float] {
            var values = (0..<100_000).map { Float($0 % 7) }
            Dropout.dropInputs(&values, count: values.count, seed: seed, epoch: epoch, example: example, rate: rate)
            return values
        }
        let values = dropped()
        let kept = values.indices.filter { values[$0] != 0 && $0 % 7 != 0 }
        #expect(abs(Double(kept.count) / Double(values.indices.filter { $0 % 7 != 0 }.count) - 0.8) < 0.01)
        #expect(kept.allSatisfy { values[$0] == Float($0 % 7) * (1 / Float(0.8)) }, "kept pixels scaled by 1/(1 − p)")
        #expect(dropped() == values, "deterministic")
        for other in [dropped(seed: 2), dropped(epoch: 2), dropped(example: 6)] { #expect(other != values) }
        let hidden = Dropout.mask(seed: 1, epoch: 1, example: 5, layer: 0, width: 100_000, rate: 0.2)
        #expect(values.indices.filter { values[$0] == 0 } != hidden.indices.filter { hidden[$0] == 0 || $0 % 7 == 0 },
                "a stream of its own, not the first hidden layer's masks")
    }

    @Test func evaluationUsesTheWholeNetwork() {
        let configuration = ModelConfiguration(kind: .multiclass, inputs: 12, hidden: [6, 5], activations: [.relu, .sigmoid])
        let (images, labels) = smallBatch(inputs: 12)
        var predictions = [UInt8](repeating: 0, count: 7)
        let plain = Network(configuration, seed: 7)
        let expected = plain.evaluate(images: images, labels: labels, count: 7, predictions: &predictions)
        let dropped = network(configuration, rates: [0.5, 0.5])
        Self.examples.withUnsafeBufferPointer { dropped.dropout!.select(epoch: 1, examples: $0) }
        #expect(dropped.evaluate(images: images, labels: labels, count: 7, predictions: &predictions) == expected)
        dropped.computeGradients(images: images, labels: labels, count: 7)
        #expect(Double(dropped.gradientBuffer[dropped.parameterCount]) != Double(Float(expected)), "training drops units")
    }
}
