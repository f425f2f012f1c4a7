import Distributed
import Parallel
import Foundation
import Testing

/// `--allreduce-precision bf16`: the rounding, and how far training moves from fp32.
@Suite(.serialized)
struct BFloat16Tests {
    @Test func roundsToTheNearestBFloat16TiesToEven() {
        #expect(BFloat16.bits(1) == 0x3F80)
        #expect(BFloat16.bits(-2) == 0xC000)
        #expect(BFloat16.bits(Float(bitPattern: 0x3F80_8000)) == 0x3F80)  // tie, even below
        #expect(BFloat16.bits(Float(bitPattern: 0x3F81_8000)) == 0x3F82)  // tie, even above
        #expect(BFloat16.bits(Float(bitPattern: 0x3F80_8001)) == 0x3F81)
        #expect(BFloat16.float(BFloat16.bits(3e38)) > 3e38)  // fp32's range, unlike fp16
        #expect(BFloat16.float(BFloat16.bits(.nan)).isNaN)
        var random = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let value = Float.random(in: -1e3...1e3, using: &random)
            let rounded = BFloat16.float(BFloat16.bits(value))
            #expect(abs(rounded - value) <= abs(value) * 0x1p-8)
        }
    }

    /// bf16 moves the curve (it is not fp32 under another name) but within the documented
    /// tolerance of the single process: 1e-2 relative for the losses, 0.5 points of accuracy
    /// (docs/scaling.md). MPITRAIN_NODE_REDUCTION=0 sends the gradients through MPI, as across
    /// hosts (bfloat16 on the wire); =1 sums them in shared memory (rounded to bfloat16 alike).
    @Test(arguments: ["0", "1"])
    func bf16FollowsTheSingleProcessWithinItsTolerance(nodeReduction: String) throws {
        let folder = try temporaryFolder("bf16")
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["--model", "multiclass", "--epochs", "2", "--batch-size", "64", "--lr", "0.1", "--threads", "1",
                         "--seed", "5"]
        let single = folder.appendingPathComponent("single.jsonl")
        let fp32 = folder.appendingPathComponent("fp32.jsonl"), bf16 = folder.appendingPathComponent("bf16.jsonl")
        #expect(try mpitrain(arguments + ["--metrics", single.path]).status == 0)
        let path = ["MPITRAIN_NODE_REDUCTION": nodeReduction]
        let exact = try mpirun(ranks: 2, arguments + ["--metrics", fp32.path], environment: path)
        #expect(exact.status == 0, "\(exact.stderr)")
        let halved = try mpirun(ranks: 2, arguments + ["--metrics", bf16.path, "--allreduce-precision", "bf16"],
                                environment: path)
        #expect(halved.status == 0, "\(halved.stderr)")
        let reference = try readMetrics(single), rounded = try readMetrics(bf16), full = try readMetrics(fp32)
        #expect(rounded.count == 2)
        for (a, b) in zip(rounded, reference) {
            #expect(abs(a.trainLoss - b.trainLoss) <= 1e-2 * b.trainLoss, "train loss \(a.trainLoss) vs \(b.trainLoss)")
            #expect(abs(a.testLoss - b.testLoss) <= 1e-2 * b.testLoss, "test loss \(a.testLoss) vs \(b.testLoss)")
            #expect(abs(a.testAccuracy - b.testAccuracy) <= 0.005, "test accuracy \(a.testAccuracy) vs \(b.testAccuracy)")
        }
        #expect(zip(rounded, full).contains { $0.trainLoss != $1.trainLoss }, "bf16 gave fp32's curve bit for bit")
    }
}
