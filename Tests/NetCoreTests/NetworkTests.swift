import Testing
import TestSupport
import Foundation
import NetCore
import Parallel

@Suite struct NetworkTests {
    @Test func configurationShapes() throws {
        let single = ModelConfiguration(kind: .single)
        #expect(single.hidden == [] && single.outputs == 1 && single.isBinary && single.digit == 5)
        #expect(single.layerWidths == [784, 1])
        #expect(ModelConfiguration(kind: .hidden).layerWidths == [784, 64, 1])
        #expect(ModelConfiguration(kind: .multiclass).layerWidths == [784, 64, 10])
        #expect(ModelConfiguration(kind: .multiclass, hidden: 0).layerWidths == [784, 10])
        #expect(!ModelConfiguration(kind: .multiclass).isBinary)
        #expect(Network(ModelConfiguration(kind: .multiclass), seed: 1).parameterCount == 784 * 64 + 64 + 64 * 10 + 10)
        let deep = ModelConfiguration(kind: .multiclass, inputs: 64, hidden: [256, 128, 64], activations: [.relu, .tanh, .sigmoid],
                                      classes: 26)
        #expect(deep.layerWidths == [64, 256, 128, 64, 26] && deep.outputs == 26)
        #expect(deep.activation(ofLayer: 1) == .tanh && deep.activation(ofLayer: 3) == nil)
        #expect(Network(deep, seed: 1).tensors.map(\.name) == ["dense1.weights", "dense1.bias", "dense2.weights", "dense2.bias",
                                                                "dense3.weights", "dense3.bias", "dense4.weights", "dense4.bias"])
        let shared = ModelConfiguration(kind: .hidden, hidden: [32, 16], activations: [.relu])
        #expect(shared.activations == [.relu, .relu] && shared.activationNames == "relu" && deep.activationNames == "relu,tanh,sigmoid")
    }

    @Test func configurationsReadTheirOldOneLayerForm() throws {
        let old = #"{"kind":"hidden","inputs":784,"hidden":64,"activation":"sigmoid","digit":5}"#
        let decoded = try JSONDecoder().decode(ModelConfiguration.self, from: Data(old.utf8))
        #expect(decoded == ModelConfiguration(kind: .hidden))
        let none = #"{"kind":"multiclass","inputs":784,"hidden":0,"activation":"relu","digit":5}"#
        #expect(try JSONDecoder().decode(ModelConfiguration.self, from: Data(none.utf8)).layerWidths == [784, 10])
        let deep = ModelConfiguration(kind: .multiclass, inputs: 64, hidden: [9, 8], activations: [.tanh, .relu], classes: 12)
        #expect(try JSONDecoder().decode(ModelConfiguration.self, from: JSONEncoder().encode(deep)) == deep)
    }

    @Test func invalidConfigurationsAreRejected() throws {
        #expect(throws: ModelConfigurationError.hiddenModelWithoutHiddenLayer) {
            try ModelConfiguration(kind: .hidden, hidden: 0).validate()
        }
        #expect(throws: ModelConfigurationError.digitOutOfRange(10, classes: 10)) {
            try ModelConfiguration(kind: .single, digit: 10).validate()
        }
        try ModelConfiguration(kind: .single, classes: 26, digit: 25).validate()
        #expect(throws: ModelConfigurationError.classesOutOfRange(1)) {
            try ModelConfiguration(kind: .multiclass, classes: 1).validate()
        }
        #expect(throws: ModelConfigurationError.classesOutOfRange(257)) {
            try ModelConfiguration(kind: .multiclass, classes: 257).validate()
        }
        #expect(throws: ModelConfigurationError.activationsDoNotMatch(2, 3)) {
            try ModelConfiguration(kind: .multiclass, hidden: [4, 4, 4], activations: [.relu, .tanh]).validate()
        }
        #expect(throws: ModelConfigurationError.inputsNotPositive(0)) {
            try ModelConfiguration(kind: .multiclass, inputs: 0).validate()
        }
        #expect(throws: ModelConfigurationError.hiddenNotPositive(-1)) {
            try ModelConfiguration(kind: .multiclass, hidden: -1).validate()
        }
        try ModelConfiguration(kind: .multiclass, hidden: 0, digit: 42).validate()
    }

    @Test(arguments: smallConfigurations + [ModelConfiguration(kind: .multiclass)])
    func tensorsTileTheBufferExactly(configuration: ModelConfiguration) throws {
        let network = Network(configuration, seed: 1)
        var offset = 0
        for tensor in network.tensors {
            #expect(tensor.offset == offset)
            offset += tensor.count
        }
        #expect(offset == network.parameterCount)
        #expect(network.parameters.count == network.parameterCount)
        #expect(network.gradientBuffer.count == network.parameterCount + Network.statisticsSlots)
        let widths = configuration.layerWidths
        let expectedNames = (1..<widths.count).flatMap { ["dense\($0).weights", "dense\($0).bias"] }
        #expect(network.tensors.map(\.name) == expectedNames)
        #expect(network.tensors[0].shape == [widths[0], widths[1]])
    }

    @Test func initializationIsSeededAndScaledPerActivation() throws {
        for activation in Activation.allCases {
            let configuration = ModelConfiguration(kind: .multiclass, activation: activation)
            let first = Network(configuration, seed: 42), again = Network(configuration, seed: 42)
            let other = Network(configuration, seed: 43)
            #expect(Array(first.parameters) == Array(again.parameters))
            #expect(Array(first.parameters) != Array(other.parameters))
            for tensor in first.tensors {
                let values = first.parameters[tensor.offset..<(tensor.offset + tensor.count)]
                let largest = values.map(abs).max()!
                if tensor.name.hasSuffix("bias") {
                    #expect(largest == 0)
                    continue
                }
                let (fanIn, fanOut) = (Float(tensor.shape[0]), Float(tensor.shape[1]))
                let isHeLayer = activation == .relu && tensor.name == "dense1.weights"
                let limit = isHeLayer ? (6 / fanIn).squareRoot() : (6 / (fanIn + fanOut)).squareRoot()
                #expect(largest <= limit && largest > 0.95 * limit, "\(tensor.name) \(activation)")
            }
        }
    }

    @Test(arguments: smallConfigurations)
    func evaluateAgreesWithComputeGradients(configuration: ModelConfiguration) throws {
        let network = Network(configuration, seed: 3)
        let (images, labels) = smallBatch(inputs: configuration.inputs, classes: configuration.classes)
        var predictions = [UInt8](repeating: 99, count: labels.count)
        let loss = network.evaluate(images: images, labels: labels, count: labels.count, predictions: &predictions)
        network.computeGradients(images: images, labels: labels, count: labels.count)
        #expect(Float(loss) == network.gradientBuffer[network.parameterCount])
        let answers = configuration.isBinary ? labels.map { $0 == UInt8(configuration.digit) ? 1 : 0 } : labels
        let correct = zip(predictions, answers).filter { $0 == $1 }.count
        #expect(Float(correct) == network.gradientBuffer[network.parameterCount + 1])
        #expect(predictions.allSatisfy { Int($0) < max(configuration.outputs, 2) })
    }

    @Test func gradientsAreBitIdenticalAcrossThreadCountsAndBatchGrowth() throws {
        let configuration = ModelConfiguration(kind: .multiclass, inputs: 40, hidden: 24, activation: .tanh)
        let (images, labels) = smallBatch(inputs: configuration.inputs, classes: configuration.classes)
        let single = Network(configuration, seed: 9)
        single.computeGradients(images: images, labels: labels, count: 5)
        let expected = Array(single.gradientBuffer)

        let threaded = Network(configuration, seed: 9)
        threaded.threads = 2
        threaded.computeGradients(images: images, labels: labels, count: 5)
        #expect(Array(threaded.gradientBuffer) == expected)

        single.computeGradients(images: images, labels: labels, count: 7)      // grows the workspace
        #expect(Array(single.gradientBuffer) != expected)
        single.computeGradients(images: images, labels: labels, count: 5)
        #expect(Array(single.gradientBuffer) == expected)
    }

    @Test(arguments: ModelKind.allCases)
    func emptyBatchGivesZeros(kind: ModelKind) throws {
        let network = Network(ModelConfiguration(kind: kind, inputs: 12, hidden: 5), seed: 1)
        let (images, labels) = smallBatch(inputs: 12)
        network.computeGradients(images: images, labels: labels, count: 7)
        #expect(network.gradientBuffer.contains { $0 != 0 })
        network.computeGradients(images: images, labels: labels, count: 0)
        #expect(network.gradientBuffer.allSatisfy { $0 == 0 })
        var predictions: [UInt8] = []
        #expect(network.evaluate(images: images, labels: labels, count: 0, predictions: &predictions) == 0)
    }

    @Test(arguments: smallConfigurations)
    func hugeWeightsKeepLossAndGradientsFinite(configuration: ModelConfiguration) throws {
        let network = Network(configuration, seed: 5)
        for index in network.parameters.indices { network.parameters[index] *= 2000 }
        let (images, labels) = smallBatch(inputs: configuration.inputs, classes: configuration.classes)
        network.computeGradients(images: images, labels: labels, count: labels.count)
        #expect(network.gradientBuffer.allSatisfy { $0.isFinite })
        #expect(network.gradientBuffer[network.parameterCount] > 100)
    }

    /// A sparse or dense minibatch cut into column partitions, one per thread (each thread
    /// multiplies its own partition, the rest of the step is split by examples), gives the dense
    /// gradients of one thread, loss and correct count included, up to float rounding.
    @Test(arguments: [ModelKind.single, .hidden, .multiclass], [(5, 1), (70, 1), (70, 2), (20, 3)])
    func partitionedBatchesGiveTheDenseGradients(kind: ModelKind, widthAndThreads: (Int, Int)) throws {
        let (hidden, threads) = widthAndThreads
        let configuration = ModelConfiguration(kind: kind, inputs: 40, hidden: hidden, activation: .sigmoid)
        // Ten 8-bit images about 70 % zeros, like MNIST; the batch names them several times each.
        let bytes = uniformValues(10 * 40, in: -1...1, seed: 31).map { $0 < 0.4 ? 0 : UInt8($0 * 255) }
        let examples = bytes.map { Float($0) / 255 }
        let sparse = try #require(bytes.withUnsafeBufferPointer {
            CompressedRows(bytes: $0.baseAddress!, rows: 10, columns: 40)
        })
        let rows: [Int32] = [3, 0, 7, 9, 3, 5, 1, 8, 2, 6, 4, 0, 9, 7, 5, 3, 1, 2, 8, 6, 4, 3, 3, 1, 0, 9, 8, 7, 6, 5,
                             4, 2, 1, 0]
        let labels = rows.map { UInt8(($0 * 7 + 3) % 10) }
        let gathered = rows.flatMap { examples[Int($0) * 40..<(Int($0) + 1) * 40] }

        let dense = Network(configuration, seed: 4)
        dense.computeGradients(images: gathered, labels: labels, count: rows.count)
        let sparseBatch = PartitionedSparseBatch(partitions: threads)
        rows.withUnsafeBufferPointer { sparseBatch.gather($0, from: ColumnPartitionedRows(sparse, partitions: threads)) }
        let denseBatch = PartitionedDenseBatch(columns: 40, partitions: threads)
        rows.withUnsafeBufferPointer { rows in
            bytes.withUnsafeBufferPointer { denseBatch.gather(rows, from: $0.baseAddress!) }
        }
        for input in [LayerInput.batch(sparseBatch), .batch(denseBatch)] {
            let partitioned = Network(configuration, seed: 4)
            partitioned.threads = threads
            partitioned.computeGradients(input: input, labels: labels, count: rows.count)
            #expect(partitioned.gradientBuffer[partitioned.parameterCount + 1]
                    == dense.gradientBuffer[dense.parameterCount + 1], "correct count")
            let scale = dense.gradientBuffer.map(abs).max()!
            for (a, b) in zip(partitioned.gradientBuffer, dense.gradientBuffer) {
                #expect(abs(a - b) <= 1e-5 * max(scale, 1), "\(input) \(a) vs dense \(b)")
            }
        }
    }
}
