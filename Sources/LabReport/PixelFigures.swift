import Foundation

/// The figures drawn pixel by pixel from a model: its first layer's weights as images (a diverging
/// colour scale, white at zero) and its most confident mistakes on the test images.
enum PixelFigures {
    // MARK: - Colours

    /// Stops of ColorBrewer's diverging "RdBu" scale, reversed: blue for negative, white at 0, red for positive.
    private static let diverging: [(Double, Double, Double)] = [
        (33, 102, 172), (103, 169, 207), (209, 229, 240), (247, 247, 247), (253, 219, 199), (239, 138, 98), (178, 24, 43),
    ]

    /// The colour of `value` on a scale from −`limit` (blue) through 0 (white) to +`limit` (red).
    static func divergingColor(_ value: Double, limit: Double) -> (UInt8, UInt8, UInt8) {
        let t = limit > 0 ? min(max((value / limit + 1) / 2, 0), 1) : 0.5
        let position = t * Double(diverging.count - 1)
        let index = min(Int(position), diverging.count - 2), f = position - Double(index)
        let (a, b) = (diverging[index], diverging[index + 1])
        func channel(_ x: Double, _ y: Double) -> UInt8 { UInt8((x + (y - x) * f).rounded()) }
        return (channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
    }

    /// `values` as an image `columns` wide on the diverging scale up to ±`limit`.
    static func weightImage(_ values: [Float], rows: Int, columns: Int, limit: Double) -> PNGImage {
        var rgb: [UInt8] = []
        rgb.reserveCapacity(values.count * 3)
        for value in values {
            let (r, g, b) = divergingColor(Double(value), limit: limit)
            rgb += [r, g, b]
        }
        return PNGImage(width: columns, height: rows, rgb: rgb)
    }

    /// A test image in grey, ink dark on white as on paper.
    static func inkImage(_ pixels: [UInt8], rows: Int, columns: Int) -> PNGImage {
        PNGImage(width: columns, height: rows, rgb: pixels.flatMap { [255 - $0, 255 - $0, 255 - $0] })
    }

    // MARK: - Weights

    /// `weights.svg`: the single neuron's weights as one image with a colour bar, and each hidden
    /// network's first units as small images; `nil` without any insight.
    static func weights(_ models: [(run: RunMetrics, insight: ModelInsight)]) -> SVGDocument? {
        guard !models.isEmpty else { return nil }
        let big = 8.0, small = 3.0, margin = 16.0
        var panels: [SVGDocument] = []
        for (run, insight) in models {
            let side = (Double(insight.columns), Double(insight.rows))
            if insight.unitWeights.count == 1, run.layerWidths.count == 2 {
                let weights = insight.unitWeights[0]
                let limit = colourLimit(weights)
                let title = "\(RunStyle.label(run)) — its \(weights.count) weights"
                let subtitle = "one per pixel; colours end at the 99th percentile of |w|"
                // 13 px text: at 390 px the panel is drawn at about 3/4 size, and its labels stay above 9 px.
                let width = max(margin * 2 + side.0 * big + 24 + 18 + 8 + 184, margin * 2 + SVGDocument.textWidth(title, size: 15),
                                margin * 2 + SVGDocument.textWidth(subtitle, size: 13), 360)
                let height = 58 + side.1 * big + 44
                var svg = SVGDocument(width: width, height: height, title: "The single neuron's weights")
                svg.text(title, x: margin, y: 24, size: 15, weight: "bold")
                svg.text(subtitle, x: margin, y: 44, size: 13, fill: "#555555")
                svg.image(weightImage(weights, rows: insight.rows, columns: insight.columns, limit: limit).dataURI,
                          x: margin, y: 58, width: side.0 * big, height: side.1 * big)
                svg.rect(x: margin, y: 58, width: side.0 * big, height: side.1 * big, fill: "none", stroke: "#777777")
                colorBar(into: &svg, x: margin + side.0 * big + 24, top: 58, height: side.1 * big, limit: limit)
                panels.append(svg)
            } else {
                let units = insight.unitWeights
                let perRow = 4, cell = side.0 * small + 14
                let rowsOfUnits = (units.count + perRow - 1) / perRow
                let width = max(margin * 2 + Double(perRow) * cell, margin * 2 + SVGDocument.textWidth(RunStyle.label(run), size: 15), 360)
                let height = 64 + Double(rowsOfUnits) * (side.1 * small + 30) + 10
                var svg = SVGDocument(width: width, height: height, title: "Hidden units' weights")
                svg.text(RunStyle.label(run), x: margin, y: 24, size: 15, weight: "bold")
                svg.text("first \(units.count) of \(insight.firstLayerUnits) hidden units: the weights into each",
                         x: margin, y: 44, size: 13, fill: "#555555")
                for (index, weights) in units.enumerated() {
                    let limit = colourLimit(weights)
                    let x = margin + Double(index % perRow) * cell, y = 58 + Double(index / perRow) * (side.1 * small + 30)
                    svg.image(weightImage(weights, rows: insight.rows, columns: insight.columns, limit: limit).dataURI,
                              x: x, y: y, width: side.0 * small, height: side.1 * small)
                    svg.rect(x: x, y: y, width: side.0 * small, height: side.1 * small, fill: "none", stroke: "#777777")
                    svg.text("unit \(index + 1), ±" + String(format: "%.2g", limit), x: x, y: y + side.1 * small + 16, size: 12)
                }
                panels.append(svg)
            }
        }
        return stacked(panels, title: "The first layer's weights as images", cssClass: "pictures")
    }

    /// Where the colour scale of `weights` ends: the 99th percentile of their magnitudes, so a few
    /// extreme weights do not wash out the rest (larger ones take the end colour).
    static func colourLimit(_ weights: [Float]) -> Double {
        let magnitudes = weights.map { abs(Double($0)) }.sorted()
        guard let largest = magnitudes.last, largest > 0 else { return 1 }
        let percentile = magnitudes[min(magnitudes.count - 1, Int(Double(magnitudes.count) * 0.99))]
        return percentile > 0 ? percentile : largest
    }

    /// A vertical colour bar from −`limit` to +`limit` with 0 named.
    private static func colorBar(into svg: inout SVGDocument, x: Double, top: Double, height: Double, limit: Double) {
        let steps = 60, width = 18.0
        for step in 0..<steps {
            let value = limit * (1 - 2 * (Double(step) + 0.5) / Double(steps))
            let (r, g, b) = divergingColor(value, limit: limit)
            svg.rect(x: x, y: top + Double(step) * height / Double(steps), width: width, height: height / Double(steps) + 0.5,
                     fill: String(format: "#%02X%02X%02X", r, g, b))
        }
        svg.rect(x: x, y: top, width: width, height: height, fill: "none", stroke: "#444444")
        for (value, label) in [(limit, "≥ +" + String(format: "%.2g", limit) + ": towards \"yes\""), (0, "0: no effect"),
                               (-limit, "≤ −" + String(format: "%.2g", limit) + ": towards \"no\"")] {
            let y = top + (1 - (value / limit + 1) / 2) * height
            svg.line(x1: x + width, y1: y, x2: x + width + 5, y2: y, stroke: "#444444")
            svg.text(label, x: x + width + 8, y: y + 4, size: 13)
        }
    }

    // MARK: - Mistakes

    /// `mistakes.svg`: for each model with an insight, its most confident mistakes: for a
    /// multiclass model those of the most confused pairs (as the discussion names them), for a
    /// detector its false alarms and its misses; `nil` without any.
    static func mistakes(_ models: [(run: RunMetrics, insight: ModelInsight)], names: (RunMetrics) -> [String]) -> SVGDocument? {
        var panels: [SVGDocument] = []
        for (run, insight) in models where !insight.mistakes.isEmpty {
            let classNames = names(run)
            func name(_ index: Int) -> String { index >= 0 && index < classNames.count ? classNames[index] : String(index) }
            var groups: [(title: String, mistakes: [ModelInsight.Mistake])] = []
            if run.isBinary {
                let target = RunStyle.digitName(run)
                let alarms = insight.mistakes.filter { $0.predicted >= 0 }.prefix(4)
                let misses = insight.mistakes.filter { $0.predicted < 0 }.prefix(4)
                if !alarms.isEmpty { groups.append(("false alarms: not \(RunStyle.article(target)) \(target), answered \"yes\"", Array(alarms))) }
                if !misses.isEmpty { groups.append(("missed \(RunStyle.plural(target)): answered \"no\"", Array(misses))) }
            } else if let matrix = run.last.confusion {
                for pair in ConfusedPair.mostConfused(matrix).joined().prefix(3) {
                    let shown = insight.mistakes.filter { $0.trueClass == pair.trueClass && $0.predicted == pair.predicted }.prefix(4)
                    if !shown.isEmpty {
                        groups.append(("\(name(pair.trueClass)) read as \(name(pair.predicted)) (\(pair.count) times)", Array(shown)))
                    }
                }
            }
            if groups.isEmpty { groups.append(("most confident mistakes", Array(insight.mistakes.prefix(4)))) }
            panels.append(mistakePanel(run, insight: insight, groups: groups, name: name))
        }
        return panels.isEmpty ? nil : stacked(panels, title: "The most confident mistakes on the test images", cssClass: "pictures")
    }

    private static func mistakePanel(_ run: RunMetrics, insight: ModelInsight,
                                     groups: [(title: String, mistakes: [ModelInsight.Mistake])],
                                     name: (Int) -> String) -> SVGDocument {
        let scale = 2.5, margin = 16.0
        let side = (Double(insight.columns) * scale, Double(insight.rows) * scale)
        // Wide enough for the longest class name under a picture, up to 4 × 107 (readable on a phone).
        let answers = groups.flatMap(\.mistakes).map { run.isBinary ? ($0.predicted >= 0 ? "yes" : "no") : name($0.predicted) }
        let longest = (groups.flatMap(\.mistakes).map { name($0.trueClass) } + answers.map { "→ " + $0 })
            .map { SVGDocument.textWidth($0, size: 12) }.max() ?? 0
        let cell = min(max(side.0, 84, longest + 6), 95) + 12, groupHeight = 24 + side.1 + 56
        let width = max(margin * 2 + 4 * cell, margin * 2 + SVGDocument.textWidth(RunStyle.label(run), size: 15), 360)
        let height = 34 + Double(groups.count) * groupHeight
        var svg = SVGDocument(width: width, height: height, title: "Most confident mistakes")
        svg.text(RunStyle.label(run), x: margin, y: 24, size: 15, weight: "bold")
        for (row, group) in groups.enumerated() {
            let top = 34 + Double(row) * groupHeight
            svg.text(group.title, x: margin, y: top + 16, size: 13, fill: "#333333")
            for (column, mistake) in group.mistakes.enumerated() {
                let x = margin + Double(column) * cell, y = top + 24
                svg.image(inkImage(mistake.pixels, rows: insight.rows, columns: insight.columns).dataURI,
                          x: x, y: y, width: side.0, height: side.1)
                svg.rect(x: x, y: y, width: side.0, height: side.1, fill: "none", stroke: "#999999")
                let said = run.isBinary ? (mistake.predicted >= 0 ? "yes" : "no") : name(mistake.predicted)
                let probability = mistake.probability >= 0.9995 ? "> 0.999" : String(format: "= %.3f", mistake.probability)
                svg.text(Self.fitted(name(mistake.trueClass), width: cell - 6, size: 12), x: x, y: y + side.1 + 15, size: 12)
                svg.text(Self.fitted("→ " + said, width: cell - 6, size: 12), x: x, y: y + side.1 + 30, size: 12, fill: "#B2182B")
                svg.text("p " + probability, x: x, y: y + side.1 + 45, size: 12, fill: "#B2182B")
            }
        }
        return svg
    }

    /// `text` cut with "…" to about `width` pixels at font size `size`.
    static func fitted(_ text: String, width: Double, size: Double) -> String {
        let characters = max(3, Int(width / (size * 0.58)))
        return text.count <= characters ? text : String(text.prefix(characters - 1)) + "…"
    }

    // MARK: - Layout

    /// `panels` one under another in one drawing, of the page's class `cssClass` (`chart` for
    /// charts laid out for the phone's larger font, `pictures` for drawings shown at their size).
    static func stacked(_ panels: [SVGDocument], title: String, cssClass: String = "chart") -> SVGDocument {
        var svg = SVGDocument(width: panels.map(\.width).max() ?? 100, height: panels.map(\.height).reduce(0, +), title: title)
        svg.cssClass = cssClass
        var top = 0.0
        for panel in panels {
            svg.place(panel, x: 0, y: top)
            top += panel.height
        }
        svg.panels = panels.map { panel in
            var panel = panel
            panel.cssClass = cssClass
            return panel
        }
        return svg
    }
}
