import Foundation

/// A line chart: several series over a shared x axis, "nice" ticks, axis titles, and a legend
/// to the right of the plot so it never covers a curve.
struct LineChart {
    /// One curve.
    struct Series {
        /// Name recorded in the SVG (`data-series`).
        var name: String
        /// Stroke colour.
        var color: String
        /// Dashed (e.g. training loss) or solid.
        var dashed: Bool
        /// The data points, in x order.
        var points: [(x: Double, y: Double)]
    }

    /// One legend row: a label after one line sample per legend column.
    struct LegendRow {
        /// Text after the samples.
        var label: String
        /// Colour and dash of each sample, one per entry of `legendColumns`.
        var samples: [(color: String, dashed: Bool)]
    }

    /// Heading above the plot.
    var title: String
    /// Title of the x axis.
    var xTitle: String
    /// Title of the y axis.
    var yTitle: String
    /// The curves.
    var series: [Series]
    /// Headings above the legend's sample columns (e.g. ["train", "test"]); may be empty.
    var legendColumns: [String] = []
    /// Legend rows; one per series when empty.
    var legend: [LegendRow] = []
    /// Plot y on a log₁₀ scale (all values must be positive).
    var logarithmicY = false
    /// Use whole-number steps on the x axis (epochs).
    var integerX = true

    private static let plotWidth = 560.0, plotHeight = 340.0, top = 48.0, bottom = 58.0
    private static let tickFont = 12.0, titleFont = 13.0, legendFont = 12.0
    private static let sampleWidth = 34.0, dash = "7 5"

    /// The chart as an SVG document.
    func document() -> SVGDocument {
        let allPoints = series.flatMap(\.points)
        let xs = allPoints.map(\.x), ys = allPoints.map(\.y)
        let xScale = NiceScale.linear(xs.min() ?? 0, xs.max() ?? 1, targetTicks: 8, integerSteps: integerX)
        let yScale = logarithmicY
            ? NiceScale.logarithmic(ys.filter { $0 > 0 }.min() ?? 0.01, ys.max() ?? 1)
            : NiceScale.linear(ys.min() ?? 0, ys.max() ?? 1, targetTicks: 7)

        let yLabels = yScale.ticks.map(yScale.label)
        let widestYLabel = yLabels.map { SVGDocument.textWidth($0, size: Self.tickFont) }.max() ?? 20
        let left = 30 + widestYLabel + 14
        let rows = legend.isEmpty
            ? series.map { LegendRow(label: $0.name, samples: [($0.color, $0.dashed)]) } : legend
        let columns = max(rows.map(\.samples.count).max() ?? 1, 1)
        let widestLabel = rows.map { SVGDocument.textWidth($0.label, size: Self.legendFont) }.max() ?? 0
        let legendX = left + Self.plotWidth + 28
        let legendWidth = Double(columns) * (Self.sampleWidth + 10) + widestLabel + 8
        let legendRowHeight = 22.0
        let legendTop = Self.top + (legendColumns.isEmpty ? 8 : 26)
        let legendBottom = legendTop + Double(rows.count) * legendRowHeight
        let width = legendX + legendWidth + 16
        let height = max(Self.top + Self.plotHeight + Self.bottom, legendBottom + 16)

        var svg = SVGDocument(width: width.rounded(.up), height: height.rounded(.up), title: title)
        let plotLeft = left, plotTop = Self.top, plotRight = left + Self.plotWidth
        let plotBottom = Self.top + Self.plotHeight
        func x(_ value: Double) -> Double { plotLeft + xScale.fraction(of: value) * Self.plotWidth }
        func y(_ value: Double) -> Double { plotBottom - yScale.fraction(of: value) * Self.plotHeight }

        svg.text(title, x: plotLeft, y: 26, size: 15, weight: "bold")

        // MARK: Grid, axes and ticks
        svg.beginGroup(["class": "axes"])
        for (tick, label) in zip(yScale.ticks, yLabels) {
            svg.line(x1: plotLeft, y1: y(tick), x2: plotRight, y2: y(tick), stroke: "#e3e3e3")
            svg.line(x1: plotLeft - 5, y1: y(tick), x2: plotLeft, y2: y(tick), stroke: "#444444")
            svg.text(label, x: plotLeft - 8, y: y(tick) + 4, size: Self.tickFont, anchor: .end)
        }
        for tick in xScale.ticks {
            svg.line(x1: x(tick), y1: plotTop, x2: x(tick), y2: plotBottom, stroke: "#eeeeee")
            svg.line(x1: x(tick), y1: plotBottom, x2: x(tick), y2: plotBottom + 5, stroke: "#444444")
            svg.text(xScale.label(tick), x: x(tick), y: plotBottom + 20, size: Self.tickFont, anchor: .middle)
        }
        svg.rect(x: plotLeft, y: plotTop, width: Self.plotWidth, height: Self.plotHeight, fill: "none",
                 stroke: "#444444")
        svg.text(xTitle, x: plotLeft + Self.plotWidth / 2, y: plotBottom + 44, size: Self.titleFont,
                 anchor: .middle)
        svg.text(yTitle, x: 18, y: plotTop + Self.plotHeight / 2, size: Self.titleFont, anchor: .middle,
                 rotation: -90)
        svg.endGroup()

        // MARK: Curves
        svg.beginGroup(["class": "curves"])
        for curve in series {
            let points = curve.points.map { (x: x($0.x), y: y($0.y)) }
            svg.polyline(points, stroke: curve.color, width: 2, dash: curve.dashed ? Self.dash : nil,
                         seriesName: curve.name)
            if curve.points.count <= 30 {
                for point in points {
                    svg.circle(cx: point.x, cy: point.y, radius: 3, fill: curve.dashed ? "#ffffff" : curve.color,
                               stroke: curve.color, strokeWidth: 1.5)
                }
            }
        }
        svg.endGroup()

        // MARK: Legend
        svg.beginGroup(["class": "legend"])
        for (column, heading) in legendColumns.enumerated() {
            let centre = legendX + Double(column) * (Self.sampleWidth + 10) + Self.sampleWidth / 2
            svg.text(heading, x: centre, y: Self.top + 14, size: Self.legendFont, anchor: .middle, fill: "#555555")
        }
        for (index, row) in rows.enumerated() {
            let rowY = legendTop + Double(index) * legendRowHeight + legendRowHeight / 2
            for (column, sample) in row.samples.enumerated() {
                let sampleX = legendX + Double(column) * (Self.sampleWidth + 10)
                svg.line(x1: sampleX, y1: rowY, x2: sampleX + Self.sampleWidth, y2: rowY, stroke: sample.color,
                         width: 2.5, dash: sample.dashed ? Self.dash : nil)
            }
            svg.text(row.label, x: legendX + Double(columns) * (Self.sampleWidth + 10), y: rowY + 4,
                     size: Self.legendFont)
        }
        svg.endGroup()
        return svg
    }
}
