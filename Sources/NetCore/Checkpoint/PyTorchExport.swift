/// A checkpoint's model as a PyTorch state dict in safetensors, for
/// `nn.Sequential(OrderedDict(fc1=nn.Linear(784, 128), act1=nn.ReLU(), fc2=nn.Linear(128, 10)))`:
///
/// - tensors: `fc1.weight` [outputs, inputs] (nn.Linear's layout: mpitrain's `dense1.weights`
///   [inputs, outputs] transposed), `fc1.bias` [outputs], then `fc2.…`, all F32; no optimizer state;
/// - metadata: `format` ("pytorch-state-dict"), `exported_by` ("mpitrain"), `layers` (the widths,
///   "784,128,10"), `activations` (one name per hidden layer, "relu" or "relu,tanh"; empty without
///   hidden layers), `output` ("softmax" over `classes` logits, or "sigmoid" on one logit meaning
///   "is it `positive_class`?"), `classes`, `positive_class` (binary models only), and `trained_with`:
///   how to continue training it in PyTorch, e.g. "torch.optim.AdamW(lr=0.001, betas=(0.9, 0.999),
///   eps=1e-08, weight_decay=0.01); nn.Dropout(0.3) after each hidden activation" (the optimizer's
///   state stays in the checkpoint; dropout is inactive in `eval()`, as mpitrain's evaluation).
///
/// The model's outputs are logits, as mpitrain's are; inputs are pixels / 255, row by row.
public enum PyTorchExport {
    /// The state dict of the model in `checkpoint`.
    public static func stateDict(_ checkpoint: Checkpoint) throws(CheckpointError) -> SafeTensors {
        let model = checkpoint.configuration.model
        let widths = model.layerWidths
        var tensors: [String: SafeTensors.Tensor] = [:]
        for (index, (inputs, outputs)) in zip(widths, widths.dropFirst()).enumerated() {
            let name = "dense\(index + 1)"
            guard let weights = checkpoint.tensors[name + ".weights"], weights.shape == [inputs, outputs],
                  let values = weights.floats,
                  let bias = checkpoint.tensors[name + ".bias"], bias.shape == [outputs], bias.dtype == .f32
            else {
                throw CheckpointError(problem: "has no F32 \"\(name).weights\" [\(inputs), \(outputs)] and \"\(name).bias\" [\(outputs)] for its \(Checkpoint.describe(model)) model")
            }
            var transposed = [Float](repeating: 0, count: values.count)   // [outputs, inputs]
            for row in 0..<inputs {
                for column in 0..<outputs { transposed[column * inputs + row] = values[row * outputs + column] }
            }
            tensors["fc\(index + 1).weight"] = SafeTensors.Tensor(transposed, shape: [outputs, inputs])
            tensors["fc\(index + 1).bias"] = bias
        }
        var metadata = [
            "format": "pytorch-state-dict",
            "exported_by": "mpitrain",
            "layers": widths.map(String.init).joined(separator: ","),
            "activations": model.activations.map(\.rawValue).joined(separator: ","),
            "output": model.isBinary ? "sigmoid" : "softmax",
            "classes": String(model.classes),
        ]
        if model.isBinary { metadata["positive_class"] = String(model.digit) }
        metadata["trained_with"] = trainedWith(checkpoint.configuration)
        return SafeTensors(tensors: tensors, metadata: metadata)
    }

    /// The run's optimizer as its `torch.optim` constructor, then dropout, input dropout and augmentation when used.
    static func trainedWith(_ configuration: TrainingConfiguration) -> String {
        let lr = "lr=\(configuration.learningRate)", decay = "weight_decay=\(configuration.weightDecay)"
        var parts: [String]
        switch configuration.optimizer {
        case .sgd:
            parts = ["torch.optim.SGD(\(lr), momentum=\(configuration.momentum), \(decay))"]
        case .adam, .adamw:
            parts = ["torch.optim.\(configuration.optimizer == .adam ? "Adam" : "AdamW")(\(lr), betas=(\(configuration.beta1), \(configuration.beta2)), eps=\(configuration.epsilon), \(decay))"]
        }
        if !configuration.dropout.isEmpty {
            parts.append("nn.Dropout(\(configuration.dropout.map { "\($0)" }.joined(separator: " / "))) after \(configuration.dropout.count == 1 ? "each hidden activation" : "the hidden activations in turn")")
        }
        if configuration.inputDropout > 0 { parts.append("nn.Dropout(\(configuration.inputDropout)) on the input pixels") }
        if let augmentation = configuration.augmentation { parts.append("\(augmentation.rawValue) augmentation of the training images") }
        return parts.joined(separator: "; ")
    }
}
