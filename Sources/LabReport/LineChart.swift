import Foundation

/// A line chart: several series over a shared x axis, "nice" ticks, axis titles, markers that keep
/// the curves apart in greyscale, optional reference lines and marked points, and the legend below
/// the plot so the chart stays narrow enough for a phone.
struct LineChart {
    /// One curve.
    struct Series {
        /// Name recorded in the SVG (`data-series`).
        var name: String
        /// Stroke colour.
        var color: String
        /// Dashed (e.g. training loss) or solid.
        var dashed: Bool
        /// Dotted (validation), drawn instead of dashed.
        var dotted = false
        /// The shape drawn on the curve (hollow when dashed).
        var marker: SVGDocument.Marker = .circle
        /// The data points, in x order.
        var points: [(x: Double, y: Double)]
    }

    /// One legend row: a label after one line sample per legend column.
    struct LegendRow {
        /// Text after the samples.
        var label: String
        /// Colour, dash and marker of each sample, one per entry of `legendColumns`.
        var samples: [(color: String, dashed: Bool, marker: SVGDocument.Marker)]
        /// A second, smaller line under the label, when given.
        var detail: String? = nil
        /// True when the row's samples are dotted (a validation curve in a chart without legend columns).
        var dotted = false
    }

    /// A horizontal line across the plot with a label, such as a baseline.
    struct ReferenceLine {
        /// Where it crosses the y axis.
        var y: Double
        /// Text written above it, at the left.
        var label: String
    }

    /// A point ringed, such as the minimum of a curve (the legend says what it is), in its curve's
    /// colour; rings of different curves differ in size too, so overlapping rings stay apart.
    struct Highlight {
        /// The point.
        var x: Double, y: Double
        /// The ring's colour.
        var color = "#000000"
        /// The ring's radius.
        var radius = 8.0
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
    /// Legend columns whose samples are drawn dotted (validation).
    var dottedColumns: Set<Int> = []
    /// Legend rows; one per series when empty.
    var legend: [LegendRow] = []
    /// Horizontal reference lines, drawn dotted in grey.
    var references: [ReferenceLine] = []
    /// Points to ring.
    var highlights: [Highlight] = []
    /// Plot y on a log₁₀ scale (all values must be positive).
    var logarithmicY = false
    /// Use whole-number steps on the x axis (epochs).
    var integerX = true

    private static let plotWidth = 360.0, plotHeight = 260.0, top = 44.0
    /// Fonts in the drawing, and the size the page's style sheet uses on narrow screens (the layout
    /// leaves room for both).
    static let tickFont = 13.0, titleFont = 14.0, legendFont = 13.0, narrowFont = 19.0
    private static let sampleWidth = 40.0, dash = "7 5", markersPerCurve = 10.0

    /// The chart as an SVG document.
    func document() -> SVGDocument {
        let allPoints = series.flatMap(\.points)
        let xs = allPoints.map(\.x), ys = allPoints.map(\.y) + references.map(\.y)
        let xScale = NiceScale.linear(xs.min() ?? 0, xs.max() ?? 1, targetTicks: 6, integerSteps: integerX)
        let yScale = logarithmicY
            ? NiceScale.logarithmic(ys.filter { $0 > 0 }.min() ?? 0.01, ys.max() ?? 1)
            : NiceScale.linear(ys.min() ?? 0, ys.max() ?? 1, targetTicks: 6)

        let yLabels = yScale.ticks.map(yScale.label)
        let widestYLabel = yLabels.map { SVGDocument.textWidth($0, size: Self.narrowFont) }.max() ?? 20
        let plotLeft = 34 + widestYLabel + 12
        let rows = legend.isEmpty
            ? series.map { LegendRow(label: $0.name, samples: [($0.color, $0.dashed, $0.marker)]) } : legend
        let columns = max(rows.map(\.samples.count).max() ?? 1, 1)
        let plotTop = Self.top, plotRight = plotLeft + Self.plotWidth, plotBottom = Self.top + Self.plotHeight
        let legendTop = plotBottom + 62 + (legendColumns.isEmpty ? 0 : 20)
        let legendRowHeight = rows.contains { $0.detail != nil } ? 46.0 : 26.0
        let widestRow = Double(columns) * (Self.sampleWidth + 10)
            + (rows.flatMap { [$0.label, $0.detail ?? ""] }.map { SVGDocument.textWidth($0, size: Self.narrowFont) }.max() ?? 0)
        let legendLeft = 16.0
        let width = max(plotRight + 16, legendLeft + widestRow + 16,
                        legendLeft + SVGDocument.textWidth(title, size: Self.narrowFont) + 16)
        let height = legendTop + Double(rows.count) * legendRowHeight + 8

        var svg = SVGDocument(width: width.rounded(.up), height: height.rounded(.up), title: title)
        svg.cssClass = "chart"
        func x(_ value: Double) -> Double { plotLeft + xScale.fraction(of: value) * Self.plotWidth }
        func y(_ value: Double) -> Double { plotBottom - yScale.fraction(of: value) * Self.plotHeight }

        svg.text(title, x: legendLeft, y: 26, size: 15, weight: "bold")

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
            svg.text(xScale.label(tick), x: x(tick), y: plotBottom + 21, size: Self.tickFont, anchor: .middle)
        }
        svg.rect(x: plotLeft, y: plotTop, width: Self.plotWidth, height: Self.plotHeight, fill: "none",
                 stroke: "#444444")
        svg.text(xTitle, x: plotLeft + Self.plotWidth / 2, y: plotBottom + 46, size: Self.titleFont,
                 anchor: .middle)
        svg.text(yTitle, x: 20, y: plotTop + Self.plotHeight / 2, size: Self.titleFont, anchor: .middle,
                 rotation: -90)
        svg.endGroup()

