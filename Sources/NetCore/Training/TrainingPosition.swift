/// How far a run has come: whole epochs done, steps done of the epoch under way, and that
/// epoch's running sums (so a run resumed mid-epoch reports the very same epoch loss).
public struct TrainingPosition: Sendable, Equatable {
    /// Epochs finished.
    public var epochsCompleted: Int
    /// Steps (global minibatches) finished in epoch `epoch`; 0 at an epoch boundary.
    public var stepsCompleted: Int
    /// The epoch's summed training loss over those steps.
    public var lossSum: Double
    /// The epoch's correct predictions over those steps.
    public var correct: Double

    /// The boundary after `epochsCompleted` epochs.
    public init(epochsCompleted: Int, stepsCompleted: Int = 0, lossSum: Double = 0, correct: Double = 0) {
        self.epochsCompleted = epochsCompleted
        self.stepsCompleted = stepsCompleted
        self.lossSum = lossSum
        self.correct = correct
    }

    /// The epoch under way (1-based): the next one to run at a boundary.
    public var epoch: Int { epochsCompleted + 1 }

    /// Whether this is the start of an epoch.
    public var isEpochBoundary: Bool { stepsCompleted == 0 }

    /// Counts one finished step with its all-reduced loss sum and correct count.
    mutating func advance(loss: Double, correct: Double) {
        stepsCompleted += 1
        lossSum += loss
        self.correct += correct
    }
}
