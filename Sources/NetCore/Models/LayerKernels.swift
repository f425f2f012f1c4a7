import Parallel

/// How a dense layer's products run, chosen once when the network is built from the layer's
/// shape, its place in the network and the rank's training batch; the step follows the choice.
struct LayerKernels: Equatable {
    /// How the weight gradient dW = xᵀ·dz [inputs, outputs], a sum over the batch, is taken.
    enum WeightGradient: Equatable {
        /// Each share of the examples sums its own rows, in the pass that takes its rows down the
        /// network; then the shares' partial sums are added in share order. For layers whose dW
        /// costs less to add up once per share than the share's rows of x and dz are to read
        /// (an output layer's [128, 10]), so each thread reads only rows it made itself.
        case byShares
        /// One product over the whole batch, split over the threads by its kernel: the first
        /// layer (its input's own product: sparse or dense, cut into pixel partitions) and wide
        /// layers.
        case wholeBatch
    }

    let weightGradient: WeightGradient
    /// The kernels of the layer's products with its input and weights.
    let products: ProductKernels

    /// The kernels of layer `index` (0 = the first) of width `inputs → outputs`, for batches of
    /// up to `batch` examples cut into shares of `rowsPerShare`, the dense products in `precision`.
    init(index: Int, inputs: Int, outputs: Int, batch: Int, rowsPerShare: Int, precision: ProductPrecision = .fp32) {
        let summedByShares = batch >= 2 * rowsPerShare && inputs * outputs < rowsPerShare * (inputs + outputs)
        weightGradient = index > 0 && summedByShares ? .byShares : .wholeBatch
        products = ProductKernels(inputs: inputs, outputs: outputs, batch: batch, precision: precision)
    }
}
