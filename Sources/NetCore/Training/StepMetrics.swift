/// A step-level line of a metrics file (`--log-every N`): the epoch's running training loss every N steps.
public struct StepMetrics: Codable, Equatable, Sendable {
    /// Always `step`; epoch lines have `epoch`.
    public var event = "step"
    /// The epoch, from 1.
    public var epoch: Int
    /// Steps finished in this epoch.
    public var step: Int
    /// Steps in an epoch.
    public var steps: Int
    /// Mean training loss over the epoch's steps so far (each computed before its update).
    public var loss: Double
    /// The learning rate of this epoch.
    public var learningRate: Double
    /// The run that wrote the line, as in its epoch lines.
    public var runId: String?
    /// When the line was written: UTC, ISO 8601 with milliseconds.
    public var time: String?

    enum CodingKeys: String, CodingKey {
        case event, epoch, step, steps, loss, time
        case learningRate = "learning_rate"
        case runId = "run_id"
    }

    public init(epoch: Int, step: Int, steps: Int, loss: Double, learningRate: Double, runId: String? = nil, time: String? = nil) {
        self.epoch = epoch
        self.step = step
        self.steps = steps
        self.loss = loss
        self.learningRate = learningRate
        self.runId = runId
        self.time = time
    }
}

extension StepMetrics {
    /// The line for step `step` of epoch `epoch` of a run of `configuration`.
    public init(configuration: TrainingConfiguration, epoch: Int, step: Int, steps: Int, loss: Double) {
        self.init(epoch: epoch, step: step, steps: steps, loss: loss,
                  learningRate: shortestDecimal(configuration.learningRate(epoch: epoch)))
    }
}
