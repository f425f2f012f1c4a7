/// A network's scratch memory for one batch, grown on demand to the largest batch seen:
/// hidden activations and their gradients [batch, hidden], logits and theirs [batch, outputs],
/// and with the first layer's inputs split between threads, each slice's share of its x·W.
struct Workspace {
    private let hidden: Int
    private let outputs: Int
    private let slices: Int
    private(set) var capacity = 0
    private var storage: UnsafeMutablePointer<Float>?
    /// Per thread sharing a split step's examples: its loss sum and correct count, [slices, 2].
    let shareStatistics: UnsafeMutablePointer<Double>
    /// Per thread sharing a split step's examples: its examples' share of the gradients that sum
    /// over the batch, in a buffer laid out like the model's gradients, [slices, parameters]
    /// (only the entries after the first layer's weights are written; the rest is never touched).
    private let shareGradientStorage: UnsafeMutablePointer<Float>
    private let parameters: Int

    /// Scratch sized for `layerWidths` ([inputs, hidden, outputs] or [inputs, outputs]).
    init(layerWidths: [Int], slices: Int = 1) {
        hidden = layerWidths.count > 2 ? layerWidths[1] : 0
        outputs = layerWidths[layerWidths.count - 1]
        self.slices = slices
        shareStatistics = .allocate(capacity: 2 * slices)
        shareStatistics.initialize(repeating: 0, count: 2 * slices)
        parameters = Self.roundedToLines(zip(layerWidths, layerWidths.dropFirst()).map { ($0 + 1) * $1 }.reduce(0, +))
        shareGradientStorage = .allocateCacheAligned(capacity: slices > 1 ? slices * parameters : 0)
    }

    /// Makes room for `batch` examples (the contents are then undefined).
    mutating func reserve(batch: Int) {
        guard batch > capacity else { return }
        storage?.deallocate()
        let count = batch * 2 * (hidden + outputs) + slices * Self.roundedToLines(batch * firstWidth)
        let memory = UnsafeMutablePointer<Float>.allocateCacheAligned(capacity: count)
        memory.initialize(repeating: 0, count: count)
        storage = memory
        capacity = batch
    }

    /// Frees the memory; the owner calls this once, from its deinit.
    func deallocate() {
        storage?.deallocate()
        shareStatistics.deallocate()
        shareGradientStorage.deallocate()
    }

    /// Share `share`'s gradient buffer (see `shareGradientStorage`).
    func shareGradients(_ share: Int) -> UnsafeMutablePointer<Float> {
        shareGradientStorage + share * parameters
    }

    /// [capacity, hidden]
    var hiddenActivations: UnsafeMutablePointer<Float> { storage! }
    /// [capacity, hidden]
    var hiddenGradients: UnsafeMutablePointer<Float> { storage! + capacity * hidden }
    /// [capacity, outputs]
    var logits: UnsafeMutablePointer<Float> { storage! + 2 * capacity * hidden }
    /// [capacity, outputs]
    var logitGradients: UnsafeMutablePointer<Float> { storage! + capacity * (2 * hidden + outputs) }

    /// [capacity, first layer's width]: slice `slice`'s share of the first layer's x·W; each
    /// share starts on its own cache line, so the threads writing them do not share one.
    func partialProduct(_ slice: Int) -> UnsafeMutablePointer<Float> {
        storage! + 2 * capacity * (hidden + outputs) + slice * Self.roundedToLines(capacity * firstWidth)
    }

    /// Outputs of the first layer.
    private var firstWidth: Int { hidden > 0 ? hidden : outputs }

    private static func roundedToLines(_ floats: Int) -> Int { (floats + 15) / 16 * 16 }
}
