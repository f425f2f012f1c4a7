/// The lab's three networks; `hidden` widths make any of them deeper.
public enum ModelKind: String, CaseIterable, Sendable, Codable {
    /// One sigmoid neuron, inputs → 1: "is this image of class `digit`?"
    case single
    /// inputs → hidden → 1, hidden layers before the single sigmoid output.
    case hidden
    /// inputs → hidden → classes with softmax and cross-entropy (no hidden layer: softmax regression).
    case multiclass
}

/// Which network to build, and its sizes.
public struct ModelConfiguration: Sendable, Equatable, Codable {
    /// The network kind.
    public var kind: ModelKind
    /// Input features per example: the images' rows × columns (784 for MNIST).
    public var inputs: Int
    /// Widths of the hidden layers, input side first; empty for none (always for `single`).
    public var hidden: [Int]
    /// Each hidden layer's activation, [hidden.count].
    public var activations: [Activation]
    /// Classes in the data (labels 0 ..< classes): the multiclass model's outputs.
    public var classes: Int
    /// The binary models' positive class, in 0 ..< classes.
    public var digit: Int

    /// A configuration; `hidden` is forced to empty for `.single`. `activations` has one entry per
    /// hidden layer, or one for all of them.
    public init(kind: ModelKind, inputs: Int = 784, hidden: [Int], activations: [Activation],
                classes: Int = 10, digit: Int = 5) {
        self.kind = kind
        self.inputs = inputs
        self.hidden = kind == .single ? [] : hidden
        self.activations = activations.count == 1 ? Array(repeating: activations[0], count: self.hidden.count)
            : self.hidden.isEmpty ? [] : activations
        self.classes = classes
        self.digit = digit
    }

    /// A configuration with at most one hidden layer: `hidden` units (0 = none) with `activation`.
    public init(kind: ModelKind, inputs: Int = 784, hidden: Int = 64, activation: Activation = .sigmoid,
                classes: Int = 10, digit: Int = 5) {
        self.init(kind: kind, inputs: inputs, hidden: hidden == 0 ? [] : [hidden], activations: [activation],
                  classes: classes, digit: digit)
    }

    /// Number of logits: `classes` for `multiclass`, 1 for the binary models.
    public var outputs: Int { kind == .multiclass ? classes : 1 }

    /// Whether the model answers "is it `digit`?" with one logit.
    public var isBinary: Bool { kind != .multiclass }

    /// Whether there is a hidden layer.
    public var hasHiddenLayer: Bool { !hidden.isEmpty }

    /// Widths from input to output, e.g. [784, 256, 128, 10].
    public var layerWidths: [Int] { [inputs] + hidden + [outputs] }

    /// The activation after layer `index` (0 = the first), nil for the output layer (logits).
    public func activation(ofLayer index: Int) -> Activation? {
        index < activations.count ? activations[index] : nil
    }

    /// The hidden activations in a few letters: one name when all layers share it ("relu"), else
    /// one per layer ("relu,tanh"); empty without hidden layers.
    public var activationNames: String {
        Set(activations).count == 1 ? activations[0].rawValue : activations.map(\.rawValue).joined(separator: ",")
    }

    /// Checks the sizes, throwing a descriptive error for the first one that is wrong.
    /// Within the caps, no size computed from the configuration (parameters, their bytes, a batch's
    /// activations) can overflow, so a configuration read from a file is safe to size memory by.
    public func validate() throws(ModelConfigurationError) {
        guard inputs > 0 else { throw .inputsNotPositive(inputs) }
        guard inputs <= Self.maximumInputs else { throw .inputsTooMany(inputs) }
        if let width = hidden.first(where: { $0 <= 0 }) { throw .hiddenNotPositive(width) }
        if let width = hidden.first(where: { $0 > Self.maximumWidth }) { throw .hiddenTooWide(width) }
        guard hidden.count <= Self.maximumHiddenLayers else { throw .tooManyHiddenLayers(hidden.count) }
        guard activations.count == hidden.count else { throw .activationsDoNotMatch(activations.count, hidden.count) }
        guard kind != .hidden || !hidden.isEmpty else { throw .hiddenModelWithoutHiddenLayer }
        guard (2...Self.maximumClasses).contains(classes) else { throw .classesOutOfRange(classes) }
        guard !isBinary || (0..<classes).contains(digit) else { throw .digitOutOfRange(digit, classes: classes) }
    }

