import Foundation

/// A table of text cells, rendered to Markdown or HTML.
struct ReportTable {
    /// Column headings.
    var headers: [String]
    /// Rows of cells, each as long as `headers`.
    var rows: [[String]]
    /// Which columns hold numbers (right-aligned).
    var numericColumns: Set<Int> = []

    /// GitHub-flavoured Markdown table.
    var markdown: String {
        func row(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        let rule = "|" + headers.indices.map { numericColumns.contains($0) ? "---:" : ":---" }
            .joined(separator: "|") + "|"
        return ([row(headers), rule] + rows.map(row)).joined(separator: "\n")
    }

    /// HTML `<table>` element.
    var html: String {
        func cells(_ values: [String], tag: String) -> String {
            values.enumerated().map { index, value in
                let style = numericColumns.contains(index) ? " class=\"num\"" : ""
                return "<\(tag)\(style)>\(SVGDocument.escape(value))</\(tag)>"
            }.joined()
        }
        let body = rows.map { "<tr>" + cells($0, tag: "td") + "</tr>" }.joined(separator: "\n")
        return "<table>\n<thead><tr>\(cells(headers, tag: "th"))</tr></thead>\n<tbody>\n\(body)\n</tbody>\n</table>"
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
    }

    /// The page title.
    var title: String
    /// The blocks in reading order.
    var blocks: [Block] = []

    /// The report as Markdown, formulas in `$$…$$`.
    var markdown: String {
        var parts = ["# \(title)"]
        for block in blocks {
            switch block {
            case let .heading(level, text): parts.append(String(repeating: "#", count: level) + " " + text)
            case let .paragraph(text): parts.append(text)
            case let .table(table): parts.append(table.markdown)
            case let .formulas(formulas):
                for formula in formulas { parts.append("\(formula.caption)\n\n$$\n\(formula.tex)\n$$") }
            case let .figure(file, caption, _): parts.append("![\(caption)](\(file))\n\n*\(caption)*")
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
                    parts.append("<p>\(SVGDocument.escape(formula.caption))</p>\n<div class=\"formula\">\(formula.html)</div>")
                }
            case let .figure(file, caption, svg):
                parts.append("<figure id=\"\(SVGDocument.escape(file))\">\n\(svg)<figcaption>\(SVGDocument.escape(caption))</figcaption>\n</figure>")
            }
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(SVGDocument.escape(title))</title>
            <style>
            body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 1100px; margin: 2em auto;
                   padding: 0 1em; color: #222; line-height: 1.45; }
            table { border-collapse: collapse; margin: 1em 0; }
            th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: left; }
            th { background: #f2f2f2; }
            td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
            .formula { font-family: "DejaVu Serif", Georgia, serif; font-size: 1.2em; margin: 0.4em 0 1em 2em; }
            figure { margin: 1.5em 0; }
            figure svg { max-width: 100%; height: auto; }
            figcaption { color: #555; font-style: italic; }
            </style>
            </head>
            <body>
            <h1>\(SVGDocument.escape(title))</h1>
            \(parts.joined(separator: "\n"))
            </body>
            </html>

            """
    }
}
