/// A binary detector's answers on a labelled set, counted against the truth: "is it the digit?"
/// answered yes or no for images that are or are not the digit.
public struct BinaryConfusion: Codable, Equatable, Sendable {
    /// Images of the digit answered "yes".
    public var truePositives: Int
    /// Images of other digits answered "yes".
    public var falsePositives: Int
    /// Images of the digit answered "no".
    public var falseNegatives: Int
    /// Images of other digits answered "no".
    public var trueNegatives: Int

    enum CodingKeys: String, CodingKey {
        case truePositives = "true_positives"
        case falsePositives = "false_positives"
        case falseNegatives = "false_negatives"
        case trueNegatives = "true_negatives"
    }

    /// The four counts.
    public init(truePositives: Int, falsePositives: Int, falseNegatives: Int, trueNegatives: Int) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.falseNegatives = falseNegatives
        self.trueNegatives = trueNegatives
    }

    /// The counts of a binary model's evaluation, whose `confusion[class]` is [answered no, answered yes];
    /// `nil` for a multiclass model.
    public init?(_ evaluation: Evaluation) {
        guard evaluation.model.isBinary else { return nil }
        let digit = evaluation.model.digit
        var counts = BinaryConfusion(truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0)
        for (label, answers) in evaluation.confusion.enumerated() {
            if label == digit {
                counts.falseNegatives += answers[0]
                counts.truePositives += answers[1]
            } else {
                counts.trueNegatives += answers[0]
                counts.falsePositives += answers[1]
            }
        }
        self = counts
    }
}
