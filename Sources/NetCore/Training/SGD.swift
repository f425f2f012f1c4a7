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
        withStep(parameters: parameters, gradientSum: gradientSum.baseAddress!, examples: examples) {
            $0.apply(parameters.indices)
        }
    }

    /// Calls `body` with this `update`, for `body` to apply to ranges of the parameters, from
    /// several threads at once if the ranges do not overlap.
    public mutating func withStep<Result>(parameters: UnsafeMutableBufferPointer<Float>,
                                          gradientSum: UnsafePointer<Float>, examples: Int,
                                          _ body: (Step) throws -> Result) rethrows -> Result {
        let (rate, momentum) = (learningRate, self.momentum)
        let step = { (velocity: UnsafeMutablePointer<Float>?) in
            Step(parameters: parameters.baseAddress!, velocity: velocity, gradientSum: gradientSum,
                 scale: 1 / Float(examples), rate: rate, momentum: momentum)
        }
        if velocity.isEmpty { return try body(step(nil)) }
        return try velocity.withUnsafeMutableBufferPointer { try body(step($0.baseAddress!)) }
    }

    /// One update, applied range by range.
    public struct Step: @unchecked Sendable {
        let parameters: UnsafeMutablePointer<Float>
        let velocity: UnsafeMutablePointer<Float>?
        let gradientSum: UnsafePointer<Float>
        let scale: Float, rate: Float, momentum: Float

        /// The factor plain SGD multiplies a gradient sum by, −η / examples, for a caller that
        /// adds the gradient's terms into the parameters as it makes them; nil with momentum,
        /// whose update needs the whole gradient first.
        public var plainFactor: Float? { velocity == nil ? -(rate * scale) : nil }

        /// Updates the parameters at `range`.
        public func apply(_ range: Range<Int>) {
            let p = parameters, g = gradientSum, scale = scale, rate = rate, mu = momentum
            guard let v = velocity else {
                for i in range { p[i] -= rate * (g[i] * scale) }
                return
            }
            for i in range {
                v[i] = mu * v[i] + g[i] * scale
                p[i] -= rate * v[i]
            }
        }
    }
}
