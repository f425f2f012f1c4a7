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

    /// z = x·W, the first half of the forward pass y = f(x·W + b), by `kernels`. With
    /// `rowsFinishedLater`, rows of z are complete only after `x.finishRows` (a partitioned batch
    /// leaves its partial products for the threads that read the rows to add up).
    public func product(_ z: UnsafeMutablePointer<Float>,         // [batch, outputs], overwritten
                        inputs x: LayerInput,                     // [batch, inputs]
                        parameters: UnsafePointer<Float>,
                        batch: Int, kernels: ProductKernels, threads: Int = 1, rowsFinishedLater: Bool = false) {
        guard batch > 0 else { return }
        x.times(parameters + weightsOffset, ldb: outputs, into: z, ldc: outputs,
                batch: batch, k: inputs, n: outputs, kernels: kernels, threads: threads, rowsFinishedLater: rowsFinishedLater)
    }

    /// y = f(z + b) in place, the second half of the forward pass; f the identity when `activation` is nil.
    public func activate(_ values: UnsafeMutablePointer<Float>,     // [batch, outputs]
                         parameters: UnsafePointer<Float>,
                         batch: Int, activation: Activation?) {
        let bias = parameters + biasOffset
        if let activation {
            activation.addBiasAndActivate(values: values, bias: bias, batch: batch, width: outputs)
        } else {
            Identity.addBiasAndActivate(values: values, bias: bias, batch: batch, width: outputs)
        }
    }

    // MARK: - Backward

    /// dL/dx = dz·Wᵀ into `dx`, overwriting, by `kernels`.
    public func inputGradient(_ dx: UnsafeMutablePointer<Float>,           // [batch, inputs]
                              outputGradients dz: UnsafePointer<Float>,    // [batch, outputs]
                              parameters: UnsafePointer<Float>,
                              batch: Int, kernels: ProductKernels, threads: Int = 1) {
        guard batch > 0 else { return }
        gemm(c: dx, ldc: inputs,
             a: dz, lda: outputs, .none,
             b: parameters + weightsOffset, ldb: outputs, .transposed,
             m: batch, n: inputs, k: outputs, threads: threads, kernel: kernels.inputWide)
    }

    /// dW = xᵀ·dz into `gradients`, overwriting, by `kernels`.
    public func weightGradient(_ gradients: UnsafeMutablePointer<Float>,
                               outputGradients dz: UnsafePointer<Float>,   // [batch, outputs]
                               inputs x: LayerInput,                       // [batch, inputs]
                               batch: Int, kernels: ProductKernels, threads: Int = 1) {
        guard batch > 0 else {
            (gradients + weightsOffset).update(repeating: 0, count: inputs * outputs)
            return
        }
        x.transposedTimes(dz, ldb: outputs, into: gradients + weightsOffset, ldc: outputs,
                          batch: batch, k: inputs, n: outputs, kernels: kernels, threads: threads)
    }

    /// db = Σ_batch dz into `gradients`, overwriting.
    public func biasGradient(_ gradients: UnsafeMutablePointer<Float>,
                             outputGradients dz: UnsafePointer<Float>,     // [batch, outputs]
                             batch: Int, threads: Int = 1) {
        columnSums(gradients + biasOffset, matrix: dz, ld: outputs, rows: batch, columns: outputs,
                   accumulate: false, threads: threads)
    }
}
