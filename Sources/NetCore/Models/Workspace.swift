import Parallel

/// A network's scratch memory for one batch, grown on demand to the largest batch seen: each
/// layer's outputs and the gradient of the loss before its activation, [batch, width] each, the
/// loss sum and correct count of each share of the examples, and the shares' partial sums of the
/// weight gradients summed by shares.
struct Workspace {
    /// Output width of each layer, input side first.
    private let widths: [Int]
    /// Elements of each layer's weight-gradient partial: inputs × outputs, or 0 for layers whose
    /// weight gradient is not summed by shares.
    private let partialSizes: [Int]
    /// Shares 1… of each such layer's weight gradient, [shares − 1][Σ partialSizes].
    private var partials = UnsafeMutablePointer<Float>.allocateCacheAligned(capacity: 0)
    private var partialShares = 1
    private(set) var capacity = 0
    private var storage: UnsafeMutablePointer<Float>?
    /// Where each buffer starts in `storage`: each layer's outputs, then its gradients, in turn.
    private var offsets: [Int] = []
    /// Per share of the examples: its loss sum and correct count, [shares, 2].
    private(set) var shareStatistics: UnsafeMutablePointer<Double>
    private var shareCapacity = 0

    /// Scratch for `layers`, input side first, whose kernels are `kernels`.
    init(layers: [Dense], kernels: [LayerKernels]) {
        widths = layers.map(\.outputs)
        partialSizes = zip(layers, kernels).map { layer, kernels in
            kernels.weightGradient == .byShares ? layer.inputs * layer.outputs : 0
        }
        shareStatistics = .allocate(capacity: 0)
    }

    /// Makes room for the weight-gradient partials of `shares` shares.
    mutating func reserveWeightPartials(shares: Int) {
        guard shares > partialShares else { return }
        partials.deallocate()
        partials = .allocateCacheAligned(capacity: (shares - 1) * partialSizes.reduce(0, +))
        partialShares = shares
    }

    /// Share `share`'s (≥ 1) partial sum of layer `layer`'s weight gradient, [inputs, outputs].
    func weightPartial(_ layer: Int, share: Int) -> UnsafeMutablePointer<Float> {
        partials + (share - 1) * partialSizes.reduce(0, +) + partialSizes[..<layer].reduce(0, +)
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
        partials.deallocate()
        shareStatistics.deallocate()
    }

    /// Layer `layer`'s outputs (after its activation; the logits for the last), [capacity, width].
    func outputs(_ layer: Int) -> UnsafeMutablePointer<Float> { storage! + offsets[2 * layer] }

    /// dLoss/dz of layer `layer` (before its activation), [capacity, width].
    func gradients(_ layer: Int) -> UnsafeMutablePointer<Float> { storage! + offsets[2 * layer + 1] }

    private static func roundedToLines(_ floats: Int) -> Int { (floats + 15) / 16 * 16 }
}
