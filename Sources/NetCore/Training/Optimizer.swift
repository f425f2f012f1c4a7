import Foundation
import Parallel

/// The update rule the optimizer applies.
public enum OptimizerKind: String, CaseIterable, Codable, Sendable {
    /// Minibatch SGD, with optional heavy-ball momentum and L2 weight decay (`torch.optim.SGD`).
    case sgd
    /// Adam (Kingma & Ba 2015), weight decay added to the gradient as L2 (`torch.optim.Adam`).
    case adam
    /// Adam with decoupled weight decay (Loshchilov & Hutter 2019, `torch.optim.AdamW`).
    case adamw
}

/// The one place where parameters change: SGD, Adam or AdamW, each one loop over the model's
/// contiguous parameter buffer, with PyTorch's formulas and defaults.
///
/// With g = gradientSum / examples and λ the weight decay:
/// - sgd: g ← g + λ·θ; with momentum v ← μ·v + g, θ ← θ − η·v, else θ ← θ − η·g;
/// - adam: g ← g + λ·θ, then the Adam step below;
/// - adamw: θ ← θ·(1 − η·λ), then the Adam step below;
/// - the Adam step, at step t (from 1): m ← m + (1 − β₁)·(g − m), v ← β₂·v + (1 − β₂)·g²,
///   θ ← θ − (η / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε), with m and v below the smallest normal
///   Float set to 0 (PyTorch keeps them subnormal, which moves θ by far less than its last bit).
///
/// Every parameter's update depends only on its own values, so it is the same for any split over threads.
public struct Optimizer {
    /// The update rule.
    public let kind: OptimizerKind
    /// Step size η (set each epoch from the schedule).
    public var learningRate: Float
    /// SGD's momentum coefficient μ (0 = plain SGD; unused by Adam).
    public let momentum: Float
    /// λ: L2 added to the gradient (sgd, adam) or decoupled decay (adamw); 0 = none.
    public let weightDecay: Float
    /// Adam's decay rates of the first and second moments, and the term that keeps its step finite.
    public let beta1: Float, beta2: Float, epsilon: Float
    /// SGD's velocity v, one entry per parameter (empty without momentum); part of a checkpoint.
    public var velocity: [Float]
    /// Adam's first moment m ("exp_avg" in PyTorch), one entry per parameter (empty for SGD).
    public var firstMoment: [Float]
    /// Adam's second moment v ("exp_avg_sq"), one entry per parameter (empty for SGD).
    public var secondMoment: [Float]
    /// Adam steps taken so far, t (its bias corrections depend on it); part of a checkpoint.
    public var steps: Int = 0

