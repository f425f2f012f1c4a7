import Testing
import NetCore
import Parallel

/// A step whose first layer is split by pixels between threads (Network+InputSlices) computes the
/// gradients, loss and correct count of the whole-batch `computeGradients`, up to float rounding.
@Suite struct InputSlicesTests {
    @Test(arguments: [ModelKind.single, .hidden, .multiclass], [2, 3])
    func slicedStepGivesTheWholeStepsGradients(kind: ModelKind, slices: Int) throws {
        let inputs = 40, count = 9
        let configuration = ModelConfiguration(kind: kind, inputs: inputs, hidden: kind == .single ? 0 : 20,
                                                activation: .tanh)
        // Twelve examples about 60 % zeros, like MNIST; the batch names nine, one twice.
        let sparse = try sparseExamples(12, inputs: inputs, zeroBelow: 0.2, seed: 41)
        let rows: [Int32] = [3, 0, 7, 11, 3, 5, 1, 10, 8]
        let labels: [UInt8] = [5, 3, 5, 0, 9, 1, 5, 7, 2]
        let bounds = (0...slices).map { $0 * inputs / slices }

        let whole = Network(configuration, seed: 6)
        computeWholeGradients(whole, sparse, rows: rows, labels: labels)

        let sliced = Network(configuration, seed: 6)
        let sliceBatches = slicedInputs(sparse, rows: rows, bounds: bounds)
        runPhases(sliced, inputs: sliceBatches.map(\.rows), labels: labels) { slice in
            sliced.firstLayerWeightGradient(input: sliceBatches[slice].input, slice: slice, count: count)
        }

        let scale = whole.gradientBuffer.map(abs).max()!
        for (index, (a, b)) in zip(sliced.gradientBuffer, whole.gradientBuffer).enumerated().dropLast() {
            #expect(abs(a - b) <= 1e-5 * max(scale, 1), "[\(index)] sliced \(a) vs whole \(b)")
        }
        #expect(whole.gradientBuffer[whole.parameterCount] > 0)
        #expect(whole.gradientBuffer[whole.parameterCount + 1] == sliced.gradientBuffer[sliced.parameterCount + 1])
    }

    /// With plain SGD the sliced step adds the update into the parameters itself
    /// (`firstLayerWeightStep`): the parameters it leaves equal the whole step's gradients
    /// followed by `SGD.update`.
    @Test(arguments: [ModelKind.single, .hidden, .multiclass], [2, 3])
    func slicedPlainStepUpdatesLikeSGD(kind: ModelKind, slices: Int) throws {
        let inputs = 30, count = 7, rate: Float = 0.5
        let configuration = ModelConfiguration(kind: kind, inputs: inputs, hidden: kind == .single ? 0 : 16,
                                                activation: .relu)
        let sparse = try sparseExamples(10, inputs: inputs, zeroBelow: 0.3, seed: 17)
        let rows: [Int32] = [2, 9, 4, 4, 0, 7, 1]
        let labels: [UInt8] = [5, 1, 5, 3, 0, 8, 5]
        let bounds = (0...slices).map { $0 * inputs / slices }

        let whole = Network(configuration, seed: 3)
        computeWholeGradients(whole, sparse, rows: rows, labels: labels)
        var sgd = SGD(learningRate: rate, momentum: 0, parameterCount: whole.parameterCount)
        sgd.update(parameters: whole.parameters, gradientSum: UnsafeBufferPointer(whole.gradientBuffer),
                   examples: count)

        let sliced = Network(configuration, seed: 3)
        let before = Array(sliced.parameters)
        let sliceBatches = slicedInputs(sparse, rows: rows, bounds: bounds)
        var slicedSGD = SGD(learningRate: rate, momentum: 0, parameterCount: sliced.parameterCount)
        slicedSGD.withStep(parameters: sliced.parameters, gradientSum: sliced.gradientBuffer.baseAddress!,
                           examples: count) { step in
            runPhases(sliced, inputs: sliceBatches.map(\.rows), labels: labels) { slice in
                sliced.firstLayerWeightStep(input: sliceBatches[slice].input, slice: slice, count: count, step: step)
            }
        }
        let scale = zip(whole.parameters, before).map { abs($0 - $1) }.max()!
        #expect(scale > 1e-3, "the step moved the parameters")
        for (index, (a, b)) in zip(sliced.parameters, whole.parameters).enumerated() {
            #expect(abs(a - b) <= 1e-5 * scale, "[\(index)] sliced step \(a) vs gradients + update \(b)")
        }
        #expect(whole.gradientBuffer[whole.parameterCount + 1] == sliced.gradientBuffer[sliced.parameterCount + 1])
    }

