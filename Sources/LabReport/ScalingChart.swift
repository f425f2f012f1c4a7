import Foundation

/// `scaling.svg` of `scripts/scaling-benchmark`: the speed-up over one rank with one thread
/// against the workers (ranks × threads per rank), one line per (mode, threads per rank) — colour
/// for the threads, dashes for weak scaling — the ideal line, and oversubscribed points ringed.
public enum ScalingChart {
    /// One measured configuration: a row of `scaling.csv`.
    public struct Point: Equatable, Sendable {
        /// `strong` (fixed global batch) or `weak` (fixed batch per rank).
        public var mode: String
        public var ranks: Int
        public var threads: Int
        /// Over one rank with one thread in the same mode; nil without that baseline.
        public var speedup: Double?
        /// More workers than the node has cores.
        public var oversubscribed: Bool

        public var workers: Int { ranks * threads }
    }

    /// The points of `scaling.csv` (its columns `mode`, `ranks`, `threads`, `speedup`, `oversubscribed`).
    public static func points(csv text: String, source: String) throws(MetricsError) -> [Point] {
        let rows = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = rows.first else { throw .malformedRow(source: source, line: 1, reason: "the file is empty") }
        let needed = ["mode", "ranks", "threads", "speedup", "oversubscribed"]
        let columns = needed.compactMap { header.firstIndex(of: $0) }
        guard columns.count == needed.count else {
            throw .malformedRow(source: source, line: 1, reason: "expected the columns \(needed.joined(separator: ", "))")
        }
        var points: [Point] = []
        for (index, row) in rows.enumerated().dropFirst() {
            guard row.count == header.count, let ranks = Int(row[columns[1]]), let threads = Int(row[columns[2]]) else {
                throw .malformedRow(source: source, line: index + 1, reason: "expected \(header.count) cells with whole numbers of ranks and threads")
            }
            points.append(Point(mode: row[columns[0]], ranks: ranks, threads: threads, speedup: Double(row[columns[3]]),
                                oversubscribed: row[columns[4]] == "true"))
        }
        guard !points.isEmpty else { throw .malformedRow(source: source, line: 2, reason: "no configuration after the header") }
        return points
    }

    /// The chart of `points` measured on a node of `cores` cores.
    public static func svg(_ points: [Point], cores: Int, title: String) -> String {
        let threadCounts = Array(Set(points.map(\.threads))).sorted()
        let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
        let markers: [SVGDocument.Marker] = [.circle, .square, .triangle, .diamond]
        var series: [LineChart.Series] = [], legend: [LineChart.LegendRow] = []
        for mode in ["strong", "weak"] {
            for (index, threads) in threadCounts.enumerated() {
                let line = points.filter { $0.mode == mode && $0.threads == threads && $0.speedup != nil }
                    .sorted { $0.workers < $1.workers }
                guard !line.isEmpty else { continue }
                let color = colors[index % colors.count], marker = markers[index % markers.count]
                let name = "\(mode), \(threads) thread\(threads == 1 ? "" : "s")/rank"
                series.append(.init(name: name, color: color, dashed: mode == "weak", marker: marker,
                                    points: line.map { (Double($0.workers), $0.speedup!) }))
                legend.append(.init(label: name, samples: [(color, mode == "weak", marker)]))
            }
        }
        let most = Double(max(points.map(\.workers).max() ?? 1, 2))
        series.append(.init(name: "ideal", color: "#444444", dashed: true, marker: .none, points: [(0, 0), (most, most)]))
        legend.append(.init(label: "ideal (speed-up = workers)", samples: [("#444444", true, .none)]))
        let crowded = points.filter { $0.oversubscribed && $0.speedup != nil }
        if !crowded.isEmpty {
            legend.append(.init(label: "ringed: oversubscribed (more than \(cores) cores)", samples: []))
        }
        let chart = LineChart(title: title, xTitle: "workers = ranks × threads per rank", yTitle: "speed-up over np=1 × 1 thread",
                              series: series, legend: legend,
                              highlights: crowded.map { .init(x: Double($0.workers), y: $0.speedup!) })
        return chart.document().markup
    }
}