    /// An optimizer for `parameterCount` parameters, its state zero. β₁, β₂ and ε default to
    /// PyTorch's 0.9, 0.999 and 1e-8.
    public init(_ kind: OptimizerKind = .sgd, learningRate: Float, momentum: Float = 0, weightDecay: Float = 0,
                beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, parameterCount: Int) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        let zeros = [Float](repeating: 0, count: parameterCount)
        velocity = kind == .sgd && momentum != 0 ? zeros : []
        firstMoment = kind == .sgd ? [] : zeros
        secondMoment = kind == .sgd ? [] : zeros
    }

    /// The optimizer `configuration` asks for.
    public init(_ configuration: TrainingConfiguration, parameterCount: Int) {
        self.init(configuration.optimizer, learningRate: configuration.learningRate, momentum: configuration.momentum,
                  weightDecay: configuration.weightDecay, beta1: configuration.beta1, beta2: configuration.beta2,
                  epsilon: configuration.epsilon, parameterCount: parameterCount)
    }

    /// One step against the mean gradient gradientSum / examples, on up to `threads` threads. With
    /// `shares` (one per team member, each a few ranges, together every parameter once:
    /// `Network.updateShares`), member m updates share m, the parameters whose gradients it has
    /// just written, still in its cache; without, contiguous ranges of nearly equal size.
    public mutating func update(parameters: UnsafeMutableBufferPointer<Float>,
                                gradientSum: UnsafeBufferPointer<Float>, examples: Int, threads: Int = 1,
                                shares: [[Range<Int>]] = []) {
        precondition(gradientSum.count >= parameters.count)
        precondition(shares.isEmpty || shares.reduce(0, { total, share in share.reduce(total) { $0 + $1.count } })
                     == parameters.count,
                     "the shares must hold every parameter once")
        switch kind {
        case .sgd: sgdStep(parameters, gradientSum, examples: examples, threads: threads, shares: shares)
        case .adam, .adamw: adamStep(parameters, gradientSum, examples: examples, threads: threads, shares: shares)
        }
    }

    /// Runs `body` once for each range of a cut of 0..<count: `shares`' ranges on the team, a
    /// share per member, when there are several and the parameters are worth a thread each;
    /// otherwise `parallelFor`'s cut. Every parameter's update depends only on its own values.
    private static func forEachPart(count: Int, threads: Int, shares: [[Range<Int>]], _ body: (Range<Int>) -> Void) {
        if threads > 1 && shares.count > 1 && count >= shares.count * parametersPerThread {
            Team.shared.run(parts: shares.count, threads: threads) { share in
                for range in shares[share] { body(range) }
            }
        } else {
            parallelFor(count: count, threads: threads, minimumChunk: parametersPerThread, body)
        }
    }

    // MARK: - SGD

    private mutating func sgdStep(_ parameters: UnsafeMutableBufferPointer<Float>, _ gradientSum: UnsafeBufferPointer<Float>,
                                  examples: Int, threads: Int, shares: [[Range<Int>]]) {
        let p = parameters.baseAddress!, g = gradientSum.baseAddress!
        let scale = 1 / Float(examples), rate = learningRate, mu = momentum, decay = weightDecay
        guard !velocity.isEmpty else {
            Self.forEachPart(count: parameters.count, threads: threads, shares: shares) { range in
                if decay == 0 {
                    for i in range { p[i] -= rate * (g[i] * scale) }
                } else {
                    for i in range { p[i] -= rate * (g[i] * scale + decay * p[i]) }
                }
            }
            return
        }
        velocity.withUnsafeMutableBufferPointer { velocity in
            let v = velocity.baseAddress!
            Self.forEachPart(count: parameters.count, threads: threads, shares: shares) { range in
                for i in range {
                    v[i] = mu * v[i] + (decay == 0 ? g[i] * scale : g[i] * scale + decay * p[i])
                    p[i] -= rate * v[i]
                }
            }
        }
    }

    // MARK: - Adam and AdamW

    private mutating func adamStep(_ parameters: UnsafeMutableBufferPointer<Float>, _ gradientSum: UnsafeBufferPointer<Float>,
                                   examples: Int, threads: Int, shares: [[Range<Int>]]) {
        steps += 1
        let p = parameters.baseAddress!, g = gradientSum.baseAddress!
        let scale = 1 / Float(examples), rate = learningRate, epsilon = epsilon
        // Scalars in double precision, then rounded once, as PyTorch computes them from Python floats.
        let beta2 = beta2, oneMinusBeta1 = Float(1 - Double(beta1)), oneMinusBeta2 = Float(1 - Double(beta2))
        let t = Double(steps)
        let stepSize = Float(Double(rate) / (1 - pow(Double(beta1), t)))
        let correction2Root = Float((1 - pow(Double(beta2), t)).squareRoot())
        let coupledDecay = kind == .adam ? weightDecay : 0
        let shrink = kind == .adamw ? Float(1 - Double(rate) * Double(weightDecay)) : 1
        firstMoment.withUnsafeMutableBufferPointer { firstMoment in
            secondMoment.withUnsafeMutableBufferPointer { secondMoment in
                let m = firstMoment.baseAddress!, v = secondMoment.baseAddress!
                Self.forEachPart(count: parameters.count, threads: threads, shares: shares) { range in
                    // Branch-free inner loops, so that they vectorise.
                    if shrink != 1 {
                        for i in range { p[i] *= shrink }
                    }
                    for i in range {
                        let gradient = g[i] * scale + coupledDecay * p[i]
                        let first = m[i] + oneMinusBeta1 * (gradient - m[i])
                        let second = beta2 * v[i] + oneMinusBeta2 * gradient * gradient
                        // Moments that decay below the normal floats become 0: subnormal operands
                        // slow every later step down (a weight of a pixel that is rarely lit spends
                        // thousands of steps there), and would move θ by far less than its last bit.
                        m[i] = abs(first) < Self.smallestNormal ? 0 : first
                        v[i] = second < Self.smallestNormal ? 0 : second
                        p[i] -= stepSize * (m[i] / (v[i].squareRoot() / correction2Root + epsilon))
                    }
                }
            }
        }
    }

    /// Float's smallest normal magnitude; Adam's moments below it are flushed to 0.
    static let smallestNormal = Float.leastNormalMagnitude

    /// The fewest parameters worth a thread of their own in `update`.
    static let parametersPerThread = 1 << 14

    // MARK: - State

    /// The prefixes of the optimizer's state tensors in a checkpoint, before each parameter
    /// tensor's name: SGD's velocity, Adam's first and second moments (PyTorch's names).
    public static let statePrefixes = ["velocity.", "exp_avg.", "exp_avg_sq."]

    /// The per-parameter state under its `statePrefixes` prefix: the buffers this optimizer uses
    /// (none for plain SGD). Setting a buffer copies `parameterCount` values into it.
    public subscript(state prefix: String) -> [Float] {
        get {
            switch prefix {
            case "velocity.": velocity
            case "exp_avg.": firstMoment
            case "exp_avg_sq.": secondMoment
            default: []
            }
        }
        set {
            switch prefix {
            case "velocity.": velocity = newValue
            case "exp_avg.": firstMoment = newValue
            case "exp_avg_sq.": secondMoment = newValue
            default: preconditionFailure("no optimizer state \(prefix)")
            }
        }
    }

    /// The prefixes of the state buffers this optimizer keeps.
    public var usedStatePrefixes: [String] { Self.statePrefixes.filter { !self[state: $0].isEmpty } }
}
