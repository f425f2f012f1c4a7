import NetCore

/// The checks a metrics line read from a file passes before the report computes with it: every
/// count, size and rate within bounds a real run can reach, and every matrix square, so no line a
/// file holds can make an index, a sum or an `Int(Double)` conversion trap.
extension EpochMetrics {
    /// The largest count accepted (a test set's images, a confusion cell).
    static let maximumCount = 1 << 40
    /// The largest rate or duration accepted (images per second, seconds per epoch).
    static let maximumRate = 1e12

    /// What is wrong with the line, or nil if nothing is.
    var problem: String? {
        func fraction(_ value: Double) -> Bool { (0...1).contains(value) }
        func count(_ value: Int) -> Bool { (0...Self.maximumCount).contains(value) }
        func positive(_ value: Int?) -> Bool { value.map { (1...Self.maximumCount).contains($0) } ?? true }
        guard (1...1_000_000_000).contains(epoch), (1...1_000_000_000).contains(epochs) else {
            return "epoch \(epoch) of \(epochs), expected 1 ≤ epoch and epochs ≤ 10⁹"
        }
        guard trainLoss >= 0, testLoss >= 0, validationLoss.map({ $0 >= 0 }) ?? true else { return "a negative loss" }
        guard fraction(trainAccuracy), fraction(testAccuracy), validationAccuracy.map(fraction) ?? true,
              perClassAccuracy?.allSatisfy(fraction) ?? true, digitAccuracy?.allSatisfy(fraction) ?? true
        else { return "an accuracy outside 0–1" }
        guard (0...Self.maximumRate).contains(seconds), samplesPerSecond.map({ (0...Self.maximumRate).contains($0) }) ?? true else {
            return "seconds \(seconds) or samples_per_second \(samplesPerSecond ?? 0) outside 0–\(Self.maximumRate)"
        }
        guard positive(ranks), positive(threads), positive(batchSize), positive(hidden), count(validation ?? 0),
              layerWidths?.allSatisfy({ (1...Self.maximumCount).contains($0) }) ?? true
        else { return "a count (ranks, threads, batch_size, hidden, validation, layer_widths) outside 1–\(Self.maximumCount)" }
        if let profile, !profile.values.allSatisfy({ [$0.min, $0.mean, $0.max].allSatisfy { (0...Self.maximumRate).contains($0) } }) {
            return "a profile time outside 0–\(Self.maximumRate) seconds"
        }
        if let confusion {
            guard !confusion.isEmpty, confusion.allSatisfy({ $0.count == confusion.count }) else {
                return "a confusion matrix that is not square (\(confusion.map { String($0.count) }.joined(separator: ", ")) cells in its \(confusion.count) rows)"
            }
            guard confusion.allSatisfy({ $0.allSatisfy(count) }) else { return "a confusion count outside 0–\(Self.maximumCount)" }
            if let perClassAccuracy, perClassAccuracy.count != confusion.count {
                return "\(perClassAccuracy.count) per-class accuracies for a \(confusion.count)-class confusion matrix"
            }
            if let classNames, classNames.count != confusion.count {
                return "\(classNames.count) class names for a \(confusion.count)-class confusion matrix"
            }
        }
        if let binaryConfusion {
            let cells = [binaryConfusion.truePositives, binaryConfusion.falsePositives, binaryConfusion.falseNegatives, binaryConfusion.trueNegatives]
            guard cells.allSatisfy(count) else { return "a binary confusion count outside 0–\(Self.maximumCount)" }
        }
        if let digit, !(0..<256).contains(digit) { return "digit \(digit), expected a class 0–255" }
        return nil
    }
}
