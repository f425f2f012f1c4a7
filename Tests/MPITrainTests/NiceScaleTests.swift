import Foundation
import Testing
@testable import LabReport

/// True when `step` is 1, 2 or 5 times a power of ten.
private func isNiceStep(_ step: Double) -> Bool {
    let exponent = log10(step).rounded(.down)
    let mantissa = step / pow(10, exponent)
    return [1.0, 2, 5, 10].contains { abs(mantissa - $0) < 1e-9 }
}

@Test("linear ticks use 1-2-5 steps and cover the data", arguments: [
    (0.0, 1.0), (0.013, 0.72), (87.3, 98.9), (1.0, 100.0), (-3.2, 7.9), (0.0, 0.0042), (120.0, 121.0), (5.0, 5.0),
])
func linearTicksAreNice(range: (Double, Double)) {
    let scale = NiceScale.linear(range.0, range.1, targetTicks: 6)
    #expect(scale.ticks.count >= 3 && scale.ticks.count <= 12, "\(scale.ticks)")
    #expect(scale.lower <= range.0 && scale.upper >= range.1)
    let steps = zip(scale.ticks.dropFirst(), scale.ticks).map { $0 - $1 }
    for step in steps {
        #expect(abs(step - steps[0]) < steps[0] * 1e-9)
        #expect(isNiceStep(step), "step \(step) of \(scale.ticks)")
    }
    // Every tick prints distinctly.
    #expect(Set(scale.ticks.map(scale.label)).count == scale.ticks.count)
}

@Test func linearTicksForKnownRanges() {
    #expect(NiceScale.linear(0, 1).ticks == [0, 0.2, 0.4, 0.6, 0.8, 1])
    #expect(NiceScale.linear(87.3, 98.9, targetTicks: 7).ticks == [86, 88, 90, 92, 94, 96, 98, 100])
    #expect(NiceScale.linear(1, 100, targetTicks: 8).ticks == [0, 20, 40, 60, 80, 100])
    #expect(NiceScale.linear(0.013, 0.72, targetTicks: 7).label(0.1) == "0.1")
}

@Test func integerStepsNeverGoBelowOne() {
    let scale = NiceScale.linear(1, 3, targetTicks: 8, integerSteps: true)
    #expect(scale.ticks == [1, 2, 3])
    #expect(scale.label(2) == "2")
}

@Test func logarithmicTicksArePowersOfTenWithTwoAndFive() {
    let narrow = NiceScale.logarithmic(0.013, 0.72)
    #expect(narrow.ticks == [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1])
    #expect(narrow.label(0.02) == "0.02")
    let wide = NiceScale.logarithmic(0.0004, 2.3)
    #expect(wide.ticks == [0.0001, 0.001, 0.01, 0.1, 1, 10])
    #expect(abs(wide.fraction(of: 0.01) - 0.4) < 1e-12)
    let justOverOne = NiceScale.logarithmic(0.0045, 1.003)
    #expect(justOverOne.ticks == [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2])
    #expect(justOverOne.ticks.map(justOverOne.label) == ["0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.5",
                                                         "1", "2"])
}

@Test func labelsNeverPrintNegativeZero() {
    let scale = NiceScale.linear(-1, 1)
    #expect(scale.label(-1e-17) == "0.0")
}

@Test func groupsThousandsWithNarrowNoBreakSpaces() {
    #expect(ReportTables.grouped(850_000) == "850\u{202F}000")
    #expect(ReportTables.grouped(1_234_567) == "1\u{202F}234\u{202F}567")
    #expect(ReportTables.grouped(999) == "999")
}
