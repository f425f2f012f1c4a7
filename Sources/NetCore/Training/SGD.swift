import Parallel

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
    /// The parameters are split over up to `threads` threads of the `Team` in contiguous
    /// ranges; every parameter's update is the same for any split.
    public mutating func update(parameters: UnsafeMutableBufferPointer<Float>,
                                gradientSum: UnsafeBufferPointer<Float>, examples: Int, threads: Int = 1) {
        precondition(gradientSum.count >= parameters.count)
        let p = parameters.baseAddress!, g = gradientSum.baseAddress!
        let scale = 1 / Float(examples), rate = learningRate, mu = momentum
        guard !velocity.isEmpty else {
            parallelFor(count: parameters.count, threads: threads, minimumChunk: Self.parametersPerThread) { range in
                for i in range { p[i] -= rate * (g[i] * scale) }
            }
            return
        }
        velocity.withUnsafeMutableBufferPointer { velocity in
            let v = velocity.baseAddress!
            parallelFor(count: parameters.count, threads: threads, minimumChunk: Self.parametersPerThread) { range in
                for i in range {
                    v[i] = mu * v[i] + g[i] * scale
                    p[i] -= rate * v[i]
                }
            }
        }
    }

    /// The fewest parameters worth a thread of their own in `update`.
    static let parametersPerThread = 1 << 14
}
