import Foundation

/// A tiny builder for standalone SVG documents: elements are appended as escaped markup.
///
/// Coordinates are user units (pixels at 100 %); numbers are written with at most two decimals.
struct SVGDocument {
    /// Width of the drawing in pixels.
    let width: Double
    /// Height of the drawing in pixels.
    let height: Double
    /// A short description for screen readers and the `<title>` element.
    let title: String
    /// The `class` of the `<svg>` element, for the HTML page's style sheet (`chart`, `pictures`, `diagram` or `wide`).
    var cssClass = ""
    /// The drawings this one stacks, when it is a stack: the HTML page shows them side by side
    /// where there is room, one under another on a phone.
    var panels: [SVGDocument] = []
    /// The markup of the same drawing laid out for narrow screens, when it has one: the HTML page shows
    /// it instead of this one below 600 px (and never in print); the SVG file holds this one.
    var narrowMarkup: String?
    private var body: [String] = []

    /// The font stack used for every text element.
    static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"

    /// Starts an empty drawing of `width` × `height` pixels.
    init(width: Double, height: Double, title: String) {
        self.width = width
        self.height = height
        self.title = title
    }

    // MARK: - Escaping and number formatting

    /// Escapes `&`, `<`, `>`, `"` and `'` so `text` is safe in character data and attribute values.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Formats a coordinate with at most two decimals and without a trailing `.0`.
    static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.2f", rounded)
            .replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
    }

    // MARK: - Elements

    /// Appends an element `<name attributes…/>` or, with `content`, `<name …>content</name>`;
    /// attributes with an empty value are left out, values and `content` are escaped.
    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String>, content: String? = nil) {
        var tag = "<" + name
        for (key, value) in attributes where !value.isEmpty { tag += " \(key)=\"\(Self.escape(value))\"" }
        if let content {
            body.append(tag + ">" + Self.escape(content) + "</\(name)>")
        } else {
            body.append(tag + "/>")
        }
    }

    /// Opens a group `<g …>`; close it with `endGroup()`.
    mutating func beginGroup(_ attributes: KeyValuePairs<String, String> = [:]) {
        var tag = "<g"
        for (key, value) in attributes where !value.isEmpty { tag += " \(key)=\"\(Self.escape(value))\"" }
        body.append(tag + ">")
    }

    /// Closes the group opened last.
    mutating func endGroup() {
        body.append("</g>")
    }

    /// A straight line from (`x1`, `y1`) to (`x2`, `y2`).
    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String,
                       width: Double = 1, dash: String? = nil) {
        element("line", ["x1": Self.number(x1), "y1": Self.number(y1), "x2": Self.number(x2),
                         "y2": Self.number(y2), "stroke": stroke, "stroke-width": Self.number(width),
                         "stroke-dasharray": dash ?? ""])
    }

    /// A rectangle with its top-left corner at (`x`, `y`).
    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String,
                       stroke: String = "none", radius: Double = 0) {
        element("rect", ["x": Self.number(x), "y": Self.number(y), "width": Self.number(width),
                         "height": Self.number(height), "rx": Self.number(radius), "fill": fill,
                         "stroke": stroke])
    }

    /// A circle centred on (`cx`, `cy`).
    mutating func circle(cx: Double, cy: Double, radius: Double, fill: String, stroke: String = "none",
                         strokeWidth: Double = 1) {
        element("circle", ["cx": Self.number(cx), "cy": Self.number(cy), "r": Self.number(radius),
                           "fill": fill, "stroke": stroke, "stroke-width": Self.number(strokeWidth)])
    }

    /// A raster image (a `data:` URI) stretched over the rectangle at (`x`, `y`), its pixels kept sharp.
    mutating func image(_ uri: String, x: Double, y: Double, width: Double, height: Double) {
        element("image", ["href": uri, "x": Self.number(x), "y": Self.number(y), "width": Self.number(width),
                          "height": Self.number(height), "preserveAspectRatio": "none",
                          "style": "image-rendering:pixelated;image-rendering:crisp-edges"])
    }

    /// An open polyline through `points`; `seriesName` is recorded in `data-series` for tests and tools.
    mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double = 2,
                           dash: String? = nil, seriesName: String) {
        let list = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
        element("polyline", ["class": "series", "data-series": seriesName, "points": list, "fill": "none",
                             "stroke": stroke, "stroke-width": Self.number(width),
                             "stroke-dasharray": dash ?? "", "stroke-linejoin": "round"])
    }

    /// The shape drawn at a data point, so curves stay apart in greyscale.
    enum Marker {
        case circle, square, triangle, diamond
        /// No marker: a plain line (an ideal or reference curve).
        case none
    }

    /// A `marker` of about `size` pixels centred on (`x`, `y`): filled with `color`, or white when `hollow`.
    mutating func marker(_ marker: Marker, x: Double, y: Double, size: Double = 7, color: String, hollow: Bool) {
        let fill = hollow ? "#ffffff" : color, r = size / 2
        switch marker {
        case .circle:
            circle(cx: x, cy: y, radius: r, fill: fill, stroke: color, strokeWidth: 1.5)
        case .square:
            element("rect", ["x": Self.number(x - r), "y": Self.number(y - r), "width": Self.number(size),
                             "height": Self.number(size), "fill": fill, "stroke": color, "stroke-width": "1.5"])
        case .triangle:
            polygon([(x, y - r * 1.2), (x + r * 1.1, y + r * 0.8), (x - r * 1.1, y + r * 0.8)], fill: fill, stroke: color)
        case .diamond:
            polygon([(x, y - r * 1.3), (x + r * 1.1, y), (x, y + r * 1.3), (x - r * 1.1, y)], fill: fill, stroke: color)
        case .none:
            break
        }
    }

    /// A closed polygon through `points`.
    mutating func polygon(_ points: [(Double, Double)], fill: String, stroke: String = "none") {
        let list = points.map { "\(Self.number($0.0)),\(Self.number($0.1))" }.joined(separator: " ")
        element("polygon", ["points": list, "fill": fill, "stroke": stroke, "stroke-width": stroke == "none" ? "" : "1.5"])
    }

    /// Draws `other` with its top-left corner at (`x`, `y`), as a group of its elements.
    mutating func place(_ other: SVGDocument, x: Double, y: Double) {
        body.append("<g transform=\"translate(\(Self.number(x)) \(Self.number(y)))\">")
        body += other.body
        body.append("</g>")
    }

    /// One line of text with subscripts: each part is plain, or a subscript set lower and smaller.
    mutating func text(parts: [(text: String, isSubscript: Bool)], x: Double, y: Double, size: Double = 12,
                       fill: String = "#222222") {
        var markup = "<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\" fill=\"\(fill)\">"
        var lowered = false
        for part in parts {
            let shift = part.isSubscript == lowered ? "" : " dy=\"\(Self.number(part.isSubscript ? size * 0.3 : -size * 0.3))\""
            let fontSize = part.isSubscript ? " font-size=\"\(Self.number(size * 0.75))\"" : ""
            markup += "<tspan\(shift)\(fontSize)>\(Self.escape(part.text))</tspan>"
            lowered = part.isSubscript
        }
        body.append(markup + "</text>")
    }

    /// Horizontal alignment of a text element relative to its anchor point.
    enum Anchor: String {
        case start, middle, end
    }

    /// A single line of text whose baseline starts, centres or ends at (`x`, `y`).
    /// `rotation` turns it (degrees, clockwise) about its anchor point.
    mutating func text(_ content: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start,
                       fill: String = "#222222", weight: String = "normal", rotation: Double = 0) {
        let position = "\(Self.number(x)),\(Self.number(y))"
        element("text", ["x": Self.number(x), "y": Self.number(y), "font-size": Self.number(size),
                         "text-anchor": anchor.rawValue, "fill": fill, "font-weight": weight,
                         "transform": rotation == 0 ? "" : "rotate(\(Self.number(rotation)) \(position))"],
                content: content)
    }

    /// An estimate of the width of `content` in pixels at font size `size` (DejaVu Sans averages ≈ 0.58 em).
    static func textWidth(_ content: String, size: Double) -> Double {
        Double(content.count) * size * 0.58
    }

    // MARK: - Output

    /// The markup for the HTML page: a stack's panels each as its own `<svg>` in a `div.panels`, a
    /// drawing with a narrow layout as both layouts (the style sheet shows one), anything else as `markup`.
    var pageMarkup: String {
        let wide = panels.count < 2 ? markup : "<div class=\"panels\">\n" + panels.map(\.markup).joined() + "</div>\n"
        guard let narrowMarkup else { return wide }
        return "<div class=\"layout-wide\">\n\(wide)</div>\n<div class=\"layout-narrow\">\n\(narrowMarkup)</div>\n"
    }

    /// The complete SVG markup, without an XML declaration so it can also be inlined in HTML.
    var markup: String {
        let header = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.number(width))" \
            height="\(Self.number(height))" viewBox="0 0 \(Self.number(width)) \(Self.number(height))" \
            font-family="\(Self.escape(Self.fontFamily))"\(cssClass.isEmpty ? "" : " class=\"\(cssClass)\"") role="img">
            """
        let background = "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
        return ([header, "<title>\(Self.escape(title))</title>", background] + body + ["</svg>"])
            .joined(separator: "\n") + "\n"
    }
}
