import Foundation

/// A table of text cells, rendered to Markdown or HTML.
struct ReportTable {
    /// Column headings.
    var headers: [String]
    /// Rows of cells, each as long as `headers`.
    var rows: [[String]]
    /// Which columns hold numbers (right-aligned).
    var numericColumns: Set<Int> = []
    /// Which columns hold sentences (kept wide enough to read on a phone; the table scrolls instead).
    var proseColumns: Set<Int> = []

    /// GitHub-flavoured Markdown table.
    var markdown: String {
        func row(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        let rule = "|" + headers.indices.map { numericColumns.contains($0) ? "---:" : ":---" }
            .joined(separator: "|") + "|"
        return ([row(headers), rule] + rows.map(row)).joined(separator: "\n")
    }

    /// HTML `<table>` element; each cell carries its column's heading (`data-label`), which a
    /// phone shows beside the value when the rows reflow into cards.
    var html: String {
        func cells(_ values: [String], tag: String) -> String {
            values.enumerated().map { index, value in
                let style = numericColumns.contains(index) ? " class=\"num\""
                    : proseColumns.contains(index) ? " class=\"prose\"" : ""
                let label = tag == "td" && index < headers.count ? " data-label=\"\(SVGDocument.escape(headers[index]))\"" : ""
                return "<\(tag)\(style)\(label)>\(SVGDocument.escape(value))</\(tag)>"
            }.joined()
        }
        let body = rows.map { "<tr>" + cells($0, tag: "td") + "</tr>" }.joined(separator: "\n")
        return "<div class=\"scroll table\"><table>\n<thead><tr>\(cells(headers, tag: "th"))</tr></thead>\n<tbody>\n\(body)\n</tbody>\n</table></div>"
    }
}

/// The report as a list of blocks, written once and rendered as Markdown (figures linked as files)
/// and as one self-contained HTML page (figures inlined as SVG markup).
struct ReportDocument {
    /// One piece of the report.
    enum Block {
        /// A heading of level 1…3.
        case heading(Int, String)
        /// A paragraph of plain text.
        case paragraph(String)
        /// A table.
        case table(ReportTable)
        /// Formulas with their captions.
        case formulas([Formula])
        /// A figure: its file name, caption, and SVG markup.
        case figure(file: String, caption: String, svg: String)
        /// The student's own text, as written (Markdown): verbatim in report.md, as paragraphs in HTML.
        case notes(String)
    }

    /// The page title.
    var title: String
    /// The header's lines under the title (author, date), in order.
    var byline: [String] = []
    /// The blocks in reading order.
    var blocks: [Block] = []

