import Foundation

/// A labelled heat map of counts, such as a confusion matrix: each cell shows its count, and its
/// colour shows the count's share of its row on a square-root scale (so small confusions stay visible).
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
    /// Colour stops of a white-to-dark-blue sequential scale (ColorBrewer "Blues").
    private static let stops: [(Double, Double, Double)] = [
        (247, 251, 255), (198, 219, 239), (107, 174, 214), (33, 113, 181), (8, 48, 107),
    ]

    /// The fill colour for a share `t` of the row, with `t` in [0, 1] before the square root.
    static func color(share t: Double) -> String {
        let position = sqrt(min(max(t, 0), 1)) * Double(stops.count - 1)
        let index = min(Int(position), stops.count - 2)
        let f = position - Double(index)
        let (a, b) = (stops[index], stops[index + 1])
        func channel(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
        return String(format: "#%02X%02X%02X", channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
    }

    /// Dark text on light cells, white text on dark ones.
    static func textColor(share t: Double) -> String {
        sqrt(min(max(t, 0), 1)) > 0.6 ? "#ffffff" : "#1a1a1a"
    }

    /// The heat map with its colour bar as an SVG document.
    func document() -> SVGDocument {
        let rows = counts.count, columns = counts.first?.count ?? 0
        let gridWidth = Double(columns) * Self.cell, gridHeight = Double(rows) * Self.cell
        let barX = left + gridWidth + 34, barWidth = 18.0
        let width = barX + barWidth + 110, height = top + gridHeight + 30
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

        // MARK: Cells
        svg.beginGroup(["class": "cells"])
        for (row, values) in counts.enumerated() {
            let total = max(values.reduce(0, +), 1)
            for (column, count) in values.enumerated() {
                let share = Double(count) / Double(total)
                let x = left + Double(column) * Self.cell, y = top + Double(row) * Self.cell
                svg.rect(x: x, y: y, width: Self.cell, height: Self.cell, fill: Self.color(share: share),
                         stroke: "#ffffff")
                svg.text(String(count), x: x + Self.cell / 2, y: y + Self.cell / 2 + 4.5, size: 12, anchor: .middle,
                         fill: Self.textColor(share: share), weight: row == column ? "bold" : "normal")
            }
        }
        svg.endGroup()
        svg.rect(x: left, y: top, width: gridWidth, height: gridHeight, fill: "none", stroke: "#444444")

        // MARK: Colour bar
        let steps = 40
        for step in 0..<steps {
            let share = pow(1 - Double(step) / Double(steps), 2)
            svg.rect(x: barX, y: top + Double(step) * gridHeight / Double(steps), width: barWidth,
                     height: gridHeight / Double(steps) + 0.5, fill: Self.color(share: share))
        }
        svg.rect(x: barX, y: top, width: barWidth, height: gridHeight, fill: "none", stroke: "#444444")
        for share in [0, 0.01, 0.05, 0.2, 0.5, 1.0] {
            let y = top + (1 - sqrt(share)) * gridHeight
            svg.line(x1: barX + barWidth, y1: y, x2: barX + barWidth + 5, y2: y, stroke: "#444444")
            svg.text("\(Int((share * 100).rounded())) %", x: barX + barWidth + 8, y: y + 4, size: 11)
        }
        svg.text("share of row", x: barX - 4, y: top - 12, size: 11, fill: "#555555")
        return svg
    }
}
