import Foundation
import Testing
import TestSupport
import NetCore

@Suite struct LossTests {
    @Test func binaryCrossEntropyMatchesReferenceAndFiniteDifferences() throws {
        let batch = 11, digit = 5
        let logits = uniformValues(batch, in: -4...4, seed: 10)
        let labels: [UInt8] = [5, 3, 5, 0, 1, 5, 9, 2, 5, 7, 8]
        let targets = labels.map { $0 == digit ? 1.0 : 0.0 }
        var gradients = [Float](repeating: .nan, count: batch)
        var predictions = [UInt8](repeating: 9, count: batch)
        let (loss, correct) = BinaryCrossEntropy.evaluate(logitGradients: &gradients, predictions: &predictions,
                                                          logits: logits, labels: labels,
                                                          positiveLabel: digit, batch: batch)
        func reference(_ z: [Double]) -> Double {
            zip(z, targets).map { referenceBinaryCrossEntropy(logit: $0, target: $1) }.reduce(0, +)
        }
        #expect(abs(loss - reference(logits.map(Double.init))) < 1e-5)
        #expect(correct == zip(logits, targets).filter { ($0 > 0) == ($1 == 1) }.count)
        #expect(predictions == logits.map { $0 > 0 ? 1 : 0 })
        let numeric = numericGradient(at: logits.map(Double.init), reference)
        let result = gradientPasses(gradients, numeric)
        #expect(result.correct, "error \(gradientError(gradients, numeric))")
        #expect(result.corruptedFails)
    }

    @Test func crossEntropyMatchesReferenceAndFiniteDifferences() throws {
        let batch = 4, classes = 10
        let logits = uniformValues(batch * classes, in: -4...4, seed: 11)
        let labels: [UInt8] = [3, 0, 9, 3]
        var gradients = [Float](repeating: .nan, count: logits.count)
        var predictions = [UInt8](repeating: 99, count: batch)
        let (loss, correct) = CategoricalCrossEntropy.evaluate(logitGradients: &gradients, predictions: &predictions,
                                                               logits: logits, labels: labels,
                                                               batch: batch, classes: classes)
        func reference(_ z: [Double]) -> Double {
            (0..<batch).map { referenceCrossEntropy(z[($0 * classes)..<(($0 + 1) * classes)], label: Int(labels[$0])) }
                .reduce(0, +)
        }
        #expect(abs(loss - reference(logits.map(Double.init))) < 1e-5)
        let argmaxes = (0..<batch).map { row in
            UInt8((0..<classes).max { logits[row * classes + $0] < logits[row * classes + $1] }!)
        }
        #expect(predictions == argmaxes)
        #expect(correct == zip(argmaxes, labels).filter { $0 == $1 }.count)
        let numeric = numericGradient(at: logits.map(Double.init), reference)
        let result = gradientPasses(gradients, numeric)
        #expect(result.correct, "error \(gradientError(gradients, numeric))")
        #expect(result.corruptedFails)
    }

    // MARK: - Extreme logits

    @Test func binaryCrossEntropyIsExactForHugeLogits() throws {
        #expect(BinaryCrossEntropy.loss(logit: 1000, target: 1) == 0)
        #expect(BinaryCrossEntropy.loss(logit: 1000, target: 0) == 1000)
        #expect(BinaryCrossEntropy.loss(logit: -1000, target: 1) == 1000)
        #expect(BinaryCrossEntropy.loss(logit: -1000, target: 0) == 0)
        let logits: [Float] = [1000, -1000, 1000, -1000]
        let labels: [UInt8] = [5, 5, 2, 2]
        var gradients = [Float](repeating: .nan, count: 4)
        let (loss, correct) = BinaryCrossEntropy.evaluate(logitGradients: &gradients, predictions: nil,
                                                          logits: logits, labels: labels, positiveLabel: 5, batch: 4)
        #expect(loss == 2000)
        #expect(correct == 2)
        #expect(gradients == [0, -1, 1, 0])
    }

    @Test func crossEntropyIsExactForHugeLogits() throws {
        var logits = [Float](repeating: 0, count: 20)
        logits[0] = 1000; logits[1] = -1000                      // row 0
        logits[12] = -1000; logits[13] = 1000; logits[14] = 999  // row 1
        let labels: [UInt8] = [1, 3]
        var gradients = [Float](repeating: .nan, count: 20)
        var predictions: [UInt8] = [0, 0]
        let (loss, correct) = CategoricalCrossEntropy.evaluate(logitGradients: &gradients, predictions: &predictions,
                                                               logits: logits, labels: labels, batch: 2, classes: 10)
        // Row 0: logsumexp = 1000, loss = 2000. Row 1: logsumexp = 1000 + log(1 + e^-1), loss = that − 1000.
        let expected = 2000 + log(1 + exp(-1.0))
        #expect(abs(loss - expected) < 1e-3)
        #expect(predictions == [0, 3])
        #expect(correct == 1)
        #expect(gradients.allSatisfy { $0.isFinite })
        #expect(gradients[0] == 1 && gradients[1] == -1)
        #expect(abs(gradients[13] - Float(1 / (1 + exp(-1.0)) - 1)) < 1e-6)
        #expect(abs(gradients[14] - Float(exp(-1.0) / (1 + exp(-1.0)))) < 1e-6)
    }

    @Test func activationsStayFiniteForHugeInputs() throws {
        let x: [Float] = [1000, -1000, 88.5, -88.5, 0]
        for activation in Activation.allCases {
            var y = [Float](repeating: .nan, count: x.count)
            activation.forward(outputs: &y, inputs: x, count: x.count)
            #expect(y.allSatisfy { $0.isFinite }, "\(activation)")
            #expect(abs(y[0] - (activation == .relu ? 1000 : 1)) < 1e-6)
            #expect(abs(y[1] - (activation == .tanh ? -1 : 0)) < 1e-6)
            #expect(y[4] == (activation == .sigmoid ? 0.5 : 0))
        }
    }
}