    /// `text` with the characters that start HTML (`&`, `<`, `>`) as entities, so text read from
    /// metrics files (model names, class names, titles) shows as written and never becomes markup
    /// when report.md is rendered.
    static func markdownText(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// The report as Markdown, formulas in `$$…$$`; every text but the formulas and the user's own
    /// notes is escaped (`markdownText`).
    var markdown: String {
        var parts = ["# \(Self.markdownText(title))"]
        if !byline.isEmpty { parts.append(byline.map(Self.markdownText).joined(separator: "  \n")) }
        for block in blocks {
            switch block {
            case let .heading(level, text): parts.append(String(repeating: "#", count: level) + " " + Self.markdownText(text))
            case let .paragraph(text): parts.append(Self.markdownText(text))
            case var .table(table):
                table.headers = table.headers.map(Self.markdownText)
                table.rows = table.rows.map { $0.map(Self.markdownText) }
                parts.append(table.markdown)
            case let .formulas(formulas):
                for formula in formulas { parts.append("\(Self.markdownText(formula.caption))\n\n$$\n\(formula.tex)\n$$") }
            case let .figure(file, caption, _):
                let text = Self.markdownText(caption)
                parts.append("![\(text)](\(file))\n\n*\(text)*")
            case let .notes(text): parts.append(text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        return parts.joined(separator: "\n\n") + "\n"
    }

    /// The report as one HTML page with no external resources.
    var html: String {
        var parts: [String] = []
        for block in blocks {
            switch block {
            case let .heading(level, text):
                parts.append("<h\(level)>\(SVGDocument.escape(text))</h\(level)>")
            case let .paragraph(text): parts.append("<p>\(SVGDocument.escape(text))</p>")
            case let .table(table): parts.append(table.html)
            case let .formulas(formulas):
                for formula in formulas {
                    parts.append("<div class=\"formula\"><p>\(SVGDocument.escape(formula.caption))</p>\n"
                                 + formula.mathMLLines.map { "<div class=\"scroll\">\($0)</div>" }.joined() + "</div>")
                }
            case let .figure(file, caption, svg):
                let hint = svg.contains("class=\"wide\"") && !svg.contains("class=\"layout-narrow\"") ? "<p class=\"hint\">Wider than the screen: swipe sideways to see all of it.</p>\n" : ""
                parts.append("<figure id=\"\(SVGDocument.escape(file))\">\n\(hint)<div class=\"scroll\">\n\(svg)</div>"
                             + "<figcaption>\(SVGDocument.escape(caption))</figcaption>\n</figure>")
            case let .notes(text):
                let paragraphs = text.components(separatedBy: "\n\n")
                    .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
                parts.append("<div class=\"notes\">" + paragraphs.map { "<p>\(SVGDocument.escape($0))</p>" }.joined(separator: "\n")
                             + "</div>")
            }
        }
        let header = "<header>\n<h1>\(SVGDocument.escape(title))</h1>\n"
            + byline.map { "<p class=\"byline\">\(SVGDocument.escape($0))</p>\n" }.joined() + "</header>"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(SVGDocument.escape(title))</title>
            <style>
            body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 1100px; margin: 2em auto;
                   padding: 0 1em; color: #222; line-height: 1.45; overflow-wrap: break-word; }
            header { border-bottom: 2px solid #222; margin-bottom: 1.5em; }
            .byline { margin: 0.2em 0; color: #444; }
            .scroll { overflow-x: auto; max-width: 100%; }
            table { border-collapse: collapse; margin: 1em 0; }
            th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: left; }
            th { background: #f2f2f2; }
            td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
            td.num { white-space: nowrap; }
            td.prose { min-width: 16em; }
            .formula p { margin: 0.8em 0 0.2em; }
            math[display="block"] { font-size: 1.15em; margin: 0.3em 0 0.5em 1em; }
            figure { margin: 1.5em 0; }
            figure svg { max-width: 100%; height: auto; }
            figure svg.chart { width: 620px; }
            figure svg.pictures { width: auto; }
            .panels { display: flex; flex-wrap: wrap; gap: 0.5em 2em; align-items: flex-start; }
            .panels svg.chart { width: 500px; }
            figcaption { color: #555; font-style: italic; }
            .hint { display: none; }
            .layout-narrow { display: none; }
            .notes { border-left: 4px solid #0072B2; padding-left: 1em; }
            @media (max-width: 600px) {
              body { margin: 1em auto; padding: 0 0.7em; }
              h1 { font-size: 1.5em; }
              figure svg.chart text { font-size: 19px; }   /* LineChart.narrowFont: the layout leaves room */
              figure svg.wide { max-width: none; }         /* natural size, scrolled: labels stay readable */
              .layout-wide { display: none; }              /* drawings with a phone layout show that instead */
              .layout-narrow { display: block; }
              .layout-narrow svg { width: 100%; }
              .hint { display: block; font-size: 0.85em; color: #0072B2; margin: 0 0 0.3em; }
              .hint::before { content: "↔ "; }
              math[display="block"] { font-size: 1em; margin-left: 0; }
              /* Tables reflow: one card per row, each value under its column's heading. */
              .table table, .table tbody, .table tr, .table td { display: block; width: auto; }
              .table thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
              .table tr { border: 1px solid #ccc; margin: 0 0 0.8em; }
              .table td { border: none; border-bottom: 1px solid #eee; text-align: right; min-width: 0; white-space: normal; }
              .table td:first-child { background: #f2f2f2; font-weight: bold; text-align: left; }
              .table td::before { content: attr(data-label); float: left; margin-right: 1em; color: #555;
                                  font-weight: normal; text-align: left; }
              .table td:first-child::before { content: none; }
              .table td.prose { text-align: left; }
              .table td.prose::before { float: none; display: block; }
            }
            @page { size: A4; margin: 14mm 14mm 16mm; }
            @media print {
              body { max-width: none; margin: 0; padding: 0; font-size: 9.5pt; line-height: 1.35; }
              header { margin-bottom: 0.8em; }
              h2 { margin: 1em 0 0.4em; }
              h1, h2, h3, .formula p, .hint { break-after: avoid; page-break-after: avoid; }
              figure, table, .formula, tr, figcaption, .panels svg { break-inside: avoid; page-break-inside: avoid; }
              /* A figure of several panels may break between them; its caption stays with the last. */
              figure:has(.panels) { break-inside: auto; page-break-inside: auto; }
              figcaption { break-before: avoid; page-break-before: avoid; }
              figure { margin: 0.8em 0; }
              .scroll { overflow: visible; }
              /* At most 95 mm of drawing per figure, so two figures with their captions share a page and a
                 figure pushed to the next page leaves at most about a third of this one empty. */
              figure svg, figure svg.chart, figure svg.wide { width: auto; max-width: 100%; max-height: 95mm; min-width: 0; }
              .panels { gap: 0.3em 4%; }
              .panels svg.chart, .panels svg.pictures { width: 48%; max-height: 95mm; }
              .panels svg.diagram { width: 100%; max-height: 85mm; }
              th, td { padding: 0.15em 0.4em; }
              .hint, .layout-narrow { display: none; }
              .layout-wide { display: block; }
            }
            </style>
            </head>
            <body>
            \(header)
            \(parts.joined(separator: "\n"))
            </body>
            </html>

            """
    }
}
