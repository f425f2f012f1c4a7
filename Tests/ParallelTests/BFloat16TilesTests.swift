import Testing
import TestSupport
@testable import Parallel

/// `x` rounded to the nearest bfloat16 (ties to even), as a Float.
private func bfloat16(_ x: Float) -> Float { BFloat16.float(BFloat16.bits(x)) }

/// The bf16 products of `--precision bf16` (AMX tiles), on CPUs that have them.
@Suite(.enabled(if: ProductPrecision.bf16Usable, "this CPU has no AMX-BF16 tiles"))
struct BFloat16TilesTests {
    static let cases: [GEMMCase] = [
        GEMMCase(m: 64, n: 128, k: 784, transA: .none, transB: .none, alpha: 1, beta: 0, padding: 0),       // x·W
        GEMMCase(m: 64, n: 784, k: 128, transA: .none, transB: .transposed, alpha: 1, beta: 0, padding: 0), // dz·Wᵀ
        GEMMCase(m: 784, n: 128, k: 64, transA: .transposed, transB: .none, alpha: 1, beta: 0, padding: 0), // xᵀ·dz
        GEMMCase(m: 64, n: 10, k: 128, transA: .none, transB: .none, alpha: 1, beta: 1, padding: 3),
        GEMMCase(m: 33, n: 17, k: 45, transA: .transposed, transB: .transposed, alpha: 0.5, beta: 1, padding: 5),
        GEMMCase(m: 1, n: 1, k: 1, transA: .none, transB: .none, alpha: 2, beta: 0, padding: 0),
        GEMMCase(m: 70, n: 40, k: 300, transA: .none, transB: .transposed, alpha: -1, beta: 1, padding: 1),
    ]

    /// C by the tiles from unrounded operands, and the Double-summed reference of the operands
    /// rounded to bfloat16: each factor must be rounded to nearest (ties to even) and the products
    /// summed in float.
    private func runBoth(_ test: GEMMCase, threads: Int) -> (tiles: [Float], reference: [Float]) {
        let (tiles, reference) = ParallelTests.runBoth(test, threads: threads, seed: 7, kernel: .bfloat16Tiles, rounded: bfloat16)
        return (tiles, reference)
    }

    @Test("bf16 products summed in float match the reference on bfloat16-rounded operands", arguments: cases, [1, 2])
    func matchesRoundedReference(_ test: GEMMCase, threads: Int) {
        let (tiles, reference) = runBoth(test, threads: threads)
        #expect(largestError(test, tiles, reference) <= test.tolerance)
    }

    @Test("columns of C past n are left alone, whole tile blocks stored straight into C or not, and the bits do not depend on the thread count",
          arguments: [Float(0), 1])
    func paddingAndThreads(beta: Float) {
        let test = GEMMCase(m: 100, n: 70, k: 90, transA: .none, transB: .none, alpha: 1, beta: beta, padding: 6)
        let (one, reference) = runBoth(test, threads: 1)
        for threads in [2, 3] {
            let same = runBoth(test, threads: threads).tiles.map(\.bitPattern) == one.map(\.bitPattern)
            #expect(same, "\(threads) threads gave other bits than 1")
        }
        // The reference leaves the padding as it was: C's initial values.
        for row in 0..<test.m {
            for column in test.n..<test.ldc {
                let left = one[row * test.ldc + column]
                #expect(beta == 0 ? left.isNaN : left == reference[row * test.ldc + column])
            }
        }
    }

    @Test("a layer's dense products take the tiles in bf16, and its sparse ones stay float")
    func kernelsFollowThePrecision() {
        let bf16 = ProductKernels(inputs: 784, outputs: 10, batch: 64, precision: .bf16)
        #expect(bf16.outputWide == .bfloat16Tiles && bf16.inputWide == .bfloat16Tiles)
        #expect(bf16.sparseTransposed == ProductKernels(inputs: 784, outputs: 10, batch: 64).sparseTransposed)
        let fp32 = ProductKernels(inputs: 784, outputs: 10, batch: 64, precision: .fp32)
        #expect(fp32.outputWide == .narrow && fp32.inputWide == .blocked)
    }
}
