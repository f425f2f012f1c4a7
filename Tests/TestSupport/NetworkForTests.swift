import NetCore
import Parallel

// The whole-step and dense-batch forms of the network's public calls that the tests compare the
// training path against: the product calls them only in their halves, on gathered batches.

extension Network {
    /// Forward and backward on `count` examples: overwrites `gradientBuffer` with the SUM over the
    /// examples (not the mean) of dLoss/dParameters, then the loss sum and the correct count.
    /// `count` may be 0 (everything is then zero). The same as `forwardLoss` then `backward`.
    public func computeGradients(input: LayerInput,               // [count, inputs]
                                 labels: UnsafePointer<UInt8>,    // [count]
                                 count: Int) {
        forwardLoss(input: input, labels: labels, count: count)
        backward(input: input, count: count)
    }

    /// `computeGradients` on a dense batch of images.
    public func computeGradients(images: UnsafePointer<Float>,    // [count, inputs]
                                 labels: UnsafePointer<UInt8>,    // [count]
                                 count: Int) {
        computeGradients(input: .dense(images), labels: labels, count: count)
    }

    /// `evaluate` on a dense batch of images.
    public func evaluate(images: UnsafePointer<Float>,                  // [count, inputs]
                         labels: UnsafePointer<UInt8>,                  // [count]
                         count: Int,
                         predictions: UnsafeMutablePointer<UInt8>) -> Double {
        evaluate(input: .dense(images), labels: labels, count: count, predictions: predictions)
    }
}

extension Dense {
    /// y = f(x·W + b), with f the identity when `activation` is nil (the logits).
    public func forward(outputs y: UnsafeMutablePointer<Float>,       // [batch, outputs]
                        inputs x: LayerInput,                         // [batch, inputs]
                        parameters: UnsafePointer<Float>,
                        batch: Int, activation: Activation? = nil, threads: Int = 1) {
        product(y, inputs: x, parameters: parameters, batch: batch,
                kernels: ProductKernels(inputs: inputs, outputs: outputs, batch: batch), threads: threads)
        activate(y, parameters: parameters, batch: batch, activation: activation)
    }
}

extension Activation {
    /// y = f(x), element-wise; `outputs` may alias `inputs`.
    public func forward(outputs y: UnsafeMutablePointer<Float>, inputs x: UnsafePointer<Float>, count: Int) {
        switch self {
        case .sigmoid: Sigmoid.forward(outputs: y, inputs: x, count: count)
        case .relu: ReLU.forward(outputs: y, inputs: x, count: count)
        case .tanh: Tanh.forward(outputs: y, inputs: x, count: count)
        }
    }
}
