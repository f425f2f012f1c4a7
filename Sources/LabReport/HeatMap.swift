import Foundation

/// A labelled confusion matrix: each cell shows its count; the off-diagonal cells (the mistakes) are
/// coloured on a linear ColorBrewer "Oranges" scale from 0 to the largest mistake count, the diagonal
/// (correct answers) is grey, so the colour is spent on the confusions.
struct HeatMap {
    /// Heading above the map.
    var title: String
    /// `counts[row][column]`, all rows the same length.
    var counts: [[Int]]
    /// Labels of the rows, top to bottom.
    var rowLabels: [String]
    /// Labels of the columns, left to right.
    var columnLabels: [String]
    /// Title of the row axis (left), e.g. "true class".
    var rowTitle: String
    /// Title of the column axis (top), e.g. "predicted class".
    var columnTitle: String

    private static let cell = 46.0, labelSize = 13.0

    /// Whether the column labels are too wide for their cells and are drawn at 45°.
    private var slantsColumnLabels: Bool {
        columnLabels.contains { SVGDocument.textWidth($0, size: Self.labelSize) > Self.cell - 6 }
    }

    /// Left edge of the grid: room for the row title and the widest row label.
    private var left: Double {
        max(86, 40 + (rowLabels.map { SVGDocument.textWidth($0, size: Self.labelSize) }.max() ?? 0) + 12)
    }

    /// Top edge of the grid: room for the title, the column title and the column labels.
    private var top: Double {
        guard slantsColumnLabels else { return 96 }
        return 96 + (columnLabels.map { SVGDocument.textWidth($0, size: Self.labelSize) }.max() ?? 0) * 0.71
    }
    /// Colour stops of ColorBrewer's sequential "Oranges" scale, white to dark orange, equally spaced.
    private static let stops: [(Double, Double, Double)] = [
        (255, 245, 235), (253, 208, 162), (253, 141, 60), (217, 72, 1), (127, 39, 4),
    ]
    /// The name of the scale, for the colour bar.
    static let scaleName = "ColorBrewer Oranges"

