import Foundation

/// The architecture figure laid out for a phone: each network drawn top to bottom (image, layers as
/// rows of neurons, loss), 400 units wide, so that at 390 px its smallest labels render at about
/// 10 px and nothing needs scrolling sideways.
extension ArchitectureFigure {
    private static let narrowWidth = 400.0, narrowRadius = 9.0, rowGap = 92.0
    /// The neuron rows span this band; the labels sit to its right.
    private static let rowsLeft = 24.0, rowsRight = 250.0, labelsLeft = 272.0
    /// Characters per line of the description (12 px DejaVu Sans, about 7 px each).
    private static let descriptionLine = 50

    /// The drawing for narrow screens, one panel per run, stacked.
    func narrowDocument() -> SVGDocument {
        let heights = runs.map(Self.narrowPanelHeight)
        var svg = SVGDocument(width: Self.narrowWidth, height: heights.reduce(10, +),
                              title: "Architecture of the networks (narrow layout)")
        svg.cssClass = "diagram"
        var top = 10.0
        for ((run, color), height) in zip(zip(runs, RunStyle.colors(for: runs)), heights) {
            drawNarrowPanel(run, color: color, top: top, into: &svg)
            top += height
        }
        return svg
    }

    /// `text` broken at spaces into lines of at most `width` characters.
    static func wrapped(_ text: String, width: Int) -> [String] {
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        return line.isEmpty ? lines : lines + [line]
    }

    private static func headerHeight(_ run: RunMetrics) -> Double {
        48 + Double(wrapped(RunStyle.description(run), width: descriptionLine).count) * 16
    }

    private static func narrowPanelHeight(_ run: RunMetrics) -> Double {
        headerHeight(run) + 96 + Double(run.layerWidths.count - 1) * rowGap + 40 + 96 + 40
    }

    // MARK: - One panel

