/// A detector's precision–recall curve: for every threshold t, answering "yes" when the
/// probability is at least t, the share of "yes" answers that are right (precision) against the
/// share of the class found (recall).
struct PrecisionRecall {
    /// One threshold's point.
    struct Point: Equatable {
        let threshold: Double, precision: Double, recall: Double
    }

    /// The points from the highest threshold to the lowest, at most about 300 of them.
    let points: [Point]
    /// Average precision: precision summed over each found positive, divided by the positives (the area under the steps).
    let averagePrecision: Double
    private let all: [Point]

    /// The curve of `scores` (probability of "yes") against `positives` (image of the class).
    init(scores: [Double], positives: [Bool]) {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        let total = positives.filter { $0 }.count
        var found = 0, answered = 0, area = 0.0
        var all: [Point] = []
        for (position, index) in order.enumerated() {
            answered += 1
            if positives[index] {
                found += 1
                area += Double(found) / Double(answered)
            }
            let last = position == order.count - 1
            if last || scores[order[position + 1]] != scores[index] {
                all.append(Point(threshold: scores[index], precision: Double(found) / Double(answered),
                                 recall: total == 0 ? 0 : Double(found) / Double(total)))
            }
        }
        self.all = all
        averagePrecision = total == 0 ? 0 : area / Double(total)
        let every = max(1, all.count / 300)
        points = all.enumerated().filter { $0.offset % every == 0 || $0.offset == all.count - 1 }.map(\.element)
    }

    /// The point of threshold `t`: the lowest threshold at or above it.
    func at(threshold t: Double) -> Point? { all.last { $0.threshold >= t } }
}
