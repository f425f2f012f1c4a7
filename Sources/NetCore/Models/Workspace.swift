/// A network's scratch memory for one batch, grown on demand to the largest batch seen:
/// hidden activations and their gradients [batch, hidden], logits and theirs [batch, outputs].
struct Workspace {
    private let hidden: Int
    private let outputs: Int
    private(set) var capacity = 0
    private var storage: UnsafeMutablePointer<Float>?

    /// Scratch sized for `layerWidths` ([inputs, hidden, outputs] or [inputs, outputs]).
    init(layerWidths: [Int]) {
        hidden = layerWidths.count > 2 ? layerWidths[1] : 0
        outputs = layerWidths[layerWidths.count - 1]
    }

    /// Makes room for `batch` examples (the contents are then undefined).
    mutating func reserve(batch: Int) {
        guard batch > capacity else { return }
        storage?.deallocate()
        let count = batch * 2 * (hidden + outputs)
        let memory = UnsafeMutablePointer<Float>.allocateCacheAligned(capacity: count)
        memory.initialize(repeating: 0, count: count)
        storage = memory
        capacity = batch
    }

    /// Frees the memory; the owner calls this once, from its deinit.
    func deallocate() { storage?.deallocate() }

    /// [capacity, hidden]
    var hiddenActivations: UnsafeMutablePointer<Float> { storage! }
    /// [capacity, hidden]
    var hiddenGradients: UnsafeMutablePointer<Float> { storage! + capacity * hidden }
    /// [capacity, outputs]
    var logits: UnsafeMutablePointer<Float> { storage! + 2 * capacity * hidden }
    /// [capacity, outputs]
    var logitGradients: UnsafeMutablePointer<Float> { storage! + capacity * (2 * hidden + outputs) }
}
