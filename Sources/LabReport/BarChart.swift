import Foundation

/// A grouped bar chart of percentages: one group per category (digit), one bar per series,
/// the value printed above each bar, and the legend below the axis title.
struct BarChart {
    /// One kind of bar, drawn once per category.
    struct Series {
        /// Legend text.
        var name: String
        /// Fill colour.
        var color: String
        /// One value per category in percent, `nil` where there is none.
        var values: [Double?]
    }

    /// Heading above the plot.
    var title: String
    /// The group labels along the x axis.
    var categories: [String]
    /// Title of the x axis.
    var xTitle: String
    /// Title of the y axis.
    var yTitle: String
    /// The bars of each group, left to right.
    var series: [Series]

    private static let plotHeight = 320.0, top = 80.0, barWidth = 20.0, barGap = 2.0, groupGap = 22.0

    /// The y axis: from a nice value below the smallest bar (so near-100 % differences show) to 100.
    func scale() -> NiceScale {
        let values = series.flatMap { $0.values.compactMap { $0 } }
        let smallest = values.min() ?? 0
        return NiceScale.linear(max(0, smallest - (100 - smallest) * 0.15), 100, targetTicks: 6)
    }

    /// The chart as an SVG document.
    func document() -> SVGDocument {
        let yScale = scale()
        let left = 76.0
        let groupWidth = Double(series.count) * (Self.barWidth + Self.barGap) - Self.barGap
        let plotWidth = Double(categories.count) * (groupWidth + Self.groupGap) + Self.groupGap
        let plotBottom = Self.top + Self.plotHeight
        let legendTop = plotBottom + 64
        let width = max(left + plotWidth + 24,
                        (series.map { SVGDocument.textWidth($0.name, size: 12) }.max() ?? 0) + left + 60)
        let height = legendTop + Double(series.count) * 22 + 12
        var svg = SVGDocument(width: width.rounded(.up), height: height, title: title)
        func y(_ value: Double) -> Double { plotBottom - yScale.fraction(of: value) * Self.plotHeight }

        svg.text(title, x: left, y: 26, size: 15, weight: "bold")
        svg.beginGroup(["class": "axes"])
        for tick in yScale.ticks {
            svg.line(x1: left, y1: y(tick), x2: left + plotWidth, y2: y(tick), stroke: "#e3e3e3")
            svg.text(yScale.label(tick), x: left - 8, y: y(tick) + 4, size: 12, anchor: .end)
        }
        svg.text(yTitle, x: 18, y: Self.top + Self.plotHeight / 2, size: 13, anchor: .middle, rotation: -90)
        svg.text(xTitle, x: left + plotWidth / 2, y: plotBottom + 42, size: 13, anchor: .middle)
        svg.endGroup()

        svg.beginGroup(["class": "bars"])
        for (index, category) in categories.enumerated() {
            let groupLeft = left + Self.groupGap + Double(index) * (groupWidth + Self.groupGap)
            svg.text(category, x: groupLeft + groupWidth / 2, y: plotBottom + 20, size: 13, anchor: .middle,
                     weight: "bold")
            for (position, bars) in series.enumerated() {
                guard index < bars.values.count, let value = bars.values[index] else { continue }
                let x = groupLeft + Double(position) * (Self.barWidth + Self.barGap)
                let barTop = y(max(value, yScale.lower))
                svg.rect(x: x, y: barTop, width: Self.barWidth, height: plotBottom - barTop, fill: bars.color)
                // Vertical value labels fit above narrow bars without touching their neighbours.
                svg.text(String(format: "%.1f", value), x: x + Self.barWidth / 2 + 4, y: barTop - 4, size: 11,
                         rotation: -90)
            }
        }
        svg.endGroup()
        svg.line(x1: left, y1: plotBottom, x2: left + plotWidth, y2: plotBottom, stroke: "#444444")
        svg.line(x1: left, y1: Self.top, x2: left, y2: plotBottom, stroke: "#444444")

        svg.beginGroup(["class": "legend"])
        for (index, bars) in series.enumerated() {
            let rowY = legendTop + Double(index) * 22
            svg.rect(x: left, y: rowY - 11, width: 16, height: 14, fill: bars.color)
            svg.text(bars.name, x: left + 24, y: rowY, size: 12)
        }
        svg.endGroup()
        return svg
    }
}
