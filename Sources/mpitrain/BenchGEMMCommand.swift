import ArgumentParser
import Foundation
import Parallel

/// `mpitrain bench-gemm`: GFLOP/s of `gemm` at the shapes a dense layer of the lab multiplies.
struct BenchGEMM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-gemm",
        abstract: "Print GFLOP/s of the multithreaded GEMM at the lab's layer shapes.",
        discussion: """
            For each batch b: X·W (b×784)·(784×64), Xᵀ·dY (784×b)·(b×64) with X stored b×784, \
            dY·Wᵀ (b×64)·(64×784) with W stored 784×64; then 2048³. Each cell is the best of \
            --repeats timed samples after a warm-up (median in parentheses). Run the release build.
            """
    )

    @Option(help: "Comma-separated thread counts to time.")
    var threads: String = "1,2"

    @Option(help: "Timed samples per shape and thread count (best and median are printed).")
    var repeats: Int = 7

    @Option(help: "Comma-separated batch sizes.")
    var batches: String = "32,64,128,256,1024"

    @Flag(help: "Skip the 2048×2048×2048 product.")
    var skipLarge = false

    @Option(help: "The products' precision: fp32, or bf16 (the AMX tiles of --precision bf16).")
    var precision: ProductPrecision = .fp32

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        guard !threadCounts.isEmpty, threadCounts.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--threads must be a list of positive integers, like 1,2")
        }
        guard !batchSizes.isEmpty, batchSizes.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--batches must be a list of positive integers")
        }
        if precision == .bf16, !ProductPrecision.bf16Usable {
            throw ValidationError("\(ProductPrecision.bf16Unavailable); time fp32 (leave out --precision)")
        }
    }

    private var threadCounts: [Int] { threads.split(separator: ",").compactMap { Int($0) } }
    private var batchSizes: [Int] { batches.split(separator: ",").compactMap { Int($0) } }

    func run() throws {
        var shapes: [GEMMShape] = []
        for batch in batchSizes {
            shapes.append(GEMMShape(name: "X·W", m: batch, n: 64, k: 784, transA: .none, transB: .none))
            shapes.append(GEMMShape(name: "Xᵀ·dY", m: 784, n: 64, k: batch, transA: .transposed, transB: .none))
            shapes.append(GEMMShape(name: "dY·Wᵀ", m: batch, n: 784, k: 64, transA: .none, transB: .transposed))
        }
        if !skipLarge {
            shapes.append(GEMMShape(name: "square", m: 2048, n: 2048, k: 2048, transA: .none, transB: .none))
        }
        let counts = threadCounts
        var header = "name     m     n     k  opA opB"
        for count in counts { header += pad("\(count) thr GF/s", 20) }
        if counts.count >= 2 { header += pad("\(counts[1])/\(counts[0])", 8) }
        print(header)
        for shape in shapes {
            var line = pad(shape.name, 6, left: true) + pad("\(shape.m)", 6) + pad("\(shape.n)", 6)
                + pad("\(shape.k)", 6) + pad(shape.transA == .none ? "N" : "T", 5) + pad(shape.transB == .none ? "N" : "T", 4)
            var best: [Double] = []
            for count in counts {
                let (top, median) = shape.measure(threads: count, repeats: repeats, precision: precision)
                best.append(top)
                line += pad(String(format: "%.1f (%.1f)", top, median), 20)
            }
            if best.count >= 2 { line += pad(String(format: "%.2f", best[1] / best[0]), 8) }
            print(line)
        }
    }

    private func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return left ? text + fill : fill + text
    }
}

/// One GEMM shape of the benchmark, with operands stored as training stores them.
struct GEMMShape {
    let name: String
    let m: Int, n: Int, k: Int
    let transA: Transpose, transB: Transpose

    /// Best and median GFLOP/s over `repeats` samples, each long enough (≥ 20 ms) to time well.
    func measure(threads: Int, repeats: Int, precision: ProductPrecision) -> (best: Double, median: Double) {
        let a = randomMatrix(m * k), b = randomMatrix(k * n)
        var c = [Float](repeating: 0, count: m * n)
        let lda = transA == .none ? k : m, ldb = transB == .none ? n : k
        // One parallel region for all calls, as in training.
        return Team.shared.region(threads: threads) { a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    let (aBase, bBase, cBase) = (a.baseAddress!, b.baseAddress!, c.baseAddress!)
                    func call() {
                        gemm(c: cBase, ldc: n, a: aBase, lda: lda, transA, b: bBase, ldb: ldb, transB,
                             m: m, n: n, k: k, threads: threads, kernel: GEMMKernel(n: n, precision: precision))
                    }
                    call()
                    var calls = 1
                    while seconds(calls, call) < 0.02 { calls *= 2 }
                    let samples = (0..<repeats).map { _ in seconds(calls, call) / Double(calls) }.sorted()
                    let flops = 2.0 * Double(m) * Double(n) * Double(k)
                    return (flops / samples[0] / 1e9, flops / samples[samples.count / 2] / 1e9)
                }
            }
        } }
    }

    private func seconds(_ calls: Int, _ call: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<calls { call() }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private func randomMatrix(_ count: Int) -> [Float] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in Float.random(in: -1...1, using: &generator) }
    }
}
