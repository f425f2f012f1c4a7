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
    /// Sparse form only: the rows of the current minibatch part.
    private let batch = SparseBatch()

    init(_ set: LabeledImages, form: InputForm) {
        self.set = set
        guard form != .dense else {
            sparse = nil
            return
        }
        let compressed = set.pixels.withUnsafeBufferPointer {
            CompressedRows(dense: $0.baseAddress!, rows: set.count, columns: set.pixelsPerImage)
        }
        let useSparse = form == .sparse || compressed.density < 0.5
        sparse = useSparse ? compressed : nil
    }

    /// The form actually used.
    var form: InputForm { sparse == nil ? .dense : .sparse }

    /// Calls `body` with the input for the examples at `indices`, gathered first: sparse sets into
    /// their own batch, dense ones into `scratch` [indices.count, pixelsPerImage].
    func withInput<Result>(examples indices: UnsafeBufferPointer<Int32>, scratch: UnsafeMutablePointer<Float>,
                           _ body: (LayerInput) throws -> Result) rethrows -> Result {
        let input = prepareInput(examples: indices, scratch: scratch)
        gather(part: 0, of: 1, examples: indices, scratch: scratch)
        return try body(input)
    }

    /// The input for the examples at `indices`, once `gather` has run for every part: the
    /// gather can then be shared between threads. The same buffers as `withInput`'s. With
    /// `pixelSlices` (sparse sets only), `input(pixelSlice:)` then gives each slice's entries.
    func prepareInput(examples indices: UnsafeBufferPointer<Int32>, scratch: UnsafeMutablePointer<Float>,
                      pixelSlices: [Int]? = nil) -> LayerInput {
        guard let sparse else { return .dense(scratch) }
        batch.prepare(indices, from: sparse, columnSlices: pixelSlices)
        return .sparse(batch.rows)
    }

    /// The prepared and gathered examples' entries in pixel slice `slice` of `prepareInput`'s.
    func input(pixelSlice slice: Int) -> LayerInput {
        .sparse(batch.rows(slice: slice))
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
            if seen * slices >= bounds.count * sparse.values.count { bounds.append(pixel + 1) }
        }
        while bounds.count <= slices { bounds.append(sparse.columns) }
        bounds[slices] = sparse.columns
        return bounds
    }

    /// Copies part `part` of `parts` nearly equal parts of the examples prepared by `prepareInput`.
    func gather(part: Int, of parts: Int, examples indices: UnsafeBufferPointer<Int32>,
                scratch: UnsafeMutablePointer<Float>) {
        guard sparse == nil else { return batch.copy(part: part, of: parts) }
        let width = set.pixelsPerImage
        set.pixels.withUnsafeBufferPointer { pixels in
            for row in (part * indices.count / parts)..<((part + 1) * indices.count / parts) {
                (scratch + row * width).update(from: pixels.baseAddress! + Int(indices[row]) * width, count: width)
            }
        }
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
