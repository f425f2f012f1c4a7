/// One named tensor inside a network's contiguous parameter buffer (and, at the same offset,
/// its gradient buffer), for checkpoints and reports.
public struct ParameterTensor: Sendable, Equatable {
    /// E.g. "dense1.weights".
    public let name: String
    /// E.g. [784, 64] for weights stored [inputs, outputs] row-major, [64] for a bias.
    public let shape: [Int]
    /// First element in the buffer.
    public let offset: Int
    /// Number of elements, the product of `shape`.
    public var count: Int { shape.reduce(1, *) }

    /// A tensor view.
    public init(name: String, shape: [Int], offset: Int) {
        self.name = name
        self.shape = shape
        self.offset = offset
    }
}
