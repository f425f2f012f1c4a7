import Foundation

/// A drawing of each network, built from its layer widths, activations and model: the image,
/// a sample of each layer's neurons (with "⋮" and the real count for wide layers), the connections,
/// the output function and the loss.
struct ArchitectureFigure {
    /// The runs to draw, one panel each.
    var runs: [RunMetrics]

    private static let width = 940.0, panelHeight = 400.0, radius = 11.0, spacing = 28.0
    private static let columnsLeft = 190.0, columnsRight = 620.0, lossLeft = 700.0
    /// Layers wider than this are drawn as their first 5 and last 2 neurons around a gap.
    private static let widestDrawn = 10

    /// The figure as an SVG document: one panel per network, stacked (the page may break between
    /// them in print), with a top-to-bottom layout of the same for narrow screens.
    func document() -> SVGDocument {
        let panels = zip(runs, RunStyle.colors(for: runs)).map { run, color in
            var panel = SVGDocument(width: Self.width, height: Self.panelHeight + 10, title: "Architecture of \(RunStyle.label(run))")
            drawPanel(run, color: color, top: 10, into: &panel)
            return panel
        }
        var svg = PixelFigures.stacked(panels, title: "Architecture of the networks", cssClass: "diagram")
        svg.narrowMarkup = narrowDocument().markup
        return svg
    }

    /// The positions drawn for a layer of `count` neurons: an index (or `nil` for the gap) per slot.
    static func sampledNeurons(_ count: Int) -> [Int?] {
        if count <= widestDrawn { return Array(0..<count) }
        return [0, 1, 2, 3, 4, nil, count - 2, count - 1]
    }

    // MARK: - One panel

    private func drawPanel(_ run: RunMetrics, color: String, top: Double, into svg: inout SVGDocument) {
        let widths = run.layerWidths
        let centreY = top + 60 + 140
        let arrow = widths.map(String.init).joined(separator: " → ")
        svg.beginGroup(["class": "network", "data-model": run.model])
        svg.text("\(RunStyle.label(run))   (\(arrow))", x: 20, y: top + 24, size: 15, fill: color, weight: "bold")
        svg.text(RunStyle.description(run), x: 20, y: top + 44, size: 12, fill: "#555555")

        // Layer columns, evenly spread between the image and the loss.
        let step = (Self.columnsRight - Self.columnsLeft) / Double(max(widths.count - 1, 1))
        let columnXs = widths.indices.map { Self.columnsLeft + Double($0) * step }
        let slots = widths.map(Self.sampledNeurons)
        func slotY(_ slot: Int, of count: Int) -> Double {
            centreY + (Double(slot) - Double(count - 1) / 2) * Self.spacing
        }

        // MARK: Connections and weight shapes
        for layer in 1..<widths.count {
            let from = slots[layer - 1], to = slots[layer]
            for (i, source) in from.enumerated() where source != nil {
                for (j, target) in to.enumerated() where target != nil {
                    svg.line(x1: columnXs[layer - 1] + Self.radius, y1: slotY(i, of: from.count),
                             x2: columnXs[layer] - Self.radius, y2: slotY(j, of: to.count),
                             stroke: "#b9b9b9", width: 0.6)
                }
            }
            let subscriptIndex = widths.count > 2 ? Self.subscriptDigits(layer) : ""
            let weights = "W\(subscriptIndex) [\(widths[layer])×\(widths[layer - 1])]", bias = "b\(subscriptIndex) [\(widths[layer])]"
            let middle = (columnXs[layer - 1] + columnXs[layer]) / 2
            if widths.count > 3 {    // narrow gaps: weights and bias on two lines
                svg.text(weights, x: middle, y: top + 62, size: 11, anchor: .middle, fill: "#555555")
                svg.text(bias, x: middle, y: top + 76, size: 11, anchor: .middle, fill: "#555555")
            } else {
                svg.text("\(weights), \(bias)", x: middle, y: top + 68, size: 12, anchor: .middle, fill: "#555555")
            }
        }

        // MARK: Neurons and layer labels
        for (layer, count) in widths.enumerated() {
            let isInput = layer == 0, isOutput = layer == widths.count - 1
            let fill = isInput ? "#d9d9d9" : isOutput ? color : "#ffffff"
            for (slot, neuron) in slots[layer].enumerated() {
                let y = slotY(slot, of: slots[layer].count)
                guard let neuron else {
                    for dot in -1...1 {
                        svg.circle(cx: columnXs[layer], cy: y + Double(dot) * 7, radius: 2, fill: "#444444")
                    }
                    continue
                }
                svg.circle(cx: columnXs[layer], cy: y, radius: Self.radius, fill: fill,
                           stroke: isInput ? "#777777" : color, strokeWidth: 1.8)
                if isOutput {
                    let name = count == 1 ? "ŷ" : "p\(Self.subscriptDigits(neuron))"
                    svg.text(name, x: columnXs[layer] + Self.radius + 6, y: y + 4, size: 12)
                }
            }
            let labelY = centreY + Double(slots[layer].count) / 2 * Self.spacing + 22
            let (first, second) = Self.layerLabel(run, layer: layer)
            svg.text(first, x: columnXs[layer], y: labelY, size: 13, anchor: .middle, weight: "bold")
            svg.text(second, x: columnXs[layer], y: labelY + 17, size: 12, anchor: .middle)
        }

        drawImage(centreY: centreY, into: &svg)
        drawLoss(run, outputX: columnXs[columnXs.count - 1], centreY: centreY, color: color, into: &svg)
        svg.endGroup()
    }

