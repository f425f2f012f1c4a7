/// A network's scratch memory for one batch, grown on demand to the largest batch seen: each
/// layer's outputs and the gradient of the loss before its activation, [batch, width] each, and
/// the loss sum and correct count of each share of the examples.
struct Workspace {
    /// Output width of each layer, input side first.
    private let widths: [Int]
    private(set) var capacity = 0
    private var storage: UnsafeMutablePointer<Float>?
    /// Where each buffer starts in `storage`: each layer's outputs, then its gradients, in turn.
    private var offsets: [Int] = []
    /// Per share of the examples: its loss sum and correct count, [shares, 2].
    private(set) var shareStatistics: UnsafeMutablePointer<Double>
    private var shareCapacity = 0

    /// Scratch for layers with `layerWidths` [inputs, …, outputs].
    init(layerWidths: [Int]) {
        widths = Array(layerWidths.dropFirst())
        shareStatistics = .allocate(capacity: 0)
    }

    /// Makes room for `batch` examples in `shares` shares (the contents are then undefined).
    mutating func reserve(batch: Int, shares: Int) {
        if shares > shareCapacity {
            shareStatistics.deallocate()
            shareStatistics = .allocate(capacity: 2 * shares)
            shareCapacity = shares
        }
        guard batch > capacity else { return }
        storage?.deallocate()
        offsets = widths.flatMap { [Self.roundedToLines(batch * $0), Self.roundedToLines(batch * $0)] }
            .reduce(into: [0]) { $0.append($0.last! + $1) }
        let count = offsets.removeLast()
        let memory = UnsafeMutablePointer<Float>.allocateCacheAligned(capacity: count)
        memory.initialize(repeating: 0, count: count)
        storage = memory
        capacity = batch
    }

    /// Frees the memory; the owner calls this once, from its deinit.
    func deallocate() {
        storage?.deallocate()
        shareStatistics.deallocate()
    }

    /// Layer `layer`'s outputs (after its activation; the logits for the last), [capacity, width].
    func outputs(_ layer: Int) -> UnsafeMutablePointer<Float> { storage! + offsets[2 * layer] }

    /// dLoss/dz of layer `layer` (before its activation), [capacity, width].
    func gradients(_ layer: Int) -> UnsafeMutablePointer<Float> { storage! + offsets[2 * layer + 1] }

    private static func roundedToLines(_ floats: Int) -> Int { (floats + 15) / 16 * 16 }
}
