import Foundation

/// Binary cross-entropy of a sigmoid output, computed from its logit z in the stable form
/// BCE(z, t) = max(z, 0) − z·t + log1p(e^−|z|) (no log(0), no overflow), with
/// dBCE/dz = σ(z) − t. The target is t = 1 when the label is the positive class, else 0.
public enum BinaryCrossEntropy {
    /// The loss of one logit against a target in [0, 1].
    @inline(__always)
    public static func loss(logit z: Float, target t: Float) -> Float {
        max(z, 0) - z * t + log1p(exp(-abs(z)))
    }

    /// σ(z), evaluated without overflow for either sign.
    @inline(__always)
    public static func sigmoid(_ z: Float) -> Float {
        if z >= 0 { return 1 / (1 + exp(-z)) }
        let e = exp(z)
        return e / (1 + e)
    }

    /// Over a batch of single logits: returns the summed loss and the number of correct answers
    /// ((z > 0) == t); writes dLoss/dz = σ(z) − t to `logitGradients` and, when given, the answer
    /// (1 = "is the positive class") to `predictions`.
    public static func evaluate(logitGradients: UnsafeMutablePointer<Float>,   // [batch]
                                predictions: UnsafeMutablePointer<UInt8>?,     // [batch]
                                logits: UnsafePointer<Float>,                  // [batch]
                                labels: UnsafePointer<UInt8>,                  // [batch]
                                positiveLabel: Int, batch: Int) -> (loss: Double, correct: Int) {
        var total = 0.0
        var correct = 0
        for example in 0..<batch {
            let z = logits[example]
            let isPositive = Int(labels[example]) == positiveLabel
            let t: Float = isPositive ? 1 : 0
            total += Double(loss(logit: z, target: t))
            if (z > 0) == isPositive { correct += 1 }
            logitGradients[example] = sigmoid(z) - t
            predictions?[example] = z > 0 ? 1 : 0
        }
        return (total, correct)
    }
}