    /// The most classes a model can have (labels are bytes).
    public static let maximumClasses = 256
    /// The widest hidden layer (`--hidden` takes 1–65536).
    public static let maximumWidth = 65_536
    /// The most inputs: images of up to 4096×4096 pixels.
    public static let maximumInputs = 1 << 24
    /// The most hidden layers.
    public static let maximumHiddenLayers = 1_024

    /// Weights and biases of all layers (no overflow within `validate`'s caps).
    public var parameterCount: Int {
        zip(layerWidths, layerWidths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 }
    }

    /// Bytes one rank needs to train this model on `batch` examples at a time: the parameters, their
    /// gradients and, with `momentum`, the velocity (4-byte floats each); a checkpoint's copy of the
    /// parameters (and velocity) and its encoded file; each layer's outputs and their gradients for the batch.
    public func trainingBytes(batch: Int, momentum: Bool) -> Double {
        let parameters = Double(parameterCount) * 4 * (momentum ? 7 : 4)
        let activations = Double(batch) * Double(layerWidths.dropFirst().reduce(0, +)) * 4 * 2
        return parameters + activations
    }
    // MARK: - Coding

    enum CodingKeys: String, CodingKey { case kind, inputs, hidden, activations, activation, classes, digit }

    /// Reads this form, and the one-hidden-layer form of earlier checkpoints (`hidden` a width,
    /// 0 for none; `activation` one name; ten classes).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(ModelKind.self, forKey: .kind)
        inputs = try container.decode(Int.self, forKey: .inputs)
        digit = try container.decode(Int.self, forKey: .digit)
        classes = try container.decodeIfPresent(Int.self, forKey: .classes) ?? 10
        if let widths = try? container.decode([Int].self, forKey: .hidden) {
            hidden = widths
            activations = try container.decode([Activation].self, forKey: .activations)
        } else {
            let width = try container.decode(Int.self, forKey: .hidden)
            hidden = width == 0 ? [] : [width]
            activations = hidden.isEmpty ? [] : [try container.decode(Activation.self, forKey: .activation)]
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(inputs, forKey: .inputs)
        try container.encode(hidden, forKey: .hidden)
        try container.encode(activations, forKey: .activations)
        try container.encode(classes, forKey: .classes)
        try container.encode(digit, forKey: .digit)
    }
}

/// Why a `ModelConfiguration` cannot be built.
public enum ModelConfigurationError: Error, Equatable, CustomStringConvertible {
    case inputsNotPositive(Int)
    case inputsTooMany(Int)
    case hiddenNotPositive(Int)
    case hiddenTooWide(Int)
    case tooManyHiddenLayers(Int)
    case activationsDoNotMatch(Int, Int)
    case hiddenModelWithoutHiddenLayer
    case classesOutOfRange(Int)
    case digitOutOfRange(Int, classes: Int)

    public var description: String {
        switch self {
        case .inputsNotPositive(let inputs): "inputs must be positive, got \(inputs)"
        case .inputsTooMany(let inputs): "inputs must be at most \(ModelConfiguration.maximumInputs) (4096×4096 pixels), got \(inputs)"
        case .hiddenNotPositive(let width): "hidden layer widths must be positive, got \(width)"
        case .hiddenTooWide(let width): "hidden layer widths must be at most \(ModelConfiguration.maximumWidth), got \(width)"
        case .tooManyHiddenLayers(let count): "at most \(ModelConfiguration.maximumHiddenLayers) hidden layers, got \(count)"
        case .activationsDoNotMatch(let activations, let layers):
            "\(activations) activations for \(layers) hidden layers: give one per hidden layer, or one for all"
        case .hiddenModelWithoutHiddenLayer: "the hidden model needs at least one hidden layer"
        case .classesOutOfRange(let classes): "the data must have 2 to \(ModelConfiguration.maximumClasses) classes, got \(classes)"
        case .digitOutOfRange(let digit, let classes): "the positive class must be in 0...\(classes - 1), got \(digit)"
        }
    }
}
