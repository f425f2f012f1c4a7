import Parallel

/// A fully connected layer, y = f(x·W + b), as a view into a network's parameter and gradient
/// buffers: weights [inputs, outputs] row-major at `weightsOffset`, bias [outputs] right after.
public struct Dense: Sendable, Equatable {
    /// Input width.
    public let inputs: Int
    /// Output width.
    public let outputs: Int
    /// Offset of the weights [inputs, outputs] in the parameter (and gradient) buffer.
    public let weightsOffset: Int
    /// Offset of the bias [outputs].
    public var biasOffset: Int { weightsOffset + inputs * outputs }
    /// Weights plus bias.
    public var parameterCount: Int { inputs * outputs + outputs }

    /// A layer whose parameters start at `offset`.
    public init(inputs: Int, outputs: Int, offset: Int) {
        self.inputs = inputs
        self.outputs = outputs
        self.weightsOffset = offset
    }

    // MARK: - Forward

    /// y = f(x·W + b), with f the identity when `activation` is nil (the logits).
    public func forward(outputs y: UnsafeMutablePointer<Float>,       // [batch, outputs]
                        inputs x: UnsafePointer<Float>,               // [batch, inputs]
                        parameters: UnsafePointer<Float>,
                        batch: Int, activation: Activation? = nil, threads: Int = 1) {
        guard batch > 0 else { return }
        gemm(c: y, ldc: outputs,
             a: x, lda: inputs, .none,
             b: parameters + weightsOffset, ldb: outputs, .none,
             m: batch, n: outputs, k: inputs, threads: threads)
        let bias = parameters + biasOffset
        if let activation {
            activation.addBiasAndActivate(values: y, bias: bias, batch: batch, width: outputs)
        } else {
            Identity.addBiasAndActivate(values: y, bias: bias, batch: batch, width: outputs)
        }
    }

    // MARK: - Backward

    /// From dL/dz (z = x·W + b, the gradient *before* the activation) writes, overwriting:
    /// dW = xᵀ·dz and db = Σ_batch dz into `gradients` at this layer's offsets, and
    /// dL/dx = dz·Wᵀ into `inputGradients` unless it is nil (the first layer needs none).
    public func backward(inputGradients dx: UnsafeMutablePointer<Float>?,   // [batch, inputs]
                         gradients: UnsafeMutablePointer<Float>,
                         outputGradients dz: UnsafePointer<Float>,          // [batch, outputs]
                         inputs x: UnsafePointer<Float>,                    // [batch, inputs]
                         parameters: UnsafePointer<Float>,
                         batch: Int, threads: Int = 1) {
        guard batch > 0 else {
            (gradients + weightsOffset).update(repeating: 0, count: parameterCount)
            return
        }
        gemm(c: gradients + weightsOffset, ldc: outputs,
             a: x, lda: inputs, .transposed,
             b: dz, ldb: outputs, .none,
             m: inputs, n: outputs, k: batch, threads: threads)
        columnSums(gradients + biasOffset, matrix: dz, ld: outputs, rows: batch, columns: outputs,
                   accumulate: false, threads: 1)
        if let dx {
            gemm(c: dx, ldc: inputs,
                 a: dz, lda: outputs, .none,
                 b: parameters + weightsOffset, ldb: outputs, .transposed,
                 m: batch, n: inputs, k: outputs, threads: threads)
        }
    }
}
