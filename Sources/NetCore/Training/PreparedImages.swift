import Parallel

/// How images reach the network's first layer.
public enum InputForm: String, CaseIterable, Sendable, Codable {
    /// Sparse when under half of the pixels are non-zero (MNIST: 19 %), dense otherwise.
    case auto
    /// Each minibatch part is copied into a dense [batch, 784] block and multiplied by GEMM.
    case dense
    /// The set is kept in compressed-row form, each minibatch part's rows are copied together,
    /// and the first layer skips the zero pixels.
    case sparse
}

/// A labelled image set made ready for the network in the chosen `InputForm`: for training,
/// minibatches are gathered from it; for evaluation, contiguous ranges are read in place.
final class PreparedImages {
    let set: LabeledImages
    /// The pixels in compressed-row form, when sparse, cut into one column partition per thread.
    let sparse: ColumnPartitionedRows?
    /// Sparse form only: the current minibatch.
    private let batch: PartitionedSparseBatch
    /// Dense form only: the current minibatch, [capacity, pixelsPerImage].
    private var denseBatch: UnsafeMutablePointer<Float>
    private var denseCapacity = 0
    /// Threads that gather a minibatch (and, sparse, one column partition each).
    let threads: Int

    init(_ set: LabeledImages, form: InputForm, threads: Int = 1) {
        self.set = set
        self.threads = threads
        denseBatch = .allocateCacheAligned(capacity: 0)
        let compressed = form == .dense ? nil : set.pixels.withUnsafeBufferPointer {
            CompressedRows(dense: $0.baseAddress!, rows: set.count, columns: set.pixelsPerImage)
        }
        // nil (dense) for a set with over 256 distinct pixel values, which no 8-bit set has.
        sparse = compressed.flatMap { form == .sparse || $0.density < 0.5 ? $0 : nil }
            .map { ColumnPartitionedRows($0, partitions: threads) }
        batch = PartitionedSparseBatch(partitions: sparse == nil ? 1 : threads)
    }

    deinit { denseBatch.deallocate() }

    /// The form actually used.
    var form: InputForm { sparse == nil ? .dense : .sparse }

    /// Gathers the examples at `indices` into the minibatch and returns it as the first layer's
    /// input, valid until the next gather.
    func gather(_ indices: UnsafeBufferPointer<Int32>) -> LayerInput {
        if let sparse {
            batch.gather(indices, from: sparse)
            return .batch(batch)
        }
        let width = set.pixelsPerImage
        if indices.count > denseCapacity {
            denseBatch.deallocate()
            denseBatch = .allocateCacheAligned(capacity: indices.count * width)
            denseCapacity = indices.count
        }
        let target = denseBatch
        set.pixels.withUnsafeBufferPointer { pixels in
            parallelFor(count: indices.count, threads: threads, minimumChunk: 8) { rows in
                for row in rows {
                    (target + row * width).update(from: pixels.baseAddress! + Int(indices[row]) * width, count: width)
                }
            }
        }
        return .dense(denseBatch)
    }

    /// Calls `body` with the input for the contiguous examples `range`, read in place.
    func withInput<Result>(range: Range<Int>, _ body: (LayerInput) throws -> Result) rethrows -> Result {
        if let sparse {
            return try sparse.partitions[0].withRows(range) { try body(.sparse($0)) }
        }
        return try set.pixels.withUnsafeBufferPointer {
            try body(.dense($0.baseAddress! + range.lowerBound * set.pixelsPerImage))
        }
    }
}
