import Foundation

/// Where a rank's time goes, phase by phase (Horovod's timeline, DeepSpeed's wall-clock breakdown).
public enum Phase: String, CaseIterable, Codable, Sendable {
    /// Drawing the epoch's order and gathering each minibatch part (a sparse batch's rows are
    /// copied inside the first product, so in `forward`).
    case data
    /// Layers and loss, and the gradients back down to the first layer's outputs, row by row
    /// (`Network.forwardLoss`).
    case forward
    /// The weight gradients that sum over the whole batch, into the gradient buffer (`Network.backward`).
    case backward
    /// Waiting at the step's barrier for the slowest rank (measured only with `--profile`).
    case allreduceWait = "allreduce_wait"
    /// The gradient allreduce itself.
    case allreduce
    /// The SGD update.
    case update
    /// Test-set evaluation.
    case evaluation
}

/// Seconds spent in each `Phase` on one rank since the last reset.
public struct PhaseTimes: Sendable, Equatable {
    /// Seconds per phase, in `Phase.allCases` order.
    public private(set) var seconds = [Double](repeating: 0, count: Phase.allCases.count)

    public init() {}

    /// Seconds spent in `phase`.
    public subscript(phase: Phase) -> Double {
        seconds[Phase.allCases.firstIndex(of: phase)!]
    }

    /// Adds the time from `start` to now to `phase` and returns now, so phases can be chained.
    @discardableResult
    public mutating func record(_ phase: Phase, since start: UInt64) -> UInt64 {
        let now = Self.now()
        record(phase, since: start, until: now)
        return now
    }

    /// Adds the time from `start` to `end` to `phase`.
    public mutating func record(_ phase: Phase, since start: UInt64, until end: UInt64) {
        seconds[Phase.allCases.firstIndex(of: phase)!] += Double(end &- start) * 1e-9
    }

    /// A monotonic clock in nanoseconds.
    public static func now() -> UInt64 {
        DispatchTime.now().uptimeNanoseconds
    }
}

/// One phase's time per epoch across the ranks.
public struct PhaseSpread: Codable, Sendable, Equatable {
    public var min: Double
    public var mean: Double
    public var max: Double

    public init(min: Double, mean: Double, max: Double) {
        self.min = min
        self.mean = mean
        self.max = max
    }
}
