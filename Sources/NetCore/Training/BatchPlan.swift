/// How one epoch's shuffled order is cut into global minibatches and each minibatch into
/// nearly equal, disjoint parts, one per rank.
///
/// Over an epoch the ranks together see every example exactly once. The last minibatch may be
/// short; a rank whose part is empty still takes part in the step (with zero gradients), so no
/// rank ever waits for a collective the others skip.
public struct BatchPlan: Sendable, Equatable {
    /// Examples in the epoch (60,000 for MNIST's training set).
    public let examples: Int
    /// The global minibatch size.
    public let batchSize: Int
    /// Ranks sharing each minibatch.
    public let ranks: Int

    public init(examples: Int, batchSize: Int, ranks: Int) {
        precondition(examples > 0 && batchSize > 0 && ranks > 0)
        self.examples = examples
        self.batchSize = batchSize
        self.ranks = ranks
    }

    /// Steps (global minibatches) per epoch, the last one possibly short.
    public var steps: Int { (examples + batchSize - 1) / batchSize }

    /// Positions in the epoch's order covered by global minibatch `step`.
    public func batch(_ step: Int) -> Range<Int> {
        let start = step * batchSize
        return start..<min(start + batchSize, examples)
    }

    /// Positions of `rank`'s part of minibatch `step`: the first `size % ranks` ranks take one more.
    public func part(_ step: Int, rank: Int) -> Range<Int> {
        let batch = batch(step)
        let base = batch.count / ranks, extra = batch.count % ranks
        let start = batch.lowerBound + rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }
}
