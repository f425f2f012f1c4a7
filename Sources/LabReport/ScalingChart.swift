import Foundation

extension ScalingSweep {
    /// scaling.svg: the speed-up over one rank with one thread against the workers (ranks ×
    /// threads per rank), one line per (mode, threads per rank) — colour for the threads, dashes
    /// for weak scaling — the ideal line, and oversubscribed points ringed.
    public var svg: String {
        let threadCounts = Array(Set(configurations.map(\.threads))).sorted()
        let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
        let markers: [SVGDocument.Marker] = [.circle, .square, .triangle, .diamond]
        var series: [LineChart.Series] = [], legend: [LineChart.LegendRow] = []
        for mode in ["strong", "weak"] {
            for (index, threads) in threadCounts.enumerated() {
                let line = configurations.filter { $0.mode == mode && $0.threads == threads && speedup($0) != nil }
                    .sorted { $0.workers < $1.workers }
                guard !line.isEmpty else { continue }
                let color = colors[index % colors.count], marker = markers[index % markers.count]
                let name = "\(mode), \(threads) thread\(threads == 1 ? "" : "s")/rank"
                series.append(.init(name: name, color: color, dashed: mode == "weak", marker: marker,
                                    points: line.map { (Double($0.workers), speedup($0)!) }))
                legend.append(.init(label: name, samples: [(color, mode == "weak", marker)]))
            }
        }
        let most = Double(max(configurations.map(\.workers).max() ?? 1, 2))
        series.append(.init(name: "ideal", color: "#444444", dashed: true, marker: .none, points: [(0, 0), (most, most)]))
        legend.append(.init(label: "ideal (speed-up = workers)", samples: [("#444444", true, .none)]))
        let crowded = configurations.filter { oversubscribed($0) && speedup($0) != nil }
        if !crowded.isEmpty {
            legend.append(.init(label: "ringed: oversubscribed (more than \(cores) cores)", samples: []))
        }
        let chart = LineChart(title: title, xTitle: "workers = ranks × threads per rank", yTitle: "speed-up over np=1 × 1 thread",
                              series: series, legend: legend,
                              highlights: crowded.map { .init(x: Double($0.workers), y: speedup($0)!) })
        return chart.document().markup
    }
}
