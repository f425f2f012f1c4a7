import Parallel

/// How a step's gradients are summed over the examples of the global minibatch.
public enum Summation: String, Sendable, CaseIterable {
    /// In floats, the part of each rank at once (`FloatGradientSum`): fastest, the bits depend on
    /// the number of ranks.
    case float
    /// Exactly, over fixed chunks (`ExactGradientSum`): the same bits on any number of ranks and threads.
    case exact

    /// The largest global minibatch `.exact` sums with no risk of overflow: 4096 chunks whose
    /// gradients all reach `FixedPoint.addendLimit` still fit an `Int64`.
    public static var largestExactBatch: Int { ExactGradientSum.chunk * FixedPoint.addendsPerSum }

    /// The examples a pass holds at most: one chunk (`.exact`), or nil for a rank's whole part.
    var chunk: Int? { self == .exact ? ExactGradientSum.chunk : nil }
}

/// How a step's gradient buffer (gradients, loss sum, correct count; see `Network.gradientBuffer`)
/// is summed over the examples of the global minibatch: the trainer runs forward and backward
/// once per pass over its part, each into the buffer `nextBuffer` gives it, then `allreduce`
/// leaves the minibatch's sums in the network's buffer on every rank.
protocol GradientSum: AnyObject {
    /// The passes the trainer makes over `part` (positions in the epoch's order): at least one.
    func passes(over part: Range<Int>) -> [Range<Int>]
    /// Where the step's next pass writes its gradients and statistics, laid out as
    /// `Network.gradientBuffer` (earlier passes may be added up first, on `threads`).
    func nextBuffer(threads: Int) -> UnsafeMutableBufferPointer<Float>
    /// Starts a step.
    func reset()
    /// Sums the step over the ranks, from or into `buffer` (the network's), with the stop-request
    /// slot set on every rank when any rank's `stop` is true. Returns where the sums are (laid out
    /// as `buffer`: `buffer` itself, or memory the node's ranks share, valid until the next
    /// collective call), and false when a gradient left the sum's range (the sums' gradients are
    /// then meaningless).
    func allreduce(into buffer: UnsafeMutableBufferPointer<Float>, stop: Bool, over communicator: any Collectives,
                   threads: Int) throws -> (sums: UnsafeBufferPointer<Float>, inRange: Bool)
}

/// The float sum: one pass over the whole part, straight into the network's buffer, which is
/// summed over the ranks as floats (`Collectives.allreduceGradients`). Fastest; the bits depend
/// on how the minibatch is split.
final class FloatGradientSum: GradientSum {
    private let buffer: UnsafeMutableBufferPointer<Float>

    /// A sum whose one pass writes `buffer` (the network's `gradientBuffer`).
    init(buffer: UnsafeMutableBufferPointer<Float>) { self.buffer = buffer }

    func passes(over part: Range<Int>) -> [Range<Int>] { [part] }
    func nextBuffer(threads: Int) -> UnsafeMutableBufferPointer<Float> { buffer }
    func reset() {}

    func allreduce(into buffer: UnsafeMutableBufferPointer<Float>, stop: Bool, over communicator: any Collectives,
                   threads: Int) throws -> (sums: UnsafeBufferPointer<Float>, inRange: Bool) {
        buffer[buffer.count - 1] = stop ? 1 : 0   // the stop-request slot
        return (try communicator.allreduceGradients(buffer, statistics: Network.statisticsSlots), true)
    }
}
