import BFloat16Tiles
import Foundation

/// How a product of a dense matrix with a dense one runs: picked from the width of C and the
/// precision of the products.
public enum GEMMKernel: Sendable, Equatable {
    /// C up to 16 wide (an output layer's [batch, 10]): each row of C summed in one register
    /// (`smallGEMM`); the blocked kernel's 32-wide tiles would leave most lanes idle.
    case narrow
    /// Register tiles of C over packed panels (`blockedGEMM`), split into rectangles over the threads.
    case blocked
    /// bfloat16 products summed in float on the AMX tile registers (`bfloat16TilesGEMM`), any width.
    case bfloat16Tiles

    /// The float kernel for a C `n` columns wide.
    public init(n: Int) { self = n <= SmallGEMM.width ? .narrow : .blocked }

    /// The kernel for a C `n` columns wide whose products are taken in `precision`.
    public init(n: Int, precision: ProductPrecision) {
        self = precision == .bf16 ? .bfloat16Tiles : GEMMKernel(n: n)
    }
}

/// The precision of a dense layer's products with dense inputs (`--precision`); sums are float
/// either way, and so are the parameters the optimizer updates.
public enum ProductPrecision: String, Sendable, Equatable, Codable, CaseIterable {
    /// Float products.
    case fp32
    /// Each factor rounded to bfloat16 (to nearest, ties to even) before it is multiplied, the
    /// products summed in float: what PyTorch's CPU autocast does to a matmul. Needs AMX-BF16
    /// (`ProductPrecision.bf16Usable`).
    case bf16

    /// Whether this CPU and OS can take bf16 products (AMX-BF16, and the tile registers granted),
    /// unless the environment variable MPITRAIN_AMX=0 says not to use the tiles.
    public static var bf16Usable: Bool {
        ProcessInfo.processInfo.environment["MPITRAIN_AMX"] != "0" && mpitrain_bf16_tiles_usable() != 0
    }
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

    /// The kernels of a layer `inputs` → `outputs` for batches of up to `batch` examples, its
    /// dense products in `precision` (a sparse input's products are float).
    public init(inputs: Int, outputs: Int, batch: Int, precision: ProductPrecision = .fp32) {
        outputWide = GEMMKernel(n: outputs, precision: precision)
        inputWide = GEMMKernel(n: inputs, precision: precision)
        sparseTransposed = SparseTransposedKernel(n: outputs, batch: batch)
    }
}
