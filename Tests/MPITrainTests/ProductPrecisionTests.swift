import Foundation
import NetCore
import Parallel
import Testing

/// `--precision bf16`: the dense layers' products in bfloat16 on AMX tiles, refused where there are none.
@Suite(.serialized)
struct ProductPrecisionTests {
    @Test func bf16IsRefusedInOneLineWithoutTheTiles() throws {
        let result = try mpitrain(["--model", "multiclass", "--input", "dense", "--epochs", "1", "--precision", "bf16"],
                                  environment: ["MPITRAIN_AMX": "0"], timeout: 60)
        #expect(result.status != 0)
        let lines = errorLines(result)
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(lines.first?.contains("--precision bf16 needs AMX-BF16 tile instructions") == true, "\(result.stderr)")
        #expect(!result.stdout.contains("epoch 1/"))
    }

    /// bf16 products move the curve (each factor rounded to 8 bits of mantissa) but stay within
    /// 2 % of fp32's losses and 0.5 points of its accuracy over two epochs; their bits do not
    /// depend on the threads, and the run says what it did.
    @Test(.enabled(if: ProductPrecision.bf16Usable, "this CPU has no AMX-BF16 tiles"))
    func bf16FollowsFp32AndKeepsItsBitsOnAnyThreads() throws {
        let folder = try temporaryFolder("precision")
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["--model", "multiclass", "--hidden", "256,128", "--activation", "relu", "--input", "dense",
                         "--epochs", "2", "--lr", "0.1", "--seed", "3"]
        func train(_ name: String, _ extra: [String]) throws -> (RunResult, [EpochMetrics]) {
            let file = folder.appendingPathComponent("\(name).jsonl")
            let result = try mpitrain(arguments + extra + ["--metrics", file.path])
            #expect(result.status == 0, "\(name): \(result.stderr)")
            return (result, try readMetrics(file))
        }
        let (_, fp32) = try train("fp32", ["--threads", "2"])
        let (run, bf16) = try train("bf16", ["--threads", "2", "--precision", "bf16"])
        let (_, oneThread) = try train("bf16-1", ["--threads", "1", "--precision", "bf16"])
        #expect(run.stdout.contains("dense input, bf16 products |"), "\(run.stdout)")
        #expect(bf16.map(\.precision) == ["bf16", "bf16"] && fp32.map(\.precision) == ["fp32", "fp32"])
        #expect(bf16.map(\.trainLoss) == oneThread.map(\.trainLoss) && bf16.map(\.testLoss) == oneThread.map(\.testLoss))
        #expect(zip(bf16, fp32).contains { $0.trainLoss != $1.trainLoss }, "bf16 gave fp32's curve bit for bit")
        for (a, b) in zip(bf16, fp32) {
            #expect(abs(a.trainLoss - b.trainLoss) <= 2e-2 * b.trainLoss, "train loss \(a.trainLoss) vs \(b.trainLoss)")
            #expect(abs(a.testLoss - b.testLoss) <= 2e-2 * b.testLoss, "test loss \(a.testLoss) vs \(b.testLoss)")
            #expect(abs(a.testAccuracy - b.testAccuracy) <= 0.005, "test accuracy \(a.testAccuracy) vs \(b.testAccuracy)")
        }
    }
}
