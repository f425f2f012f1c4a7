/// Why training stopped.
public enum TrainingError: Error, CustomStringConvertible, Sendable {
    /// The ranks' parameters differ: data parallelism is broken (e.g. a rank ran a different step).
    case parametersOutOfSync(rank: Int)
    /// The loss became NaN or infinite.
    case diverged(epoch: Int, learningRate: Float)

    public var description: String {
        switch self {
        case .parametersOutOfSync:
            return "parameters differ between ranks (checksums disagree): the ranks are no longer training the same model; rerun, and report this if it repeats"
        case let .diverged(epoch, learningRate):
            return "training diverged in epoch \(epoch): the loss is NaN or infinite; try a smaller --lr than \(learningRate)"
        }
    }
}
