import Foundation
import NetCore
import Testing

/// The validation set: a seeded, stratified choice of training images that training never sees,
/// and the early stopping that watches its loss.
@Suite struct ValidationTests {
    /// 1,000 one-pixel-wide images whose two pixels hold the image's number (so every image is
    /// recognisable after the split), labelled 0…4 with 400, 300, 150, 100 and 50 images.
    static let numbered: MNIST = {
        let counts = [400, 300, 150, 100, 50]
        let labels = counts.enumerated().flatMap { label, count in [UInt8](repeating: UInt8(label), count: count) }
        let pixels = labels.indices.flatMap { [UInt8($0 / 256), UInt8($0 % 256)] }
        let train = LabeledImages(rows: 1, columns: 2, pixels: pixels, labels: labels)
        return MNIST(train: train, test: LabeledImages(rows: 1, columns: 2, pixels: [0, 0], labels: [0]))
    }()

    static func numbers(_ set: LabeledImages) -> [Int] {
        (0..<set.count).map { Int(set.pixels[2 * $0]) * 256 + Int(set.pixels[2 * $0 + 1]) }
    }

    @Test func theValidationImagesAreHeldOutOfTraining() throws {
        let split = Self.numbered.holdingOut(101, seed: 7)
        let validation = try #require(split.validation)
        let held = Self.numbers(validation), kept = Self.numbers(split.train)
        #expect(held.count == 101 && kept.count == 899)
        #expect(Set(held).isDisjoint(with: kept), "no validation image is trained on")
        #expect(Set(held).union(kept) == Set(0..<1000), "and none is lost")
        #expect(kept == kept.sorted(), "the training set keeps its order")
        #expect(split.train.labels == kept.map { Self.numbered.train.labels[$0] }, "labels travel with their images")
        #expect(split.classes == 5)
    }

    @Test func theChoiceIsStratifiedAndSeeded() {
        // 101 × (0.4, 0.3, 0.15, 0.1, 0.05) = 40.4, 30.3, 15.15, 10.1, 5.05: 100 by rounding down,
        // and the one left goes to the largest remainder, class 0's.
        let validation = Self.numbered.holdingOut(101, seed: 7).validation!
        let perClass = (0..<5).map { label in validation.labels.filter { $0 == label }.count }
        #expect(perClass == [41, 30, 15, 10, 5])
        #expect(Self.numbers(Self.numbered.holdingOut(101, seed: 7).validation!) == Self.numbers(validation), "the same on every rank")
        #expect(Self.numbers(Self.numbered.holdingOut(101, seed: 8).validation!) != Self.numbers(validation), "another seed, another choice")
        #expect(Self.numbered.holdingOut(0, seed: 7).validation == nil)
    }

    @Test func earlyStoppingStopsPatienceEpochsAfterTheBest() {
        // A validation curve that bottoms out in epoch 4 (a tie in epoch 6 is no improvement).
        let curve = [0.9, 0.5, 0.4, 0.3, 0.35, 0.3, 0.32, 0.4, 0.2]
        var watcher = EarlyStopping(patience: 3)
        var stoppedAfter: Int?
        for (index, loss) in curve.enumerated() {
            _ = watcher.record(epoch: index + 1, loss: loss)
            if watcher.shouldStop(after: index + 1) { stoppedAfter = index + 1; break }
        }
        #expect(stoppedAfter == 7 && watcher.best == BestEpoch(epoch: 4, loss: 0.3))

        var resumed = EarlyStopping(patience: 3, best: BestEpoch(epoch: 4, loss: 0.3))
        #expect(!resumed.record(epoch: 6, loss: 0.3) && !resumed.shouldStop(after: 6))
        #expect(resumed.shouldStop(after: 7), "a resumed run counts from the checkpoint's best epoch")
        #expect(!EarlyStopping(patience: nil, best: BestEpoch(epoch: 1, loss: 0)).shouldStop(after: 100))
    }
}
