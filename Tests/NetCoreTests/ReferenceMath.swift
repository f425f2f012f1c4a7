import Foundation

// Plain Double implementations of everything NetCore computes, the ground truth of the tests.

func referenceSigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

func referenceActivation(_ name: String, _ x: Double) -> Double {
    switch name {
    case "sigmoid": referenceSigmoid(x)
    case "tanh": tanh(x)
    case "relu": max(x, 0)
    default: fatalError("unknown activation \(name)")
    }
}

/// y = x·W + b: x [batch, inputs], W [inputs, outputs] row-major, b [outputs].
func referenceDense(_ x: [Double], _ weights: [Double], _ bias: [Double], batch: Int, inputs: Int, outputs: Int) -> [Double] {
    var y = [Double](repeating: 0, count: batch * outputs)
    for row in 0..<batch {
        for j in 0..<outputs {
            var sum = bias[j]
            for p in 0..<inputs { sum += x[row * inputs + p] * weights[p * outputs + j] }
            y[row * outputs + j] = sum
        }
    }
    return y
}

/// The naive softmax of one row (fine for moderate logits).
func referenceSoftmax(_ z: ArraySlice<Double>) -> [Double] {
    let e = z.map { exp($0) }
    let total = e.reduce(0, +)
    return e.map { $0 / total }
}

/// The textbook −[t·log σ(z) + (1 − t)·log(1 − σ(z))].
func referenceBinaryCrossEntropy(logit z: Double, target t: Double) -> Double {
    let p = referenceSigmoid(z)
    return -(t * log(p) + (1 - t) * log(1 - p))
}

/// The textbook −log softmax(z)[label].
func referenceCrossEntropy(_ z: ArraySlice<Double>, label: Int) -> Double {
    -log(referenceSoftmax(z)[label])
}