    @Test(arguments: [2, 3, 5])
    func slicesOwnEveryParameterOnce(slices: Int) throws {
        let network = Network(ModelConfiguration(kind: .multiclass, inputs: 50, hidden: 12), seed: 1)
        let bounds = (0...slices).map { $0 * 50 / slices }
        var owners = [Int](repeating: 0, count: network.parameterCount)
        for slice in 0..<slices {
            for range in network.parameterRanges(pixels: bounds[slice]..<bounds[slice + 1], first: slice == 0) {
                for index in range { owners[index] += 1 }
            }
        }
        #expect(owners.allSatisfy { $0 == 1 })
    }

    /// `count` examples of uniform values in [-1, 1), those below `zeroBelow` set to zero.
    private func sparseExamples(_ count: Int, inputs: Int, zeroBelow: Float, seed: UInt64) throws -> CompressedRows {
        let examples = uniformValues(count * inputs, in: -1...1, seed: seed).map { $0 < zeroBelow ? 0 : $0 }
        return try #require(examples.withUnsafeBufferPointer {
            CompressedRows(dense: $0.baseAddress!, rows: count, columns: inputs)
        })
    }

    /// The whole (unsplit) step's gradients of the examples `rows`, into `network.gradientBuffer`.
    private func computeWholeGradients(_ network: Network, _ sparse: CompressedRows, rows: [Int32], labels: [UInt8]) {
        let batch = SparseBatch(), grouping = ColumnGrouping()
        rows.withUnsafeBufferPointer { batch.gather($0, from: sparse) }
        network.computeGradients(input: .sparse(batch.rows, columns: grouping.group(batch.rows)), labels: labels,
                                 count: rows.count)
        withExtendedLifetime(grouping) {}
    }

    /// One slice's batch as a trainer's thread makes it: gathered from the slice's set of the
    /// entries, and grouped by pixel for the backward product.
    private struct SliceBatch {
        let batch = SparseBatch(), grouping = ColumnGrouping()
        var rows: SparseRows { batch.rows }
        var input: LayerInput { .sparse(batch.rows, columns: grouping.columns) }
    }

    private func slicedInputs(_ sparse: CompressedRows, rows: [Int32], bounds: [Int]) -> [SliceBatch] {
        (0..<(bounds.count - 1)).map { slice in
            let sliceBatch = SliceBatch()
            let part = CompressedRows(sparse, columns: bounds[slice]..<bounds[slice + 1])
            rows.withUnsafeBufferPointer { sliceBatch.batch.gather($0, from: part) }
            sliceBatch.grouping.group(sliceBatch.batch.rows)
            return sliceBatch
        }
    }

    /// The phases of a sliced step on one thread, slice after slice: products, the rest of the
    /// step in shares of the batch, then `lastPhase` for each slice.
    private func runPhases(_ network: Network, inputs: [SparseRows], labels: [UInt8], lastPhase: (Int) -> Void) {
        let slices = inputs.count, count = inputs[0].count
        network.threads = slices
        network.prepareSlices(count: count)
        for slice in 0..<slices {
            network.firstLayerProduct(input: .sparse(inputs[slice]), slice: slice, count: count)
        }
        labels.withUnsafeBufferPointer { labels in
            for share in 0..<slices {
                network.finishExamples((share * count / slices)..<((share + 1) * count / slices), share: share,
                                       labels: labels.baseAddress!)
            }
        }
        for slice in 0..<slices { lastPhase(slice) }
    }
}