    /// A 28×28 image as a small grid, with an arrow into the input layer.
    private func drawImage(centreY: Double, into svg: inout SVGDocument) {
        let side = 84.0, left = 30.0, cell = side / 28
        svg.rect(x: left, y: centreY - side / 2, width: side, height: side, fill: "#f4f4f4", stroke: "#777777")
        for line in stride(from: 7, to: 28, by: 7) {
            let offset = Double(line) * cell
            svg.line(x1: left + offset, y1: centreY - side / 2, x2: left + offset, y2: centreY + side / 2,
                     stroke: "#cccccc")
            svg.line(x1: left, y1: centreY - side / 2 + offset, x2: left + side, y2: centreY - side / 2 + offset,
                     stroke: "#cccccc")
        }
        svg.text("image", x: left + side / 2, y: centreY + side / 2 + 18, size: 12, anchor: .middle)
        svg.text("flattened", x: left + side / 2, y: centreY + side / 2 + 34, size: 12, anchor: .middle,
                 fill: "#555555")
        svg.line(x1: left + side + 6, y1: centreY, x2: Self.columnsLeft - Self.radius - 28, y2: centreY,
                 stroke: "#444444", width: 1.5)
        arrowHead(x: Self.columnsLeft - Self.radius - 28, y: centreY, into: &svg)
    }

    /// The loss box to the right of the output layer.
    private func drawLoss(_ run: RunMetrics, outputX: Double, centreY: Double, color: String,
                          into svg: inout SVGDocument) {
        let boxWidth = 220.0, boxHeight = 96.0
        let left = Self.lossLeft
        svg.line(x1: outputX + Self.radius + 24, y1: centreY, x2: left - 6, y2: centreY, stroke: "#444444",
                 width: 1.5)
        arrowHead(x: left - 6, y: centreY, into: &svg)
        svg.rect(x: left, y: centreY - boxHeight / 2, width: boxWidth, height: boxHeight, fill: "#fafafa",
                 stroke: color, radius: 8)
        for (index, parts) in Self.lossLines(run).enumerated() {
            let y = centreY - boxHeight / 2 + 26 + Double(index) * 24
            if index == 0 {
                svg.text(parts[0].text, x: left + 12, y: y, size: 13, weight: "bold")
            } else {
                svg.text(parts: parts, x: left + 12, y: y, size: 12)
            }
        }
    }

    /// The loss box's lines: its name, its formula (with subscripts) and what y is.
    static func lossLines(_ run: RunMetrics) -> [[(text: String, isSubscript: Bool)]] {
        let target = RunStyle.digitName(run)
        return run.isBinary
            ? [[("loss: binary cross-entropy", false)], [("L = −[y log ŷ + (1−y) log(1−ŷ)]", false)],
               [("y = 1 if the image is \(RunStyle.article(target)) \(target)", false)]]
            : [[("loss: cross-entropy", false)], [("L = −log p", false), ("y", true), (", p = softmax(z)", false)],
               [("y = the true class 0…\(run.layerWidths[run.layerWidths.count - 1] - 1)", false)]]
    }

    /// The two label lines under a layer: its size and what it is.
    static func layerLabel(_ run: RunMetrics, layer: Int) -> (first: String, second: String) {
        let widths = run.layerWidths, count = widths[layer]
        let activations = run.last.activations ?? Array(repeating: run.activation ?? "sigmoid", count: widths.count)
        if layer == 0 { return ("\(count) inputs", "\(imageSide(count)) pixels") }
        if layer == widths.count - 1 { return ("\(count) output\(count == 1 ? "" : "s")", run.isBinary ? "sigmoid" : "softmax") }
        return ("\(count) hidden units", activations[min(layer - 1, activations.count - 1)])
    }

    func arrowHead(x: Double, y: Double, into svg: inout SVGDocument) {
        let points = "\(SVGDocument.number(x)),\(SVGDocument.number(y)) \(SVGDocument.number(x - 9)),\(SVGDocument.number(y - 5)) \(SVGDocument.number(x - 9)),\(SVGDocument.number(y + 5))"
        svg.element("polygon", ["points": points, "fill": "#444444"])
    }

    /// "28×28" for a square input, otherwise the count.
    static func imageSide(_ count: Int) -> String {
        let side = Int(Double(count).squareRoot().rounded())
        return side * side == count ? "\(side)×\(side)" : "\(count)"
    }

    static func subscriptDigits(_ value: Int) -> String {
        let digits = Array("₀₁₂₃₄₅₆₇₈₉")
        return String(String(value).compactMap { $0.wholeNumberValue.map { digits[$0] } })
    }
}
