import Foundation

/// Cross-entropy of softmax(z) against a class label, from the logits in the stable form
/// CE = logsumexp(z) − z_label with logsumexp(z) = max z + log Σ e^(z − max z), and
/// dCE/dz = softmax(z) − onehot(label).
///
/// Three passes over the batch so that the exponentials, the bulk of the work, run as one
/// vectorizable loop over all [batch, classes] values (`fastExp`, ≈2 ulp); only the one log per
/// row goes to libm.
public enum CategoricalCrossEntropy {
    /// Over a batch of logit rows: returns the summed loss and the number of rows whose
    /// arg max (the first, on ties) is the label; writes dLoss/dz = p − onehot to `logitGradients`
    /// and, when given, the arg max to `predictions`.
    public static func evaluate(logitGradients: UnsafeMutablePointer<Float>,   // [batch, classes]
                                predictions: UnsafeMutablePointer<UInt8>?,      // [batch]
                                logits: UnsafePointer<Float>,                   // [batch, classes]
                                labels: UnsafePointer<UInt8>,                   // [batch]
                                batch: Int, classes: Int) -> (loss: Double, correct: Int) {
        var correct = 0
        // MARK: Pass 1 — arg max, and the logits shifted by their row's max into the gradients.
        for row in 0..<batch {
            let z = logits + row * classes, shifted = logitGradients + row * classes
            var predicted = 0
            for j in 1..<classes where z[j] > z[predicted] { predicted = j }
            let largest = z[predicted]
            for j in 0..<classes { shifted[j] = z[j] - largest }
            if predicted == Int(labels[row]) { correct += 1 }
            predictions?[row] = UInt8(predicted)
        }
        // MARK: Pass 2 — e^(z − max z), all rows at once.
        for index in 0..<(batch * classes) { logitGradients[index] = fastExp(logitGradients[index]) }
        // MARK: Pass 3 — loss = log Σ e^(z − max z) − (z_label − max z); p − onehot.
        var total = 0.0
        for row in 0..<batch {
            let label = Int(labels[row])
            precondition(label < classes, "label \(label) out of range for \(classes) classes")
            let gradients = logitGradients + row * classes
            var sum: Float = 0
            for j in 0..<classes { sum += gradients[j] }
            let z = logits + row * classes
            var largest = z[0]
            for j in 1..<classes { largest = max(largest, z[j]) }
            total += Double(log(sum) - (z[label] - largest))
            let scale = 1 / sum
            for j in 0..<classes { gradients[j] *= scale }
            gradients[label] -= 1
        }
        return (total, correct)
    }
}
