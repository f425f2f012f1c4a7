/// Inverted dropout of the hidden layers' outputs during training (Srivastava et al. 2014): each
/// output of hidden layer l is kept with probability 1 − pₗ and then scaled by 1/(1 − pₗ), or
/// set to 0, so evaluation uses the network as it is, without dropout.
///
/// An example's mask in a layer is drawn from (seed, epoch, example index, layer) alone, never
/// from its place in a batch, a rank or a thread: `-np 1` and `-np 4` drop the same units.
/// The network applies it in `forwardLoss` (not in `evaluate`) to the batch rows named by the
/// last `select(epoch:examples:)`, and `backward` passes the gradients through the same masks.
public final class Dropout {
    /// Each hidden layer's rate p, input side first (0: the layer keeps every output).
    public let rates: [Float]
    /// The seed the masks are drawn from.
    public let seed: UInt64
    /// Hidden layers' widths, input side first.
    private let widths: [Int]
    /// The epoch and example indices of the batch's rows, from `select(epoch:examples:)`.
    private var epoch = 0
    private var examples: [Int32] = []
    /// Per hidden layer, [capacity, width] each: the outputs before dropout (for the activation's
    /// backward pass) and the mask's scales, 0 or 1/(1 − p).
    private var activations: [UnsafeMutablePointer<Float>], scales: [UnsafeMutablePointer<Float>]
    private var capacity = 0

    /// The stream of `SeededRandom` the masks are drawn from (other randomness uses others).
    static let stream: UInt64 = 0xD209_0F70_0000_0000

    /// Dropout with `rates` for hidden layers of `widths`, from `seed`; nil when every rate is 0.
    public init?(rates: [Float], widths: [Int], seed: UInt64) {
        precondition(rates.count == widths.count && rates.allSatisfy { (0..<1).contains($0) })
        guard rates.contains(where: { $0 > 0 }) else { return nil }
        self.rates = rates
        self.widths = widths
        self.seed = seed
        activations = widths.map { _ in .allocateCacheAligned(capacity: 0) }
        scales = widths.map { _ in .allocateCacheAligned(capacity: 0) }
    }

    /// The dropout `configuration` asks for; nil without any.
    public convenience init?(_ configuration: TrainingConfiguration) {
        let widths = configuration.model.hidden
        self.init(rates: widths.indices.map(configuration.dropoutRate(ofLayer:)), widths: widths, seed: configuration.seed)
    }

    deinit {
        for buffer in activations + scales { buffer.deallocate() }
    }

    /// Names the examples of the batch's rows (indices into the training set) and the epoch,
    /// which choose their masks.
    public func select(epoch: Int, examples: UnsafeBufferPointer<Int32>) {
        self.epoch = epoch
        self.examples = Array(examples)
    }

    /// The mask's scales of `example` in `layer`: [width] values 0 or 1/(1 − rate).
    public static func mask(seed: UInt64, epoch: Int, example: Int, layer: Int, width: Int, rate: Float) -> [Float] {
        var values = [Float](repeating: 0, count: width)
        values.withUnsafeMutableBufferPointer { fill($0.baseAddress!, count: width, seed: seed, epoch: epoch, example: example,
                                                     layer: layer, rate: rate) }
        return values
    }

    /// Writes the mask's `count` scales of (`example`, `layer`) in `epoch` into `values`.
    private static func fill(_ values: UnsafeMutablePointer<Float>, count: Int,
                             seed: UInt64, epoch: Int, example: Int, layer: Int, rate: Float) {
        var generator = SeededRandom(seed: seed, stream: stream ^ (UInt64(epoch) << 40) ^ (UInt64(layer) << 32) ^ UInt64(example))
        let scale = 1 / (1 - rate)
        for i in 0..<count { values[i] = generator.nextUnitFloat() >= rate ? scale : 0 }
    }

    // MARK: - Input dropout

    /// The stream of the input pixels' masks (Hinton et al. 2012 drop 20 % of the pixels).
    static let inputStream: UInt64 = 0x1D09_0F70_0000_0000

    /// Inverted dropout of `example`'s input pixels in `epoch`: each of the `count` values is
    /// kept with probability 1 − `rate` and scaled by 1/(1 − `rate`), or set to 0, in place. The
    /// mask depends on (seed, epoch, example) alone; the gather applies it to training batches.
    public static func dropInputs(_ values: UnsafeMutablePointer<Float>, count: Int, seed: UInt64, epoch: Int, example: Int,
                                  rate: Float) {
        var generator = SeededRandom(seed: seed, stream: inputStream ^ (UInt64(epoch) << 32) ^ UInt64(example))
        let scale = 1 / (1 - rate)
        for i in 0..<count { values[i] *= generator.nextUnitFloat() >= rate ? scale : 0 }
    }

    // MARK: - Network passes

    /// Whether hidden layer `layer` drops any outputs.
    func drops(layer: Int) -> Bool { layer < rates.count && rates[layer] > 0 }

    /// Makes room for `batch` rows and checks that `select` named them.
    func reserve(batch: Int) {
        precondition(examples.count == batch, "Dropout.select names \(examples.count) examples for a batch of \(batch)")
        guard batch > capacity else { return }
        for layer in widths.indices {
            activations[layer].deallocate()
            scales[layer].deallocate()
            activations[layer] = .allocateCacheAligned(capacity: batch * widths[layer])
            scales[layer] = .allocateCacheAligned(capacity: batch * widths[layer])
        }
        capacity = batch
    }

    /// Drops outputs of hidden layer `layer` in the batch's `rows`: keeps their values for
    /// `backward`, then multiplies them by their masks. `outputs` is the layer's [batch, width].
    func forward(layer: Int, outputs: UnsafeMutablePointer<Float>, rows: Range<Int>) {
        let width = widths[layer], kept = activations[layer], scale = scales[layer]
        for row in rows {
            let first = row * width
            Self.fill(scale + first, count: width, seed: seed, epoch: epoch, example: Int(examples[row]), layer: layer,
                      rate: rates[layer])
            for i in first..<(first + width) {
                kept[i] = outputs[i]
                outputs[i] *= scale[i]
            }
        }
    }

    /// dL/dy = dL/d(dropped y) · mask, in place for hidden layer `layer`'s `rows`; returns the
    /// outputs before dropout, [batch, width], which the activation's backward pass reads.
    func backward(layer: Int, gradients: UnsafeMutablePointer<Float>, rows: Range<Int>) -> UnsafePointer<Float> {
        let width = widths[layer], scale = scales[layer]
        for i in (rows.lowerBound * width)..<(rows.upperBound * width) { gradients[i] *= scale[i] }
        return UnsafePointer(activations[layer])
    }
}
