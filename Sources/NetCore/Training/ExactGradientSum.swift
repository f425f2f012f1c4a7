import Parallel

/// The exact sum: the global minibatch is cut into fixed chunks of `chunk` examples (from the
/// minibatch's start, whatever the number of ranks; see `BatchPlan.chunk`); each chunk's buffer is
/// computed alone and added in fixed point (`FixedPoint`), and the ranks' sums are added with an
/// integer allreduce. Integer addition is associative, so the minibatch's sum, and every update
/// made from it, has the same bits on any number of ranks and threads.
///
/// Each pass writes its own buffer (up to `slotCapacity` are kept), and the buffers are folded
/// into the fixed-point sums in one go, which reads each sum once for several chunks.
/// A chunk's gradient at or beyond `FixedPoint.addendLimit` is reported by `allreduce`, never wrapped.
final class ExactGradientSum: GradientSum {
    /// Examples per chunk.
    static let chunk = 32
    /// Most chunk buffers kept before they are folded into the sums.
    static let slotCapacity = 8
    /// Bits after the binary point of the loss sums (a chunk's loss below 2³⁸ is kept to 2⁻²⁵).
    static let lossFractionBits = 24

    private let parameterCount: Int
    /// Floats from one slot's buffer to the next (a buffer is laid out as `Network.gradientBuffer`).
    private let stride: Int
    private let slots: Int
    /// The chunks' buffers: [slots, stride].
    private let buffers: UnsafeMutablePointer<Float>
    /// Slots given out since the last fold (each written by the time the next is asked for).
    private var filled = 0
    /// Whether the step's sums hold a fold yet (until then they hold the last step's).
    private var folded = false
    /// The step's sums so far: [parameterCount] gradients (`FixedPoint`), then the loss
    /// (2⁻²⁴ units), the correct count, the stop requests, and the chunks whose loss was not
    /// finite and whose gradients left the range.
    private var sums: [Int64]
    private enum Statistic: Int, CaseIterable { case loss, correct, stop, lossNotFinite, outOfRange }

    /// A sum for a network of `parameterCount` parameters whose parts hold up to `largestPart` examples.
    init(parameterCount: Int, largestPart: Int) {
        self.parameterCount = parameterCount
        stride = (parameterCount + Network.statisticsSlots + 15) / 16 * 16
        slots = min(Self.slotCapacity, max(1, (largestPart + Self.chunk - 1) / Self.chunk))
        buffers = .allocateCacheAligned(capacity: slots * stride)
        buffers.initialize(repeating: 0, count: slots * stride)
        sums = [Int64](repeating: 0, count: parameterCount + Statistic.allCases.count)
    }

    deinit { buffers.deallocate() }

    func passes(over part: Range<Int>) -> [Range<Int>] {
        Swift.stride(from: part.lowerBound, to: part.upperBound, by: Self.chunk).map {
            $0..<min($0 + Self.chunk, part.upperBound)
        }
    }

    /// The first free slot; when every slot is taken, the passes in them are folded into the sums first.
    func nextBuffer(threads: Int) -> UnsafeMutableBufferPointer<Float> {
        if filled == slots { fold(threads: threads) }
        filled += 1
        return UnsafeMutableBufferPointer(start: buffers + (filled - 1) * stride,
                                          count: parameterCount + Network.statisticsSlots)
    }

    func reset() {
        filled = 0
        folded = false
    }

    /// Adds the filled slots' gradients and statistics into the sums.
    private func fold(threads: Int) {
        let count = parameterCount
        let inRange = sums.withUnsafeMutableBufferPointer { sums in
            FixedPoint.accumulate(buffers, addends: filled, stride: stride, into: sums.baseAddress!, count: count,
                                  replacing: !folded, threads: threads)
        }
        foldStatistics(gradientsInRange: inRange)
    }

    /// Adds the filled slots' loss and correct count into the sums, and whether their gradients
    /// were in range; empties the slots.
    private func foldStatistics(gradientsInRange: Bool) {
        let count = parameterCount
        if !folded { sums[count...].withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        sums[count + Statistic.outOfRange.rawValue] += gradientsInRange ? 0 : 1
        for slot in 0..<filled {
            let statistics = buffers + slot * stride + count
            let loss = Double(statistics[0])
            let lossInRange = loss.magnitude < 0x1p38
            sums[count + Statistic.loss.rawValue] &+= lossInRange ? Int64((loss * Self.lossScale).rounded()) : 0
            sums[count + Statistic.lossNotFinite.rawValue] += lossInRange ? 0 : 1
            sums[count + Statistic.correct.rawValue] += Int64(statistics[1])
        }
        filled = 0
        folded = true
    }

    /// One process whose passes all still sit in the slots sums them straight into `buffer`;
    /// otherwise the slots are folded, the sums summed over the ranks and rounded into `buffer`.
    func allreduce(into buffer: UnsafeMutableBufferPointer<Float>, stop: Bool, over communicator: any Collectives,
                   threads: Int) throws -> (sums: UnsafeBufferPointer<Float>, inRange: Bool) {
        let count = parameterCount
        if communicator.size == 1, !folded {
            let inRange = FixedPoint.sum(buffers, addends: filled, stride: stride, into: buffer.baseAddress!,
                                         count: count, threads: threads)
            foldStatistics(gradientsInRange: inRange)
            sums[count + Statistic.stop.rawValue] = stop ? 1 : 0
        } else {
            fold(threads: threads)
            sums[count + Statistic.stop.rawValue] = stop ? 1 : 0
            try sums.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) }
            sums.withUnsafeBufferPointer { sums in
                FixedPoint.unpack(sums.baseAddress!, into: buffer.baseAddress!, count: count, threads: threads)
            }
        }
        buffer[count] = sums[count + Statistic.lossNotFinite.rawValue] > 0
            ? .nan : Float(Double(sums[count + Statistic.loss.rawValue]) / Self.lossScale)
        buffer[count + 1] = Float(sums[count + Statistic.correct.rawValue])
        buffer[count + 2] = Float(sums[count + Statistic.stop.rawValue])
        return (UnsafeBufferPointer(buffer), sums[count + Statistic.outOfRange.rawValue] == 0)
    }

    /// 2^`lossFractionBits`: loss sums are kept as multiples of its inverse, here and in the
    /// trainer's evaluation, so that they add up exactly in any order.
    static let lossScale = Double(sign: .plus, exponent: lossFractionBits, significand: 1)
}
