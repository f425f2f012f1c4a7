/// How one epoch's shuffled order is cut into global minibatches and each minibatch into
/// nearly equal, disjoint parts, one per rank.
///
/// Parts are made of whole `chunk`s: runs of `chunk` positions counted from the minibatch's
/// start (the last one possibly short), so a chunk holds the same examples whatever the number
/// of ranks (the exact sum, `ExactGradientSum`, relies on it; chunk 1 cuts anywhere).
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
    /// Positions a part is made of whole runs of (1: any number).
    public let chunk: Int

    public init(examples: Int, batchSize: Int, ranks: Int, chunk: Int = 1) {
        precondition(examples > 0 && batchSize > 0 && ranks > 0 && chunk > 0)
        self.examples = examples
        self.batchSize = batchSize
        self.ranks = ranks
        self.chunk = chunk
    }

    /// Steps (global minibatches) per epoch, the last one possibly short.
    public var steps: Int { (examples + batchSize - 1) / batchSize }

    /// Positions in the epoch's order covered by global minibatch `step`.
    public func batch(_ step: Int) -> Range<Int> {
        let start = step * batchSize
        return start..<min(start + batchSize, examples)
    }

    /// Positions of `rank`'s part of minibatch `step`: its chunks shared out evenly, the first
    /// `chunks % ranks` ranks taking one more.
    public func part(_ step: Int, rank: Int) -> Range<Int> {
        let batch = batch(step)
        let chunks = (batch.count + chunk - 1) / chunk
        let base = chunks / ranks, extra = chunks % ranks
        let first = rank * base + min(rank, extra), count = base + (rank < extra ? 1 : 0)
        let start = min(batch.lowerBound + first * chunk, batch.upperBound)
        return start..<min(start + count * chunk, batch.upperBound)
    }

    /// The most positions any part of any minibatch holds.
    public var largestPart: Int {
        let chunks = (min(batchSize, examples) + chunk - 1) / chunk
        return min((chunks + ranks - 1) / ranks * chunk, batchSize, examples)
    }
}
