import Foundation
import NetCore
import Testing

/// The optimizers' steps against plain Double re-implementations of PyTorch's formulas, written
/// out here for a few parameters, and the learning-rate warm-up.
@Suite struct OptimizerTests {
    /// Three parameters and the gradient sums of three steps over a batch of 4 examples.
    static let start: [Float] = [0.5, -1.25, 0.0625]
    static let gradientSums: [[Float]] = [[0.4, -2.0, 0.0], [1.2, 0.8, -0.04], [-0.6, 0.1, 3.0]]
    static let examples = 4

    /// Runs `optimizer` over the three steps and returns the parameters after each.
    private func run(_ optimizer: inout Optimizer) -> [[Float]] {
        var parameters = Self.start
        return Self.gradientSums.map { sums in
            parameters.withUnsafeMutableBufferPointer { parameters in
                sums.withUnsafeBufferPointer { optimizer.update(parameters: parameters, gradientSum: $0, examples: Self.examples) }
            }
            return parameters
        }
    }

    /// Adam by hand in Double (Kingma & Ba's algorithm 1, as torch.optim.Adam/AdamW compute it).
    private func referenceAdam(decoupled: Bool, lr: Double, decay: Double,
                               beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) -> [[Double]] {
        var theta = Self.start.map(Double.init), m = [0.0, 0, 0], v = [0.0, 0, 0]
        var result: [[Double]] = []
        for (step, sums) in Self.gradientSums.enumerated() {
            let t = Double(step + 1)
            for i in theta.indices {
                var g = Double(sums[i]) / Double(Self.examples)
                if decoupled { theta[i] *= 1 - lr * decay } else { g += decay * theta[i] }
                m[i] = beta1 * m[i] + (1 - beta1) * g
                v[i] = beta2 * v[i] + (1 - beta2) * g * g
                let mHat = m[i] / (1 - pow(beta1, t)), vHat = v[i] / (1 - pow(beta2, t))
                theta[i] -= lr * mHat / (vHat.squareRoot() + epsilon)
            }
            result.append(theta)
        }
        return result
    }

    private func largestDifference(_ actual: [[Float]], _ expected: [[Double]]) -> Double {
        zip(actual.joined(), expected.joined()).map { abs(Double($0) - $1) }.max()!
    }

    @Test(arguments: [(0.0 as Float, 0.9 as Float, 0.999 as Float), (0.1, 0.9, 0.999), (0.05, 0.8, 0.99)])
    func adamMatchesTheReference(decay: Float, beta1: Float, beta2: Float) {
        var optimizer = Optimizer(.adam, learningRate: 0.01, weightDecay: decay, beta1: beta1, beta2: beta2, parameterCount: 3)
        let actual = run(&optimizer)
        let expected = referenceAdam(decoupled: false, lr: 0.01, decay: Double(decay), beta1: Double(beta1), beta2: Double(beta2))
        #expect(largestDifference(actual, expected) < 1e-6, "\(actual) vs \(expected)")
        #expect(optimizer.steps == 3)
        // The first step moves every parameter with a gradient by about lr (Adam's scale invariance).
        #expect(abs(abs(actual[0][1] - Self.start[1]) - 0.01) < 1e-4)
    }

    @Test func adamWDecaysTheWeightsApartFromTheGradient() {
        var optimizer = Optimizer(.adamw, learningRate: 0.01, weightDecay: 0.1, parameterCount: 3)
        let actual = run(&optimizer)
        let expected = referenceAdam(decoupled: true, lr: 0.01, decay: 0.1)
        #expect(largestDifference(actual, expected) < 1e-6, "\(actual) vs \(expected)")
        // Coupled (Adam) and decoupled (AdamW) decay differ: the reference tells them apart.
        #expect(largestDifference(actual, referenceAdam(decoupled: false, lr: 0.01, decay: 0.1)) > 1e-5)
        // A parameter with no gradient in the first step still shrinks by lr·λ in AdamW.
        #expect(actual[0][2] == Float(0.0625 * (1 - 0.01 * 0.1)))
    }

