/// Watches the validation loss epoch by epoch: remembers the best epoch (lowest loss; a tie is
/// not an improvement) and says when `patience` epochs have passed without one.
public struct EarlyStopping: Sendable, Equatable {
    /// Epochs without improvement after which training stops; nil never stops.
    public let patience: Int?
    /// The best epoch so far.
    public private(set) var best: BestEpoch?

    /// A watcher that starts from `best` (a resumed run's, from its checkpoint).
    public init(patience: Int?, best: BestEpoch? = nil) {
        self.patience = patience
        self.best = best
    }

    /// Records `epoch`'s validation loss; returns whether it is the new best.
    public mutating func record(epoch: Int, loss: Double) -> Bool {
        guard loss < best?.loss ?? .infinity else { return false }
        best = BestEpoch(epoch: epoch, loss: loss)
        return true
    }

    /// Whether training should stop after `epoch`: `patience` epochs since the best.
    public func shouldStop(after epoch: Int) -> Bool {
        guard let patience, let best else { return false }
        return epoch - best.epoch >= patience
    }
}
