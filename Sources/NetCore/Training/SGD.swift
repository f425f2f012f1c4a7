/// Minibatch stochastic gradient descent with optional heavy-ball momentum,
/// one loop over the model's contiguous parameter buffer.
public struct SGD {
    /// Step size.
    public var learningRate: Float
    /// Momentum coefficient μ (0 = plain SGD).
    public var momentum: Float
    /// The velocity v, one entry per parameter (empty without momentum); part of a checkpoint.
    public var velocity: [Float]

    public init(learningRate: Float, momentum: Float, parameterCount: Int) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.velocity = momentum == 0 ? [] : [Float](repeating: 0, count: parameterCount)
    }

    /// θ ← θ − η·g with g = gradientSum / examples; with momentum v ← μ·v + g, θ ← θ − η·v.
    public mutating func update(parameters: UnsafeMutableBufferPointer<Float>,
                                gradientSum: UnsafeBufferPointer<Float>, examples: Int) {
        precondition(gradientSum.count >= parameters.count)
        let scale = 1 / Float(examples), rate = learningRate, mu = momentum
        if velocity.isEmpty {
            for i in parameters.indices { parameters[i] -= rate * (gradientSum[i] * scale) }
            return
        }
        velocity.withUnsafeMutableBufferPointer { velocity in
            for i in parameters.indices {
                velocity[i] = mu * velocity[i] + gradientSum[i] * scale
                parameters[i] -= rate * velocity[i]
            }
        }
    }
}