    @Test(arguments: [(0 as Float, 0 as Float), (0.9, 0), (0, 0.01), (0.9, 0.01)])
    func sgdMatchesTheReference(momentum: Float, decay: Float) {
        var optimizer = Optimizer(.sgd, learningRate: 0.1, momentum: momentum, weightDecay: decay, parameterCount: 3)
        let actual = run(&optimizer)
        var theta = Self.start.map(Double.init), velocity = [0.0, 0, 0], expected: [[Double]] = []
        for sums in Self.gradientSums {
            for i in theta.indices {
                let g = Double(sums[i]) / Double(Self.examples) + Double(decay) * theta[i]
                velocity[i] = Double(momentum) * velocity[i] + g
                theta[i] -= 0.1 * velocity[i]
            }
            expected.append(theta)
        }
        #expect(largestDifference(actual, expected) < 1e-6, "\(actual) vs \(expected)")
        #expect(optimizer.velocity.isEmpty == (momentum == 0) && optimizer.firstMoment.isEmpty)
    }

    @Test(arguments: [OptimizerKind.sgd, .adamw])
    func theUpdateIsTheSameForAnySplitOverThreads(kind: OptimizerKind) {
        let count = 100_000
        let gradients = uniformValues(count, seed: 3), start = uniformValues(count, seed: 4)
        func parameters(threads: Int, shares: [[Range<Int>]] = []) -> [Float] {
            var optimizer = Optimizer(kind, learningRate: 0.003, weightDecay: 0.01, parameterCount: count)
            var parameters = start
            for _ in 0..<3 {
                parameters.withUnsafeMutableBufferPointer { p in
                    gradients.withUnsafeBufferPointer {
                        optimizer.update(parameters: p, gradientSum: $0, examples: 7, threads: threads, shares: shares)
                    }
                }
            }
            return parameters
        }
        let one = parameters(threads: 1)
        #expect(one != start)
        #expect(parameters(threads: 2) == one && parameters(threads: 3) == one)
        // Shares of a few ranges each, as Network.updateShares makes them.
        #expect(parameters(threads: 2, shares: [[0..<30_000, 70_000..<count], [30_000..<70_000]]) == one)
    }

    @Test func updateSharesGiveEachThreadItsFirstLayerRowsAndTheLeaderTheRest() {
        let network = Network(ModelConfiguration(kind: .multiclass), seed: 1)
        let shares = network.updateShares(firstLayerRows: [0..<300, 300..<500, 500..<784])
        #expect(shares == [[0..<300 * 64, 784 * 64..<network.parameterCount], [300 * 64..<500 * 64], [500 * 64..<784 * 64]])
    }

    @Test func warmUpRisesLinearlyThenTheScheduleRunsOverTheRest() {
        var configuration = TrainingConfiguration(model: ModelConfiguration(kind: .multiclass), epochs: 10, batchSize: 64,
                                                  learningRate: 0.4, schedule: .cosine, momentum: 0, seed: 1)
        let plain = (1...10).map(configuration.learningRate(epoch:))
        configuration.warmup = 3
        let warm = (1...10).map(configuration.learningRate(epoch:))
        #expect(warm[0] == 0.1 && warm[1] == 0.2 && abs(warm[2] - 0.3) < 1e-7)
        #expect(warm[3] == 0.4, "the cosine starts at the full rate after the warm-up")
        #expect(warm[3...].elementsEqual(warm[3...].sorted(by: >)) && warm[9] < 0.05)
        #expect(plain[0] == 0.4 && plain != warm)
        configuration.schedule = .constant
        #expect((4...10).allSatisfy { configuration.learningRate(epoch: $0) == 0.4 })
    }

    @Test func aConfigurationWrittenBeforeTheOptimizersReadsAsPlainSGD() throws {
        let old = #"{"batchSize":64,"epochs":3,"learningRate":0.5,"momentum":0.9,"schedule":"constant","seed":1,"#
            + #""model":{"kind":"multiclass","inputs":784,"hidden":[128],"activations":["relu"],"classes":10,"digit":5}}"#
        let configuration = try JSONDecoder().decode(TrainingConfiguration.self, from: Data(old.utf8))
        #expect(configuration.optimizer == .sgd && configuration.weightDecay == 0 && configuration.dropout.isEmpty)
        #expect(configuration.augmentation == nil && configuration.warmup == 0 && configuration.momentum == 0.9)
        var adam = configuration
        adam.optimizer = .adamw
        adam.dropout = [0.5]
        adam.augmentation = .elastic
        let again = try JSONDecoder().decode(TrainingConfiguration.self, from: JSONEncoder().encode(adam))
        #expect(again == adam)
    }
}
