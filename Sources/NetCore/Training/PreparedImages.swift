import Parallel

/// How images reach the network's first layer.
public enum InputForm: String, CaseIterable, Sendable, Codable {
    /// Sparse when under 30 % of the pixels are non-zero (MNIST: 19 %), dense otherwise (Fashion-MNIST: 50 %).
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
    /// The examples' labels. [count]
    let labels: [UInt8]
    /// The number of examples.
    var count: Int { labels.count }
    /// Each image's size.
    private let rows: Int, columns: Int
    private var pixelsPerImage: Int { rows * columns }
    /// The set's pixels as bytes [count, pixelsPerImage] when dense; empty when sparse, where the
    /// compressed rows replace them (MNIST's training set: 27 MB instead of 47).
    private let pixels: [UInt8]
    /// The pixels in compressed-row form, when sparse, cut into column partitions (a training set)
    /// or whole (a set read in place).
    let sparse: ColumnPartitionedRows?
    /// The current minibatch, in the form of the set: each thread gathers and multiplies its
    /// partitions of the columns.
    private let sparseBatch: PartitionedSparseBatch, denseBatch: PartitionedDenseBatch
    /// With augmentation: how images are distorted (from `seed`), the gathered examples'
    /// distorted images [count, pixelsPerImage] and the positions 0, 1, 2, … in that block.
    private let augmentation: Augmentation?, seed: UInt64, threads: Int
    /// The share of the gathered pixels dropped (0: none), see `Dropout.dropInputs`.
    private let inputDropout: Float
    private var distorted: [UInt8] = [], positions: [Int32] = []

    /// `set` in `form`, read in place (a set that is only evaluated); or, for training, its
    /// pixels cut into `partitions` column partitions (a number that must not depend on the
    /// threads: the first layer adds the partitions' partial products in partition order), their
    /// minibatches gathered and multiplied by up to `threads` threads. With `augmentation` or
    /// `inputDropout` the form is always dense: distorted and dropped images are made batch by
    /// batch (from `seed`). A sparse set keeps no reference to `set`'s pixels: handed over as
    /// their only owner, they are freed when this returns.
    init(_ set: consuming LabeledImages, form: InputForm, partitions: Int = 1, threads: Int = 1,
         augmentation: Augmentation? = nil, inputDropout: Float = 0, seed: UInt64 = 0) {
        (labels, rows, columns) = (set.labels, set.rows, set.columns)
        self.augmentation = augmentation
        self.inputDropout = inputDropout
        self.seed = seed
        self.threads = threads
        let form = augmentation == nil && inputDropout == 0 ? form : .dense
        sparse = form == .dense ? nil : set.pixels.withUnsafeBufferPointer { pixels in
            let (rows, columns) = (set.count, set.pixelsPerImage)
            let perColumn = ColumnPartitionedRows.nonZeros(perColumnOf: pixels.baseAddress!, rows: rows, columns: columns)
            let density = rows == 0 ? 0 : Double(perColumn.reduce(0, +)) / Double(rows * columns)
            guard form == .sparse || density < Self.sparseBelowDensity else { return nil }
            // nil (dense) for images of over 65,536 pixels.
            return ColumnPartitionedRows(bytes: pixels.baseAddress!, rows: rows, columns: columns, perColumn: perColumn,
                                         partitions: partitions)
        }
        pixels = sparse == nil ? set.pixels : []
        sparseBatch = PartitionedSparseBatch(partitions: sparse == nil ? 1 : partitions, threads: threads)
        denseBatch = PartitionedDenseBatch(columns: set.pixelsPerImage, partitions: sparse == nil ? partitions : 1,
                                           threads: threads)
    }

    /// The density below which `.auto` reads a set sparse: MNIST (19 % non-zero) trains faster
    /// sparse, Fashion-MNIST (50 %) dense (docs/performance.md).
    static let sparseBelowDensity = 0.3

    /// The form actually used.
    var form: InputForm { sparse == nil ? .dense : .sparse }

    /// Each team member's columns of the minibatch (its run of partitions): the rows of the first
    /// layer's weights it multiplies, and whose gradient it writes.
    var memberColumns: [Range<Int>] {
        let bounds = sparse?.bounds ?? denseBatch.bounds
        return Team.runs(parts: bounds.count - 1, threads: threads).map { bounds[$0.lowerBound]..<bounds[$0.upperBound] }
    }

    /// Gathers the examples at `indices` into the minibatch and returns it as the first layer's
    /// input, valid until the next gather. With augmentation, each is distorted, and with input
    /// dropout its pixels dropped, as drawn from (seed, `epoch`, its index).
    func gather(_ indices: UnsafeBufferPointer<Int32>, epoch: Int = 0) -> LayerInput {
        if let sparse {
            sparseBatch.gather(indices, from: sparse)
            return .batch(sparseBatch)
        }
        let (width, seed, rate) = (pixelsPerImage, seed, inputDropout)
        let dropInputs: ((Int, UnsafeMutablePointer<Float>) -> Void)? = rate == 0 ? nil : { position, row in
            Dropout.dropInputs(row, count: width, seed: seed, epoch: epoch, example: Int(indices[position]), rate: rate)
        }
        if let augmentation {
            distort(indices, epoch: epoch, augmentation)
            positions.withUnsafeBufferPointer { positions in
                distorted.withUnsafeBufferPointer {
                    denseBatch.gather(UnsafeBufferPointer(rebasing: positions[..<indices.count]), from: $0.baseAddress!,
                                      finish: dropInputs)
                }
            }
        } else {
            pixels.withUnsafeBufferPointer { denseBatch.gather(indices, from: $0.baseAddress!, finish: dropInputs) }
        }
        return .batch(denseBatch)
    }

    /// Writes the distorted images of the examples at `indices` into `distorted`, in order, the
    /// examples shared out over the threads.
    private func distort(_ indices: UnsafeBufferPointer<Int32>, epoch: Int, _ augmentation: Augmentation) {
        let width = pixelsPerImage, (rows, columns, seed) = (self.rows, self.columns, self.seed)
        if indices.count > positions.count {
            positions = (0..<Int32(indices.count)).map { $0 }
            distorted = [UInt8](repeating: 0, count: indices.count * width)
        }
        pixels.withUnsafeBufferPointer { pixels in
            distorted.withUnsafeMutableBufferPointer { distorted in
                let (pixels, distorted) = (pixels.baseAddress!, distorted.baseAddress!)
                parallelFor(count: indices.count, threads: threads, minimumChunk: 8) { range in
                    for position in range {
                        let example = Int(indices[position])
                        augmentation.distort(distorted + position * width, image: pixels + example * width,
                                             rows: rows, columns: columns, seed: seed, epoch: epoch, example: example)
                    }
                }
            }
        }
    }

    /// Calls `body` with the input for the contiguous examples `range`: sparse rows read in place
    /// (a set prepared with one thread), or dense ones as byte / 255.
    func withInput<Result>(range: Range<Int>, _ body: (LayerInput) throws -> Result) rethrows -> Result {
        if let sparse {
            return try sparse.matrix.withRows(range) { try body(.sparse($0)) }
        }
        let width = pixelsPerImage
        return try withUnsafeTemporaryAllocation(of: Float.self, capacity: range.count * width) { values in
            pixels.withUnsafeBufferPointer {
                unitFloats(values.baseAddress!, $0.baseAddress! + range.lowerBound * width, count: range.count * width)
            }
            return try body(.dense(values.baseAddress!))
        }
    }
}
