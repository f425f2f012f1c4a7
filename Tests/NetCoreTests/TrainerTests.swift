import Foundation
import NetCore
import Testing

/// The trainer on the real MNIST files, single process (a communicator of size 1).
@Suite struct TrainerTests {
    @Test func oneEpochLowersTheTestLoss() throws {
        let folder = MNIST.locate(option: nil)
        try #require(FileManager.default.fileExists(atPath: folder.path), "run scripts/fetch-mnist first")
        let data = try MNIST.load(from: folder)
        let configuration = TrainingConfiguration(
            model: ModelConfiguration(kind: .single), epochs: 1, batchSize: 64, learningRate: 0.1, momentum: 0, seed: 1)
        let trainer = try Trainer(configuration: configuration, data: data, communicator: SingleProcess(), threads: 1)
        let before = try trainer.evaluateTestSet()
        let epoch = try trainer.trainEpoch(1)
        let after = try trainer.evaluateTestSet()
        #expect(before.examples == 10_000 && after.examples == 10_000)
        #expect(after.loss < 0.5 * before.loss, "test loss \(before.loss) → \(after.loss)")
        #expect(after.accuracy > 0.95, "the 'is it a 5?' neuron should pass 95 % after one epoch")
        #expect(epoch.examples == 60_000 && epoch.loss.isFinite)
    }

    /// A set read sparse keeps only its compressed rows: the trainer, handed the only copy of the
    /// data, holds no reference to the dense training or test pixels (MNIST's 55 MB), so they are
    /// freed; a dense set keeps them. A probe shares the pixels' storage: writing to it moves it
    /// to new storage exactly when someone else still holds the old.
    @Test(arguments: [InputForm.sparse, .dense])
    func aSparseSetLetsItsPixelsGo(form: InputForm) throws {
        var probe = (0..<512 * 16).map { (index: Int) -> UInt8 in index % 7 == 0 ? UInt8(index % 251) : 0 }
        let set = LabeledImages(rows: 4, columns: 4, pixels: probe, labels: (0..<512).map { UInt8($0 % 10) })
        let data = MNIST(train: set, test: set)
        _ = consume set
        let before = probe.withUnsafeBufferPointer { $0.baseAddress }
        let configuration = TrainingConfiguration(
            model: ModelConfiguration(kind: .multiclass, inputs: 16, hidden: 8), epochs: 1, batchSize: 64,
            learningRate: 0.1, momentum: 0, seed: 1)
        let trainer = try Trainer(configuration: configuration, data: consume data, communicator: SingleProcess(),
                                  threads: 2, inputForm: form)
        let after = probe.withUnsafeMutableBufferPointer { $0[0] = 1; return UnsafePointer($0.baseAddress) }
        #expect((before == after) == (form == .sparse), "pixels \(before == after ? "freed" : "still held") by the \(form) trainer")
        #expect(try trainer.trainEpoch(1).loss.isFinite)
    }

    @Test func batchPlanCoversEveryExampleOnceAcrossRanks() {
        for (examples, batch, ranks) in [(60_000, 64, 4), (60_000, 256, 3), (1_000, 7, 3), (10, 4, 4), (5, 5, 2)] {
            let plan = BatchPlan(examples: examples, batchSize: batch, ranks: ranks)
            var seen = [Int](repeating: 0, count: examples)
            for step in 0..<plan.steps {
                let parts = (0..<ranks).map { plan.part(step, rank: $0) }
                #expect(parts.map(\.count).max()! - parts.map(\.count).min()! <= 1, "nearly equal parts")
                #expect(parts.map(\.count).reduce(0, +) == plan.batch(step).count)
                for part in parts { for position in part { seen[position] += 1 } }
            }
            #expect(seen.allSatisfy { $0 == 1 }, "\(examples) examples, batch \(batch), \(ranks) ranks")
        }
    }

    @Test func chunkedPartsHoldTheSameChunksWhateverTheRanks() {
        for (examples, batch, chunk) in [(60_000, 64, 32), (1_000, 100, 16), (50, 37, 16)] {
            for ranks in 1...5 {
                let plan = BatchPlan(examples: examples, batchSize: batch, ranks: ranks, chunk: chunk)
                for step in 0..<plan.steps {
                    let batchRange = plan.batch(step)
                    let parts = (0..<ranks).map { plan.part(step, rank: $0) }
                    #expect(parts.map(\.count).reduce(0, +) == batchRange.count)
                    #expect(parts.first!.lowerBound == batchRange.lowerBound && parts.last!.upperBound == batchRange.upperBound)
                    for (part, next) in zip(parts, parts.dropFirst()) { #expect(part.upperBound == next.lowerBound) }
                    for part in parts where !part.isEmpty {
                        #expect((part.lowerBound - batchRange.lowerBound) % chunk == 0, "a part starts at a chunk")
                        #expect(part.upperBound == batchRange.upperBound || part.count % chunk == 0, "whole chunks")
                        #expect(part.count <= plan.largestPart)
                    }
                    let chunks = (batchRange.count + chunk - 1) / chunk
                    #expect(parts.map { ($0.count + chunk - 1) / chunk }.max()! == (chunks + ranks - 1) / ranks, "even shares")
                }
            }
        }
    }

    @Test func epochOrderIsAPermutationThatDependsOnSeedAndEpoch() {
        let order = SeededRandom.epochOrder(count: 1000, seed: 1, epoch: 1)
        #expect(Set(order).count == 1000 && order.min() == 0 && order.max() == 999)
        #expect(order == SeededRandom.epochOrder(count: 1000, seed: 1, epoch: 1))
        #expect(order != SeededRandom.epochOrder(count: 1000, seed: 1, epoch: 2))
        #expect(order != SeededRandom.epochOrder(count: 1000, seed: 2, epoch: 1))
    }
}
