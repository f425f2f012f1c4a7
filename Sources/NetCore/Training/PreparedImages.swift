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

/// A labelled image set made ready for the network in the chosen `InputForm`.
final class PreparedImages {
    let set: LabeledImages
    /// The pixels in compressed-row form, when sparse.
    let sparse: CompressedRows?
    /// Sparse form only: the rows of the current minibatch part, and the same grouped by pixel.
    private let batch = SparseBatch(), batchColumns = ColumnGrouping()
    /// Whether minibatches are also grouped by pixel for the backward product: worth it when
    /// the first layer is at least `columnGroupingMinimumWidth` wide.
    var groupsByPixel = false
    /// After `splitByPixels`: the set cut into pixel slices, and each slice's minibatch.
    private var pixelSliceSets: [CompressedRows] = [], pixelSliceBatches: [SparseBatch] = []
    /// Each pixel slice's minibatch grouped by pixel, for the backward product.
    private var pixelSliceColumns: [ColumnGrouping] = []

    init(_ set: LabeledImages, form: InputForm) {
        self.set = set
        guard form != .dense else {
            sparse = nil
            return
        }
        let compressed = set.pixels.withUnsafeBufferPointer {
            CompressedRows(dense: $0.baseAddress!, rows: set.count, columns: set.pixelsPerImage)
        }
        // nil (dense) for a set with over 256 distinct pixel values, which no 8-bit set has.
        sparse = compressed.flatMap { form == .sparse || $0.density < 0.5 ? $0 : nil }
    }

    /// The form actually used.
    var form: InputForm { sparse == nil ? .dense : .sparse }

    /// Calls `body` with the input for the examples at `indices`, gathered first: sparse sets into
    /// their own batch (with `groupsByPixel`, also grouped by pixel), dense ones into
    /// `scratch` [indices.count, pixelsPerImage].
    func withInput<Result>(examples indices: UnsafeBufferPointer<Int32>, scratch: UnsafeMutablePointer<Float>,
                           _ body: (LayerInput) throws -> Result) rethrows -> Result {
        if let sparse {
            batch.gather(indices, from: sparse)
            return try body(.sparse(batch.rows, columns: groupsByPixel ? batchColumns.group(batch.rows) : nil))
        }
        let width = set.pixelsPerImage
        set.pixels.withUnsafeBufferPointer { pixels in
            for (row, index) in indices.enumerated() {
                (scratch + row * width).update(from: pixels.baseAddress! + Int(index) * width, count: width)
            }
        }
        return try body(.dense(scratch))
    }

    /// Bounds that cut the pixels into `slices` ranges holding nearly equal shares of the set's
    /// non-zeros (sparse sets only): [0, …, pixelsPerImage].
    func pixelSlices(_ slices: Int) -> [Int] {
        guard let sparse else { preconditionFailure("pixel slices of a dense set") }
        var perPixel = [Int](repeating: 0, count: sparse.columns)
        for column in sparse.columnIndices { perPixel[Int(column)] += 1 }
        var bounds = [0], seen = 0
        for (pixel, count) in perPixel.enumerated() where bounds.count < slices {
            seen += count
            if seen * slices >= bounds.count * sparse.nonZeros { bounds.append(pixel + 1) }
        }
        while bounds.count <= slices { bounds.append(sparse.columns) }
        bounds[slices] = sparse.columns
        return bounds
    }

    /// Cuts the set into the pixel slices `bounds` (from `pixelSlices`), one set per slice with
    /// each image's entries in those pixels, for `gather(pixelSlice:examples:)`. A thread that
    /// owns a slice of the first layer then gathers and reads only its own slice's entries: the
    /// batch does not cross between cores.
    func splitByPixels(_ bounds: [Int]) {
        guard let sparse else { preconditionFailure("pixel slices of a dense set") }
        pixelSliceSets = (0..<(bounds.count - 1)).map { CompressedRows(sparse, columns: bounds[$0]..<bounds[$0 + 1]) }
        pixelSliceBatches = pixelSliceSets.map { _ in SparseBatch() }
        pixelSliceColumns = pixelSliceSets.map { _ in ColumnGrouping() }
    }

    /// Gathers the examples at `indices` from pixel slice `slice` of `splitByPixels`.
    func gather(pixelSlice slice: Int, examples indices: UnsafeBufferPointer<Int32>) {
        pixelSliceBatches[slice].gather(indices, from: pixelSliceSets[slice])
    }

    /// With `groupsByPixel`, groups the examples last gathered from pixel slice `slice` by pixel,
    /// for `input(pixelSlice:forBackward:)`.
    func groupByPixel(slice: Int) {
        if groupsByPixel { pixelSliceColumns[slice].group(pixelSliceBatches[slice].rows) }
    }

    /// The examples last gathered from pixel slice `slice`, valid until its next gather; for the
    /// backward product, with their grouping by pixel when `groupsByPixel`.
    func input(pixelSlice slice: Int, forBackward: Bool = false) -> LayerInput {
        .sparse(pixelSliceBatches[slice].rows,
                columns: forBackward && groupsByPixel ? pixelSliceColumns[slice].columns : nil)
    }

    /// Calls `body` with the input for the contiguous examples `range`, read in place.
    func withInput<Result>(range: Range<Int>, _ body: (LayerInput) throws -> Result) rethrows -> Result {
        if let sparse {
            return try sparse.withRows(range) { try body(.sparse($0)) }
        }
        return try set.pixels.withUnsafeBufferPointer {
            try body(.dense($0.baseAddress! + range.lowerBound * set.pixelsPerImage))
        }
    }
}
