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
        let examples = uniformValues(12 * inputs, in: -1...1, seed: 41).map { $0 < 0.2 ? 0 : $0 }
        let sparse = examples.withUnsafeBufferPointer {
            CompressedRows(dense: $0.baseAddress!, rows: 12, columns: inputs)
        }
        let rows: [Int32] = [3, 0, 7, 11, 3, 5, 1, 10, 8]
        let labels: [UInt8] = [5, 3, 5, 0, 9, 1, 5, 7, 2]
        let bounds = (0...slices).map { $0 * inputs / slices }

        let whole = Network(configuration, seed: 6)
        let batch = SparseBatch()
        rows.withUnsafeBufferPointer { batch.gather($0, from: sparse) }
        whole.computeGradients(input: .sparse(batch.rows), labels: labels, count: count)

        let sliced = Network(configuration, seed: 6)
        sliced.threads = slices
        let slicedBatch = SparseBatch()
        rows.withUnsafeBufferPointer { rows in
            slicedBatch.prepare(rows, from: sparse, columnSlices: bounds)
            for part in 0..<slices { slicedBatch.copy(part: part, of: slices) }
        }
        sliced.prepareSlices(count: count)
        for slice in 0..<slices {
            sliced.firstLayerProduct(input: .sparse(slicedBatch.rows(slice: slice)), slice: slice, count: count)
        }
        labels.withUnsafeBufferPointer { labels in
            for share in 0..<slices {
                sliced.finishExamples((share * count / slices)..<((share + 1) * count / slices), share: share,
                                      labels: labels.baseAddress!)
            }
        }
        for slice in 0..<slices {
            sliced.firstLayerWeightGradient(input: .sparse(slicedBatch.rows(slice: slice)), slice: slice, count: count)
        }

        let scale = whole.gradientBuffer.map(abs).max()!
        for (index, (a, b)) in zip(sliced.gradientBuffer, whole.gradientBuffer).enumerated().dropLast() {
            #expect(abs(a - b) <= 1e-5 * max(scale, 1), "[\(index)] sliced \(a) vs whole \(b)")
        }
        #expect(whole.gradientBuffer[whole.parameterCount] > 0)
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
}