    /// The fill colour for `t` in [0, 1] (a count over the largest count), linear in `t`.
    static func color(fraction t: Double) -> String {
        let position = min(max(t, 0), 1) * Double(stops.count - 1)
        let index = min(Int(position), stops.count - 2)
        let f = position - Double(index)
        let (a, b) = (stops[index], stops[index + 1])
        func channel(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
        return String(format: "#%02X%02X%02X", channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
    }

    /// Dark text on light cells, white text on dark ones.
    static func textColor(fraction t: Double) -> String {
        t > 0.6 ? "#ffffff" : "#1a1a1a"
    }

    /// The heat map with its colour bar as an SVG document.
    func document() -> SVGDocument {
        let rows = counts.count, columns = counts.first?.count ?? 0
        let gridWidth = Double(columns) * Self.cell, gridHeight = Double(rows) * Self.cell
        let barX = left + gridWidth + 34, barWidth = 18.0
        let width = barX + barWidth + 150, height = top + gridHeight + 30
        var svg = SVGDocument(width: width, height: height, title: title)
        svg.text(title, x: 16, y: 26, size: 15, weight: "bold")

        // MARK: Axis titles and labels
        svg.text(columnTitle, x: left + gridWidth / 2, y: 58, size: 13, anchor: .middle)
        svg.text(rowTitle, x: 22, y: top + gridHeight / 2, size: 13, anchor: .middle, rotation: -90)
        for (column, label) in columnLabels.enumerated() {
            let x = left + (Double(column) + 0.5) * Self.cell
            if slantsColumnLabels {
                svg.text(label, x: x, y: top - 8, size: Self.labelSize, anchor: .start, weight: "bold", rotation: -45)
            } else {
                svg.text(label, x: x, y: top - 10, size: Self.labelSize, anchor: .middle, weight: "bold")
            }
        }
        for (row, label) in rowLabels.enumerated() {
            svg.text(label, x: left - 12, y: top + (Double(row) + 0.5) * Self.cell + 5, size: Self.labelSize,
                     anchor: .end, weight: "bold")
        }

        drawCells(left: left, top: top, cell: Self.cell, countSize: 12, into: &svg)

        // MARK: Colour bar, linear from 0 to the largest mistake count
        let steps = 40
        for step in 0..<steps {
            let fraction = 1 - (Double(step) + 0.5) / Double(steps)
            svg.rect(x: barX, y: top + Double(step) * gridHeight / Double(steps), width: barWidth,
                     height: gridHeight / Double(steps) + 0.5, fill: Self.color(fraction: fraction))
        }
        svg.rect(x: barX, y: top, width: barWidth, height: gridHeight, fill: "none", stroke: "#444444")
        for tick in NiceScale.linear(0, Double(largestMistake), targetTicks: 5, integerSteps: true).ticks
        where tick <= Double(largestMistake) {
            let y = top + (1 - tick / Double(largestMistake)) * gridHeight
            svg.line(x1: barX + barWidth, y1: y, x2: barX + barWidth + 5, y2: y, stroke: "#444444")
            svg.text(String(Int(tick)), x: barX + barWidth + 8, y: y + 4, size: 11)
        }
        svg.text("mistakes (count)", x: barX - 4, y: top - 26, size: 11, fill: "#555555")
        svg.text(Self.scaleName, x: barX - 4, y: top - 12, size: 11, fill: "#555555")
        svg.rect(x: barX, y: top + gridHeight + 8, width: barWidth, height: 12, fill: "#d9d9d9")
        svg.text("correct (diagonal)", x: barX + barWidth + 6, y: top + gridHeight + 18, size: 11, fill: "#555555")
        svg.cssClass = "wide"
        svg.narrowMarkup = narrowDocument()?.markup
        return svg
    }

    /// The largest off-diagonal count (at least 1): the top of the colour scale.
    private var largestMistake: Int {
        max(counts.enumerated().flatMap { row, values in
            values.enumerated().filter { $0.offset != row }.map(\.element)
        }.max() ?? 0, 1)
    }

    /// The cells with their counts, the grid's top-left corner at (`left`, `top`).
    private func drawCells(left: Double, top: Double, cell: Double, countSize: Double, into svg: inout SVGDocument) {
        let largestMistake = largestMistake
        svg.beginGroup(["class": "cells"])
        for (row, values) in counts.enumerated() {
            for (column, count) in values.enumerated() {
                let fraction = Double(count) / Double(largestMistake)
                let x = left + Double(column) * cell, y = top + Double(row) * cell
                let fill = row == column ? "#d9d9d9" : Self.color(fraction: fraction)
                svg.rect(x: x, y: y, width: cell, height: cell, fill: fill, stroke: "#ffffff")
                svg.text(ReportTables.grouped(count), x: x + cell / 2, y: y + cell / 2 + countSize * 0.38, size: countSize,
                         anchor: .middle, fill: row == column ? "#1a1a1a" : Self.textColor(fraction: fraction),
                         weight: row == column ? "bold" : "normal")
            }
        }
        svg.endGroup()
        svg.rect(x: left, y: top, width: Double(counts.first?.count ?? 0) * cell, height: Double(counts.count) * cell,
                 fill: "none", stroke: "#444444")
    }

    // MARK: - Narrow layout

    /// The same map for a phone, 384 wide: 32-unit cells, the title on two lines, the colour bar
    /// under the grid, and, when the class names do not fit their cells, numbered classes with a key
    /// below; `nil` for more than 10 classes (that map scrolls sideways instead).
    func narrowDocument() -> SVGDocument? {
        let rows = counts.count, columns = counts.first?.count ?? 0
        guard (1...10).contains(rows), (1...10).contains(columns) else { return nil }
        let cell = 32.0, left = 50.0, labelSize = 11.0, small = 10.0
        let gridWidth = Double(columns) * cell, gridHeight = Double(rows) * cell
        let numbered = (rowLabels + columnLabels).contains { SVGDocument.textWidth($0, size: labelSize) > cell - 4 }
        let titleLines = ArchitectureFigure.wrapped(title, width: 42)
        let top = 14 + Double(titleLines.count) * 18 + 44
        let barTop = top + gridHeight + 30
        let keyTop = barTop + 58, keyRows = numbered ? (rows + 1) / 2 : 0
        var svg = SVGDocument(width: left + gridWidth + 14, height: keyTop + Double(keyRows) * 16 + (numbered ? 8 : 0),
                              title: title)
        svg.cssClass = "diagram"
        for (index, line) in titleLines.enumerated() {
            svg.text(line, x: 10, y: 22 + Double(index) * 18, size: 13, weight: "bold")
        }
        svg.text(columnTitle, x: left + gridWidth / 2, y: top - 26, size: labelSize, anchor: .middle)
        svg.text(rowTitle, x: 14, y: top + gridHeight / 2, size: labelSize, anchor: .middle, rotation: -90)
        for column in 0..<columns {
            svg.text(numbered ? String(column) : columnLabels[column], x: left + (Double(column) + 0.5) * cell, y: top - 8,
                     size: labelSize, anchor: .middle, weight: "bold")
        }
        for row in 0..<rows {
            svg.text(numbered ? String(row) : rowLabels[row], x: left - 8, y: top + (Double(row) + 0.5) * cell + 4,
                     size: labelSize, anchor: .end, weight: "bold")
        }
        drawCells(left: left, top: top, cell: cell, countSize: small, into: &svg)

        // The colour bar, left to right from 0 to the largest mistake count, and the diagonal's grey.
        let largestMistake = largestMistake, steps = 40
        svg.text("mistakes (count), \(Self.scaleName)", x: left, y: barTop - 6, size: small, fill: "#555555")
        for step in 0..<steps {
            svg.rect(x: left + Double(step) * gridWidth / Double(steps), y: barTop, width: gridWidth / Double(steps) + 0.5,
                     height: 12, fill: Self.color(fraction: (Double(step) + 0.5) / Double(steps)))
        }
        svg.rect(x: left, y: barTop, width: gridWidth, height: 12, fill: "none", stroke: "#444444")
        for tick in NiceScale.linear(0, Double(largestMistake), targetTicks: 5, integerSteps: true).ticks
        where tick <= Double(largestMistake) {
            let x = left + tick / Double(largestMistake) * gridWidth
            svg.line(x1: x, y1: barTop + 12, x2: x, y2: barTop + 16, stroke: "#444444")
            svg.text(String(Int(tick)), x: x, y: barTop + 27, size: small, anchor: .middle)
        }
        svg.rect(x: left, y: barTop + 36, width: 16, height: 12, fill: "#d9d9d9")
        svg.text("correct (diagonal)", x: left + 22, y: barTop + 46, size: small, fill: "#555555")

        // The key to the numbered classes, in two columns.
        if numbered {
            let names = rowLabels.count >= columnLabels.count ? rowLabels : columnLabels
            let columnWidth = (gridWidth + left - 20) / 2
            for (index, name) in names.enumerated() {
                let x = 10 + Double(index / keyRows) * columnWidth, y = keyTop + Double(index % keyRows) * 16
                svg.text(PixelFigures.fitted("\(index) = \(name)", width: columnWidth - 8, size: labelSize), x: x, y: y, size: labelSize)
            }
        }
        return svg
    }
}
