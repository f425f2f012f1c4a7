import Foundation

/// Cross-entropy of softmax(z) against a class label, from the logits in the stable form
/// CE = logsumexp(z) − z_label with logsumexp(z) = max z + log Σ e^(z − max z), and
/// dCE/dz = softmax(z) − onehot(label), both in one pass per row. The exponentials use `fastExp`
/// (≈2 ulp, no library call); only the one log per row goes to libm.
public enum CategoricalCrossEntropy {
    /// Over a batch of logit rows: returns the summed loss and the number of rows whose
    /// arg max (the first, on ties) is the label; writes, when given, dLoss/dz = p − onehot to
    /// `logitGradients` and the arg max to `predictions`.
    public static func evaluate(logitGradients: UnsafeMutablePointer<Float>?,  // [batch, classes]
                                predictions: UnsafeMutablePointer<UInt8>?,     // [batch]
                                logits: UnsafePointer<Float>,                  // [batch, classes]
                                labels: UnsafePointer<UInt8>,                  // [batch]
                                batch: Int, classes: Int) -> (loss: Double, correct: Int) {
        var total = 0.0
        var correct = 0
        for row in 0..<batch {
            let z = logits + row * classes
            let label = Int(labels[row])
            precondition(label < classes, "label \(label) out of range for \(classes) classes")
            var predicted = 0
            for j in 1..<classes where z[j] > z[predicted] { predicted = j }
            let largest = z[predicted]
            var sum: Float = 0
            if let gradients = logitGradients.map({ $0 + row * classes }) {
                for j in 0..<classes {
                    gradients[j] = fastExp(z[j] - largest)
                    sum += gradients[j]
                }
                let scale = 1 / sum
                for j in 0..<classes { gradients[j] *= scale }
                gradients[label] -= 1
            } else {
                for j in 0..<classes { sum += fastExp(z[j] - largest) }
            }
            total += Double(largest + log(sum) - z[label])
            if predicted == label { correct += 1 }
            predictions?[row] = UInt8(predicted)
        }
        return (total, correct)
    }
}
