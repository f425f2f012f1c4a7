/// The three networks of the MNIST lab.
public enum ModelKind: String, CaseIterable, Sendable, Codable {
    /// One sigmoid neuron, inputs → 1: "is this digit `digit`?"
    case single
    /// inputs → hidden → 1, a hidden layer before the single sigmoid output.
    case hidden
    /// inputs → hidden → 10 with softmax and cross-entropy (`hidden: 0` is plain softmax regression).
    case multiclass
}

/// Which network to build, and its sizes.
public struct ModelConfiguration: Sendable, Equatable, Codable {
    /// The network kind.
    public var kind: ModelKind
    /// Input features per example (784 for MNIST; smaller in tests).
    public var inputs: Int
    /// Width of the hidden layer; always 0 for `single`, 0 allowed for `multiclass`.
    public var hidden: Int
    /// The hidden layer's activation (unused without a hidden layer).
    public var activation: Activation
    /// The binary models' positive class (0...9).
    public var digit: Int

    /// A configuration; `hidden` is forced to 0 for `.single`.
    public init(kind: ModelKind, inputs: Int = 784, hidden: Int = 64,
                activation: Activation = .sigmoid, digit: Int = 5) {
        self.kind = kind
        self.inputs = inputs
        self.hidden = kind == .single ? 0 : hidden
        self.activation = activation
        self.digit = digit
    }

    /// Number of logits: 10 for `multiclass`, 1 for the binary models.
    public var outputs: Int { kind == .multiclass ? 10 : 1 }

    /// Whether the model answers "is it `digit`?" with one logit.
    public var isBinary: Bool { kind != .multiclass }

    /// Whether there is a hidden layer.
    public var hasHiddenLayer: Bool { kind != .single && hidden > 0 }

    /// Widths from input to output, e.g. [784, 64, 10] (for the architecture figure).
    public var layerWidths: [Int] {
        hasHiddenLayer ? [inputs, hidden, outputs] : [inputs, outputs]
    }

    /// Checks the sizes, throwing a descriptive error for the first one that is wrong.
    public func validate() throws(ModelConfigurationError) {
        guard inputs > 0 else { throw .inputsNotPositive(inputs) }
        guard hidden >= 0 else { throw .hiddenNegative(hidden) }
        guard kind != .hidden || hidden > 0 else { throw .hiddenModelWithoutHiddenLayer }
        guard !isBinary || (0...9).contains(digit) else { throw .digitOutOfRange(digit) }
    }
}

/// Why a `ModelConfiguration` cannot be built.
public enum ModelConfigurationError: Error, Equatable, CustomStringConvertible {
    case inputsNotPositive(Int)
    case hiddenNegative(Int)
    case hiddenModelWithoutHiddenLayer
    case digitOutOfRange(Int)

    public var description: String {
        switch self {
        case .inputsNotPositive(let inputs): "inputs must be positive, got \(inputs)"
        case .hiddenNegative(let hidden): "hidden must be ≥ 0, got \(hidden)"
        case .hiddenModelWithoutHiddenLayer: "the hidden model needs hidden ≥ 1"
        case .digitOutOfRange(let digit): "digit must be in 0...9, got \(digit)"
        }
    }
}
