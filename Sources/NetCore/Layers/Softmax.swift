import Foundation

/// Row-wise softmax, p_j = e^(z_j − max z) / Σ_k e^(z_k − max z): stable for any finite logits.
///
/// The models never run this layer on its own: categorical cross-entropy works from the logits
/// and fuses softmax into its gradient (p − onehot). It is here for completeness and its tests.
public enum Softmax {
    /// probabilities = softmax(logits) per row; may alias.
    public static func forward(probabilities p: UnsafeMutablePointer<Float>,   // [batch, classes]
                               logits z: UnsafePointer<Float>,                 // [batch, classes]
                               batch: Int, classes: Int) {
        for row in 0..<batch {
            let logits = z + row * classes, probabilities = p + row * classes
            var largest = -Float.infinity
            for j in 0..<classes { largest = max(largest, logits[j]) }
            var total: Float = 0
            for j in 0..<classes {
                probabilities[j] = exp(logits[j] - largest)
                total += probabilities[j]
            }
            let scale = 1 / total
            for j in 0..<classes { probabilities[j] *= scale }
        }
    }

    /// dL/dz_j = p_j·(dL/dp_j − Σ_k dL/dp_k·p_k) per row; `logitGradients` may alias `probabilityGradients`.
    public static func backward(logitGradients dz: UnsafeMutablePointer<Float>,       // [batch, classes]
                                probabilityGradients dp: UnsafePointer<Float>,        // [batch, classes]
                                probabilities p: UnsafePointer<Float>,                // [batch, classes]
                                batch: Int, classes: Int) {
        for row in 0..<batch {
            let offset = row * classes
            var projection: Float = 0
            for j in 0..<classes { projection += dp[offset + j] * p[offset + j] }
            for j in 0..<classes { dz[offset + j] = p[offset + j] * (dp[offset + j] - projection) }
        }
    }
}
