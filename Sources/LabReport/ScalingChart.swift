import Foundation

/// `scaling.svg` of `scripts/scaling-benchmark`: the speed-up over one rank with one thread
/// against the workers (ranks × threads per rank), one line per (mode, threads per rank) — colour
/// for the threads, dashes for weak scaling — the ideal line, and oversubscribed points ringed.
public enum ScalingChart {
    /// One measured configuration.
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

        public init(mode: String, ranks: Int, threads: Int, speedup: Double?, oversubscribed: Bool) {
            (self.mode, self.ranks, self.threads, self.speedup, self.oversubscribed) = (mode, ranks, threads, speedup, oversubscribed)
        }
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
