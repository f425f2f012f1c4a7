/// How a product of a dense matrix with a dense one runs: picked from the width of C.
public enum GEMMKernel: Sendable, Equatable {
    /// C up to 16 wide (an output layer's [batch, 10]): each row of C summed in one register
    /// (`smallGEMM`); the blocked kernel's 32-wide tiles would leave most lanes idle.
    case narrow
    /// Register tiles of C over packed panels (`blockedGEMM`), split into rectangles over the threads.
    case blocked

    /// The kernel for a C `n` columns wide.
    public init(n: Int) { self = n <= SmallGEMM.width ? .narrow : .blocked }
}

/// How Xᵀ·B runs when X is sparse: picked from the width of C.
public enum SparseTransposedKernel: Sendable, Equatable {
    /// X's entries regrouped by column (`ColumnGrouping`, per batch), each row of C summed in
    /// registers and written once: from `columnGroupingMinimumWidth` columns on, for batches a
    /// `ColumnGrouping` holds.
    case byColumns
    /// Each row of B held in registers and added into the rows of C its row of X names.
    case byRows

    /// The kernel for a C `n` columns wide and X of up to `batch` rows.
    public init(n: Int, batch: Int) {
        self = n >= columnGroupingMinimumWidth && batch <= ColumnGrouping.maximumRows ? .byColumns : .byRows
    }
}

/// The kernels of a dense layer's products with its input and weights, chosen once from the
/// layer's shape (inputs → outputs) when the network is built.
public struct ProductKernels: Sendable, Equatable {
    /// x·W [batch, outputs] and, with a dense x, xᵀ·dz [inputs, outputs]: C is `outputs` wide.
    public let outputWide: GEMMKernel
    /// dz·Wᵀ [batch, inputs]: C is `inputs` wide.
    public let inputWide: GEMMKernel
    /// xᵀ·dz [inputs, outputs] with a sparse x.
    public let sparseTransposed: SparseTransposedKernel

    /// The kernels of a layer `inputs` → `outputs` for batches of up to `batch` examples.
    public init(inputs: Int, outputs: Int, batch: Int) {
        outputWide = GEMMKernel(n: outputs)
        inputWide = GEMMKernel(n: inputs)
        sparseTransposed = SparseTransposedKernel(n: outputs, batch: batch)
    }
}
