import Foundation
import Parallel

/// Why training stopped.
public enum TrainingError: Error, CustomStringConvertible, Sendable {
    /// Stopped on request (Ctrl-C, SIGTERM) at a step boundary every rank agreed on; the last
    /// step's update was applied, and `position` is where the run stands.
    case interrupted(position: TrainingPosition)
    /// The ranks' parameters differ: data parallelism is broken (e.g. a rank ran a different step).
    case parametersOutOfSync(rank: Int)
    /// The loss became NaN or infinite in `step` (1-based) of `epoch`; the update was not applied.
    case diverged(epoch: Int, step: Int, learningRate: Float)
    /// A step's mean loss grew past `limit` (a hundred times the loss of guessing) in `step` of
    /// `epoch`; the update was not applied.
    case lossExploded(epoch: Int, step: Int, loss: Double, limit: Double, learningRate: Float)
    /// A chunk's gradient reached `FixedPoint.addendLimit` in `step` of `epoch` (exact summation
    /// only); the update was not applied.
    case gradientOutOfRange(epoch: Int, step: Int, learningRate: Float)

    public var description: String {
        switch self {
        case let .interrupted(position):
            return "interrupted in epoch \(position.epoch) after step \(position.stepsCompleted)"
        case .parametersOutOfSync:
            return "parameters differ between ranks (checksums disagree): the ranks are no longer training the same model; rerun, and report this if it repeats"
        case let .diverged(epoch, step, learningRate):
            return "training diverged in epoch \(epoch), step \(step): the loss is NaN or infinite; try a smaller --lr than \(learningRate)"
        case let .lossExploded(epoch, step, loss, limit, learningRate):
            let grown = String(format: "%.2g", loss)
            return "training diverged in epoch \(epoch), step \(step): the loss grew to \(grown), over \(Int(limit.rounded())) (a hundred times the loss of guessing); try a smaller --lr than \(learningRate)"
        case let .gradientOutOfRange(epoch, step, learningRate):
            return "training diverged in epoch \(epoch), step \(step): a gradient summed over \(ExactGradientSum.chunk) examples reached \(Int(FixedPoint.addendLimit)), beyond what --reproducible sums exactly; try a smaller --lr than \(learningRate)"
        }
    }
}