    private func drawNarrowPanel(_ run: RunMetrics, color: String, top: Double, into svg: inout SVGDocument) {
        let widths = run.layerWidths
        let centreX = (Self.rowsLeft + Self.rowsRight) / 2
        svg.beginGroup(["class": "network", "data-model": run.model])
        svg.text(RunStyle.label(run), x: 12, y: top + 18, size: 14, fill: color, weight: "bold")
        svg.text(widths.map(String.init).joined(separator: " → "), x: 12, y: top + 36, size: 12, fill: color)
        for (index, line) in Self.wrapped(RunStyle.description(run), width: Self.descriptionLine).enumerated() {
            svg.text(line, x: 12, y: top + 54 + Double(index) * 16, size: 12, fill: "#555555")
        }

        // The image, with an arrow down into the input row.
        let imageTop = top + Self.headerHeight(run) + 4, side = 56.0
        svg.rect(x: centreX - side / 2, y: imageTop, width: side, height: side, fill: "#f4f4f4", stroke: "#777777")
        for line in stride(from: 7, to: 28, by: 7) {
            let offset = Double(line) * side / 28
            svg.line(x1: centreX - side / 2 + offset, y1: imageTop, x2: centreX - side / 2 + offset, y2: imageTop + side,
                     stroke: "#cccccc")
            svg.line(x1: centreX - side / 2, y1: imageTop + offset, x2: centreX + side / 2, y2: imageTop + offset,
                     stroke: "#cccccc")
        }
        svg.text("image", x: Self.labelsLeft, y: imageTop + 24, size: 12)
        svg.text("flattened", x: Self.labelsLeft, y: imageTop + 40, size: 12, fill: "#555555")
        let firstRow = imageTop + side + 40
        downArrow(x: centreX, from: imageTop + side + 4, to: firstRow - Self.narrowRadius - 6, into: &svg)

        // Rows of neurons, a sample of each layer across the band.
        let slots = widths.map(Self.sampledNeurons)
        func slotX(_ slot: Int, of count: Int) -> Double {
            let step = min(26, (Self.rowsRight - Self.rowsLeft) / Double(max(count - 1, 1)))
            return centreX + (Double(slot) - Double(count - 1) / 2) * step
        }
        let rowYs = widths.indices.map { firstRow + Double($0) * Self.rowGap }
        for layer in 1..<widths.count {
            let from = slots[layer - 1], to = slots[layer]
            for (i, source) in from.enumerated() where source != nil {
                for (j, target) in to.enumerated() where target != nil {
                    svg.line(x1: slotX(i, of: from.count), y1: rowYs[layer - 1] + Self.narrowRadius,
                             x2: slotX(j, of: to.count), y2: rowYs[layer] - Self.narrowRadius, stroke: "#b9b9b9", width: 0.6)
                }
            }
            let index = widths.count > 2 ? Self.subscriptDigits(layer) : ""
            let middle = (rowYs[layer - 1] + rowYs[layer]) / 2
            svg.text("W\(index) [\(widths[layer])×\(widths[layer - 1])]", x: Self.labelsLeft, y: middle + 2, size: 11,
                     fill: "#555555")
            svg.text("b\(index) [\(widths[layer])]", x: Self.labelsLeft, y: middle + 16, size: 11, fill: "#555555")
        }
        for (layer, count) in widths.enumerated() {
            let isInput = layer == 0, isOutput = layer == widths.count - 1, y = rowYs[layer]
            for (slot, neuron) in slots[layer].enumerated() {
                let x = slotX(slot, of: slots[layer].count)
                guard let neuron else {
                    for dot in -1...1 { svg.circle(cx: x + Double(dot) * 6, cy: y, radius: 2, fill: "#444444") }
                    continue
                }
                svg.circle(cx: x, cy: y, radius: Self.narrowRadius, fill: isInput ? "#d9d9d9" : isOutput ? color : "#ffffff",
                           stroke: isInput ? "#777777" : color, strokeWidth: 1.6)
                if isOutput, count == 1 {
                    svg.text("ŷ", x: x + Self.narrowRadius + 5, y: y + 4, size: 12)
                } else if isOutput {
                    svg.text("p\(Self.subscriptDigits(neuron))", x: x, y: y + Self.narrowRadius + 14, size: 11, anchor: .middle)
                }
            }
            let (first, second) = Self.layerLabel(run, layer: layer)
            svg.text(first, x: Self.labelsLeft, y: y - 1, size: 12, weight: "bold")
            svg.text(second, x: Self.labelsLeft, y: y + 14, size: 12)
        }

        // The loss box under the output row.
        let boxTop = rowYs[rowYs.count - 1] + 40, boxHeight = 88.0
        downArrow(x: centreX, from: rowYs[rowYs.count - 1] + Self.narrowRadius + 18, to: boxTop - 2, into: &svg)
        svg.rect(x: 12, y: boxTop, width: Self.narrowWidth - 24, height: boxHeight, fill: "#fafafa", stroke: color, radius: 8)
        for (index, parts) in Self.lossLines(run).enumerated() {
            let y = boxTop + 24 + Double(index) * 24
            if index == 0 {
                svg.text(parts[0].text, x: 24, y: y, size: 13, weight: "bold")
            } else {
                svg.text(parts: parts, x: 24, y: y, size: 12)
            }
        }
        svg.endGroup()
    }

    /// A vertical arrow from `from` down to `to`, its head ending at `to`.
    private func downArrow(x: Double, from: Double, to: Double, into svg: inout SVGDocument) {
        svg.line(x1: x, y1: from, x2: x, y2: to - 8, stroke: "#444444", width: 1.5)
        let points = [(x, to), (x - 5, to - 9), (x + 5, to - 9)]
            .map { "\(SVGDocument.number($0.0)),\(SVGDocument.number($0.1))" }.joined(separator: " ")
        svg.element("polygon", ["points": points, "fill": "#444444"])
    }
}
