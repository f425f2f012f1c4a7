/// How a dense layer's weights are drawn; biases always start at zero.
enum Initialization {
    /// Glorot/Xavier uniform, U(±√(6 / (fanIn + fanOut))): sigmoid, tanh and output layers.
    case xavier
    /// He uniform, U(±√(6 / fanIn)) (variance 2 / fanIn): ReLU layers.
    case he

    /// The uniform range's half-width for a layer of `inputs` → `outputs`.
    func limit(inputs: Int, outputs: Int) -> Float {
        switch self {
        case .xavier: (6 / Float(inputs + outputs)).squareRoot()
        case .he: (6 / Float(inputs)).squareRoot()
        }
    }

    /// Fills `layer`'s weights from `generator` in storage order and zeroes its bias.
    func initialize(_ layer: Dense, parameters: UnsafeMutablePointer<Float>, generator: inout SeededRandom) {
        let limit = limit(inputs: layer.inputs, outputs: layer.outputs)
        let weights = parameters + layer.weightsOffset
        for index in 0..<(layer.inputs * layer.outputs) {
            weights[index] = (2 * generator.nextUnitFloat() - 1) * limit
        }
        (parameters + layer.biasOffset).update(repeating: 0, count: layer.outputs)
    }
}
