import Foundation
import Testing
@testable import LabReport

/// `mpitrain plot-scaling`: the scaling sweep's chart drawn by the report's renderer.
@Suite struct ScalingChartTests {
    static let csv = """
        mode,ranks,threads,workers,speedup,oversubscribed
        strong,1,1,1,1,false
        strong,2,1,2,1.6,false
        strong,4,1,4,1.1,true
        strong,1,2,2,1.5,false
        weak,2,1,2,1.8,false
        weak,4,1,4,,true
        """

    @Test func everyModeAndThreadCountIsALineAndOversubscribedPointsAreRinged() throws {
        let points = try ScalingChart.points(csv: Self.csv, source: "scaling.csv")
        #expect(points.count == 6 && points[2] == .init(mode: "strong", ranks: 4, threads: 1, speedup: 1.1, oversubscribed: true))
        #expect(points[5].speedup == nil, "an empty cell: no speed-up known")
        let svg = try SVGInspection(ScalingChart.svg(points, cores: 2, title: "t"))
        let series = try svg.series()
        #expect(series.map { $0.value(of: "data-series") } == ["strong, 1 thread/rank", "strong, 2 threads/rank", "weak, 1 thread/rank", "ideal"])
        #expect(series.map(SVGInspection.pointCount) == [3, 1, 1, 2])
        #expect(try svg.elements("g").first { $0.value(of: "class") == "highlights" }?.children?.count == 1, "the one oversubscribed point with a speed-up")
        #expect(try svg.texts().contains("ringed: oversubscribed (more than 2 cores)"))
    }

    @Test func aFileThatIsNotTheSweepsCSVIsOneLine() throws {
        #expect(throws: MetricsError.malformedRow(source: "x.csv", line: 1, reason: "expected the columns mode, ranks, threads, speedup, oversubscribed")) {
            try ScalingChart.points(csv: "a,b\n1,2", source: "x.csv")
        }
        #expect(throws: MetricsError.malformedRow(source: "x.csv", line: 3, reason: "expected 6 cells with whole numbers of ranks and threads")) {
            try ScalingChart.points(csv: Self.csv.split(separator: "\n").prefix(2).joined(separator: "\n") + "\nstrong,x,1,1,1,false", source: "x.csv")
        }
        let folder = try temporaryFolder("plot-scaling")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("bad.csv")
        try Data("a,b\n".utf8).write(to: bad)
        let result = try mpitrain(["plot-scaling", bad.path])
        #expect(result.status == 1 && result.stderr == "mpitrain: error: \(bad.path):1: not a scaling.csv row: expected the columns mode, ranks, threads, speedup, oversubscribed\n")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("scaling.svg").path))
    }
}