        // MARK: Reference lines
        svg.beginGroup(["class": "references"])
        for reference in references {
            svg.line(x1: plotLeft, y1: y(reference.y), x2: plotRight, y2: y(reference.y), stroke: "#555555",
                     width: 1.5, dash: "2 3")
            svg.text(reference.label, x: plotLeft + 6, y: y(reference.y) - 5, size: 12, fill: "#444444")
        }
        svg.endGroup()

        // MARK: Curves, each with about ten markers, staggered between curves
        svg.beginGroup(["class": "curves"])
        for (index, curve) in series.enumerated() {
            let points = curve.points.map { (x: x($0.x), y: y($0.y)) }
            svg.polyline(points, stroke: curve.color, width: 2,
                         dash: curve.dotted ? "2 4" : curve.dashed ? Self.dash : nil,
                         seriesName: curve.name)
            let every = max(1, Int((Double(points.count) / Self.markersPerCurve).rounded(.up)))
            for (position, point) in points.enumerated()
            where (position + index) % every == 0 || position == points.count - 1 {
                svg.marker(curve.marker, x: point.x, y: point.y, color: curve.color, hollow: curve.dashed)
            }
        }
        svg.endGroup()

        // MARK: Highlighted points
        svg.beginGroup(["class": "highlights"])
        for point in highlights {
            svg.circle(cx: x(point.x), cy: y(point.y), radius: point.radius, fill: "none", stroke: point.color, strokeWidth: 2)
        }
        svg.endGroup()

        // MARK: Legend, below the plot
        svg.beginGroup(["class": "legend"])
        for (column, heading) in legendColumns.enumerated() {
            let centre = legendLeft + Double(column) * (Self.sampleWidth + 10) + Self.sampleWidth / 2
            svg.text(heading, x: centre, y: legendTop - 6, size: Self.legendFont, anchor: .middle, fill: "#555555")
        }
        for (index, row) in rows.enumerated() {
            let rowY = legendTop + Double(index) * legendRowHeight + 12
            for (column, sample) in row.samples.enumerated() {
                let sampleX = legendLeft + Double(column) * (Self.sampleWidth + 10)
                svg.line(x1: sampleX, y1: rowY, x2: sampleX + Self.sampleWidth, y2: rowY, stroke: sample.color,
                         width: 2.5, dash: row.dotted || dottedColumns.contains(column) ? "2 4" : sample.dashed ? Self.dash : nil)
                svg.marker(sample.marker, x: sampleX + Self.sampleWidth / 2, y: rowY, color: sample.color,
                           hollow: sample.dashed)
            }
            svg.text(row.label, x: legendLeft + Double(columns) * (Self.sampleWidth + 10), y: rowY + 5,
                     size: Self.legendFont)
            if let detail = row.detail {
                svg.text(detail, x: legendLeft + Double(columns) * (Self.sampleWidth + 10), y: rowY + 23,
                         size: Self.legendFont, fill: "#555555")
            }
        }
        svg.endGroup()
        return svg
    }
}
