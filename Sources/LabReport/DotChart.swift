import Foundation

/// A dot plot of percentages: one column per category (digit), one marker per series, side by side.
/// Dots rather than bars, because the axis starts near the smallest value to show near-100 %
/// differences, and a bar's length would then mislead.
struct DotChart {
    /// One kind of dot, drawn once per category.
    struct Series {
        /// Legend text.
        var name: String
        /// Colour.
        var color: String
        /// Shape of the dot.
        var marker: SVGDocument.Marker
        /// Drawn hollow (e.g. recall beside accuracy).
        var hollow = false
        /// One value per category in percent, `nil` where there is none.
        var values: [Double?]
    }

    /// Heading above the plot.
    var title: String
    /// The labels along the x axis.
    var categories: [String]
    /// Title of the x axis.
    var xTitle: String
    /// Title of the y axis.
    var yTitle: String
    /// The dots of each category, left to right.
    var series: [Series]

    private static let plotHeight = 300.0, top = 44.0, slot = 9.0, groupGap = 14.0

    /// The y axis: from a nice value below the smallest dot to 100.
    func scale() -> NiceScale {
        let values = series.flatMap { $0.values.compactMap { $0 } }
        return NiceScale.linear(min(values.min() ?? 0, 100), 100, targetTicks: 6)
    }

    /// The chart as an SVG document.
    func document() -> SVGDocument {
        let yScale = scale()
        let left = 34 + (yScale.ticks.map { SVGDocument.textWidth(yScale.label($0), size: LineChart.narrowFont) }.max() ?? 20) + 12
        let groupWidth = Double(series.count) * Self.slot
        let plotWidth = max(Double(categories.count) * (groupWidth + Self.groupGap) + Self.groupGap, 360)
        let groupStep = (plotWidth - Self.groupGap) / Double(max(categories.count, 1))
        let plotBottom = Self.top + Self.plotHeight
        // Labels wider than their column (class names) are turned 45° so they never overlap.
        let widestLabel = categories.map { SVGDocument.textWidth($0, size: LineChart.narrowFont) }.max() ?? 0
        let slanted = widestLabel > groupStep - 4
        let labelDepth = slanted ? widestLabel * 0.71 + 10 : 0
        let legendTop = plotBottom + 62 + labelDepth
        let widestName = series.map { SVGDocument.textWidth($0.name, size: LineChart.narrowFont) }.max() ?? 0
        let width = max(left + plotWidth + 16 + labelDepth, 16 + 30 + widestName + 16,
                        16 + SVGDocument.textWidth(title, size: LineChart.narrowFont) + 16)
        let height = legendTop + Double(series.count) * 26 + 8
        var svg = SVGDocument(width: width.rounded(.up), height: height.rounded(.up), title: title)
        svg.cssClass = "chart"
        func y(_ value: Double) -> Double { plotBottom - yScale.fraction(of: value) * Self.plotHeight }

        svg.text(title, x: 16, y: 26, size: 15, weight: "bold")
        svg.beginGroup(["class": "axes"])
        for tick in yScale.ticks {
            svg.line(x1: left, y1: y(tick), x2: left + plotWidth, y2: y(tick), stroke: "#e3e3e3")
            svg.text(yScale.label(tick), x: left - 8, y: y(tick) + 4, size: LineChart.tickFont, anchor: .end)
        }
        svg.text(yTitle, x: 20, y: Self.top + Self.plotHeight / 2, size: LineChart.titleFont, anchor: .middle,
                 rotation: -90)
        svg.text(xTitle, x: left + plotWidth / 2, y: plotBottom + 46 + labelDepth, size: LineChart.titleFont, anchor: .middle)
        svg.rect(x: left, y: Self.top, width: plotWidth, height: Self.plotHeight, fill: "none", stroke: "#444444")
        svg.endGroup()

        svg.beginGroup(["class": "dots"])
        for (index, category) in categories.enumerated() {
            let centre = left + Self.groupGap / 2 + (Double(index) + 0.5) * groupStep
            if slanted {
                svg.text(category, x: centre - 4, y: plotBottom + 14, size: LineChart.tickFont, anchor: .start, weight: "bold",
                         rotation: 45)
            } else {
                svg.text(category, x: centre, y: plotBottom + 21, size: LineChart.tickFont, anchor: .middle, weight: "bold")
            }
            if index > 0 {
                let boundary = centre - groupStep / 2
                svg.line(x1: boundary, y1: Self.top, x2: boundary, y2: plotBottom, stroke: "#f0f0f0")
            }
            for (position, dots) in series.enumerated() {
                guard index < dots.values.count, let value = dots.values[index] else { continue }
                let x = centre - groupWidth / 2 + (Double(position) + 0.5) * Self.slot
                svg.marker(dots.marker, x: x, y: y(value), size: 8, color: dots.color, hollow: dots.hollow)
            }
        }
        svg.endGroup()

        svg.beginGroup(["class": "legend"])
        for (index, dots) in series.enumerated() {
            let rowY = legendTop + Double(index) * 26 + 12
            svg.marker(dots.marker, x: 24, y: rowY, size: 9, color: dots.color, hollow: dots.hollow)
            svg.text(dots.name, x: 40, y: rowY + 5, size: LineChart.tickFont)
        }
        svg.endGroup()
        return svg
    }
}
