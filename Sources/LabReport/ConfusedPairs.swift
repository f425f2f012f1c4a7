/// The confusion matrix's largest off-diagonal counts: which true class is most often read as which.
struct ConfusedPair: Equatable {
    /// The image's true class (row).
    let trueClass: Int
    /// The class predicted instead (column).
    let predicted: Int
    /// Test images of `trueClass` predicted as `predicted`.
    let count: Int
    /// Images of `predicted` predicted as `trueClass` (the opposite mistake).
    let reverseCount: Int

    /// The off-diagonal cells with the `top` largest non-zero counts, grouped by count in descending
    /// order; the last group holds every cell tied with the `top`-th, so ties are never cut.
    static func mostConfused(_ confusion: [[Int]], top: Int = 3) -> [[ConfusedPair]] {
        var cells: [ConfusedPair] = []
        for (row, counts) in confusion.enumerated() {
            for (column, count) in counts.enumerated() where column != row && count > 0 {
                let reverse = column < confusion.count && row < confusion[column].count ? confusion[column][row] : 0
                cells.append(ConfusedPair(trueClass: row, predicted: column, count: count, reverseCount: reverse))
            }
        }
        cells.sort { ($0.count, -$0.trueClass, -$0.predicted) > ($1.count, -$1.trueClass, -$1.predicted) }
        var groups: [[ConfusedPair]] = []
        var taken = 0
        for cell in cells {
            if let lastCount = groups.last?.first?.count, lastCount == cell.count {
                groups[groups.count - 1].append(cell)
            } else if taken < top {
                groups.append([cell])
            } else {
                break
            }
            taken += 1
        }
        return groups
    }

    /// The classes predicted most often instead of `trueClass` (all of them on a tie) and their count;
    /// `nil` when every image of the class was classified correctly.
    static func mostCommonMistakes(_ row: [Int], trueClass: Int) -> (classes: [Int], count: Int)? {
        let mistakes = row.enumerated().filter { $0.offset != trueClass && $0.element > 0 }
        guard let largest = mistakes.map(\.element).max() else { return nil }
        return (mistakes.filter { $0.element == largest }.map(\.offset), largest)
    }
}
