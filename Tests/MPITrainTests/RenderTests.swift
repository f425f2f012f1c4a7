import Foundation
import Testing
@testable import LabReport

/// The path of `rsvg-convert` (Debian librsvg2-bin), or `nil` when it is not installed.
private let rsvgConvert: String? = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert", "/opt/homebrew/bin/rsvg-convert"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

@Test("figures render to non-trivial PNGs with rsvg-convert",
      .enabled(if: rsvgConvert != nil, "rsvg-convert is not installed (apt-get install librsvg2-bin)"))
func figuresRenderToPNG() throws {
    let directory = try SyntheticMetrics.temporaryDirectory("render")
    let runs = RunMetrics.runs(from: SyntheticMetrics.mainRuns(epochs: 30))
    let figures = ReportWriter.figures(ReportSelection(runs))
    #expect(figures.count == 6)
    defer { try? FileManager.default.removeItem(at: directory) }
    for figure in figures {
        let svgURL = directory.appendingPathComponent(figure.file)
        let pngURL = svgURL.deletingPathExtension().appendingPathExtension("png")
        try Data(figure.svg.markup.utf8).write(to: svgURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: rsvgConvert!)
        process.arguments = ["--format=png", "--output", pngURL.path, svgURL.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(figure.file)")
        let png = try Data(contentsOf: pngURL)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(figure.file) is not a PNG")
        #expect(png.count > 10_000, "\(figure.file): only \(png.count) bytes")
        // The IHDR chunk holds the width in bytes 16…19: it matches the SVG's width.
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == Int(figure.svg.width.rounded(.up)), "\(figure.file)")
    }
}

/// The path of Debian's `chromium`, or `nil` when it is not installed (CI installs it in .ci/run; scripts/setup
/// does not: it is large).
private let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

/// The path of poppler's `pdftotext` (Debian poppler-utils), or `nil`.
private let pdftotext: String? = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

/// What a page measured about itself in headless Chromium, at a viewport `width` pixels wide.
private struct PageMeasurement: Decodable {
    /// `document.documentElement.scrollWidth` and `clientWidth`: equal when nothing overflows the page.
    let scrollWidth: Int, clientWidth: Int, viewport: Int
    /// `<math>` elements, those that rendered with no width (MathML not understood), and those wider than their box.
    let maths: Int, emptyMaths: Int, cutMaths: [String]
    /// Each table's box: its content width against its own width (reflowed tables need no scrolling).
    let tables: [Box]
    /// Each figure: its drawing's width against the box's, whether the swipe hint shows, and the
    /// smallest text it renders, in CSS pixels.
    let figures: [Figure]

    struct Box: Decodable { let scrollWidth: Int, clientWidth: Int }
    struct Figure: Decodable { let id: String, drawn: Double, box: Double, hint: Bool, smallestText: Double }
}

/// Loads a copy of `report` (with a measuring script added: the report itself has none) in an iframe
/// `width` pixels wide (headless Chromium's window is at least 500 wide), and returns what it measured.
private func measure(_ report: URL, width: Int) throws -> PageMeasurement {
    let folder = report.deletingLastPathComponent()
    let probe = """
        <script>window.addEventListener('load', () => {
          const page = document.documentElement, maths = [...document.querySelectorAll('math')];
          const visible = e => !!e && getComputedStyle(e).display !== 'none';
          const figures = [...document.querySelectorAll('figure')].map(f => {
            // Only the drawings shown: a figure with a phone layout holds both, one hidden.
            const svgs = [...f.querySelectorAll('svg')].filter(svg => svg.getBoundingClientRect().width > 0),
                  box = f.querySelector('.scroll');
            const sizes = svgs.flatMap(svg => {
              const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
              return [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
            });
            return {id: f.id, drawn: Math.max(...svgs.map(svg => svg.getBoundingClientRect().width)), box: box.clientWidth,
                    hint: visible(f.querySelector('.hint')), smallestText: Math.min(...sizes)};
          });
          parent.postMessage(JSON.stringify({scrollWidth: page.scrollWidth, clientWidth: page.clientWidth,
            viewport: window.innerWidth, maths: maths.length,
            emptyMaths: maths.filter(m => m.getBoundingClientRect().width === 0).length,
            cutMaths: maths.filter(m => m.getBoundingClientRect().width > m.parentElement.clientWidth + 1).map(m => m.textContent.slice(0, 40)),
            tables: [...document.querySelectorAll('.table')].map(t => ({scrollWidth: t.scrollWidth, clientWidth: t.clientWidth})),
            figures}), '*');
        });</script>
        """
    let html = try String(contentsOf: report, encoding: .utf8).replacingOccurrences(of: "</body>", with: probe + "</body>")
    try html.write(to: folder.appendingPathComponent("probe.html"), atomically: true, encoding: .utf8)
    let frame = """
        <!DOCTYPE html><html><body style="margin:0"><iframe src="probe.html" style="width:\(width)px;height:900px;border:0"></iframe>
        <pre id="result"></pre><script>addEventListener('message', e => { document.getElementById('result').textContent = e.data; });</script>
        </body></html>
        """
    let frameURL = folder.appendingPathComponent("frame\(width).html")
    try frame.write(to: frameURL, atomically: true, encoding: .utf8)
    let result = try run(URL(fileURLWithPath: chromium!),
                         ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                          "--user-data-dir=\(folder.appendingPathComponent("chromium-\(width)").path)",
                          "--virtual-time-budget=5000", "--dump-dom", frameURL.absoluteString], timeout: 90)
    let start = try #require(result.stdout.range(of: "<pre id=\"result\">"), "no result in \(result.stdout.suffix(500))")
    let end = try #require(result.stdout.range(of: "</pre>", range: start.upperBound..<result.stdout.endIndex))
    let json = String(result.stdout[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
        .replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
    return try JSONDecoder().decode(PageMeasurement.self, from: Data(json.utf8))
}

/// A report of the three models, the all-digits set and an ablation, with validation curves and
/// long class names: every kind of table and figure the report has except the ones drawn from weights.
private func fullReport(in directory: URL) throws -> [RunMetrics] {
    var lines = SyntheticMetrics.mainRuns(epochs: 30)
    for index in lines.indices {
        lines[index].validationLoss = lines[index].testLoss * 1.02
        lines[index].validationAccuracy = lines[index].testAccuracy - 0.001
        lines[index].validation = 5000
    }
    var runs = RunMetrics.runs(from: lines + SyntheticMetrics.digitRuns())
    for (activation, hidden, rate) in [("sigmoid", 128, 0.5), ("tanh", 128, 0.5), ("relu", 128, 0.5), ("relu", 128, 0.1),
                                       ("relu", 32, 0.5), ("relu", 64, 0.5)] {
        let ablation = SyntheticMetrics.run(model: "multiclass", digit: nil, hidden: hidden, activation: activation, epochs: 5,
                                            startLoss: 0.7, finalAccuracy: activation == "sigmoid" ? 0.95 : 0.97 - 2 / Double(hidden))
            .map { line in var line = line; line.learningRate = rate; return line }
        runs += RunMetrics.runs(from: ablation, source: "ablation-\(activation)-h\(hidden)-lr\(rate).jsonl")
    }
    try ReportWriter.write(runs: runs, to: directory, header: ReportHeader(author: "A Student With A Long Name", date: "2026-11-30"))
    return runs
}

@Test("the HTML report fits 1280 and 390 px wide pages in headless Chromium: tables reflow, figures fit or scroll with a hint, text stays readable, MathML renders and fits",
      .enabled(if: chromium != nil, "chromium is not installed (apt-get install chromium)"))
func htmlFitsDesktopAndPhoneWidths() throws {
    let directory = try SyntheticMetrics.temporaryDirectory("chromium")
    defer { try? FileManager.default.removeItem(at: directory) }
    let runs = try fullReport(in: directory)
    let html = try String(contentsOf: directory.appendingPathComponent("report.html"), encoding: .utf8)
    let mathElements = html.components(separatedBy: "<math ").count - 1
    for width in [1280, 390] {
        let page = try measure(directory.appendingPathComponent("report.html"), width: width)
        #expect(page.viewport == width)
        #expect(page.scrollWidth <= page.clientWidth, "at \(width) px the page is \(page.scrollWidth) px wide")
        #expect(page.maths == mathElements && page.maths == ReportMath(runs).formulas.map(\.mathMLLines.count).reduce(0, +))
        #expect(page.emptyMaths == 0)
        #expect(page.cutMaths.isEmpty, "at \(width) px formulas wider than their box: \(page.cutMaths)")
        #expect(page.tables.count == html.components(separatedBy: "<table>").count - 1 && page.tables.count >= 5)
        for (index, table) in page.tables.enumerated() {
            #expect(table.scrollWidth <= table.clientWidth + 1, "at \(width) px table \(index + 1) needs scrolling: \(table)")
        }
        #expect(page.figures.count == html.components(separatedBy: "<figure ").count - 1 && page.figures.count >= 6)
        // The architecture and the 10-class confusion matrix have a layout for each width: they never need scrolling.
        for id in ["architecture.svg", "confusion.svg"] {
            let figure = try #require(page.figures.first { $0.id == id })
            #expect(figure.drawn <= figure.box + 1 && !figure.hint, "at \(width) px: \(figure)")
        }
        for figure in page.figures {
            #expect(figure.drawn <= figure.box + 1 || figure.hint, "at \(width) px \(figure.id) overflows without a hint: \(figure)")
            #expect(figure.smallestText >= 9, "at \(width) px \(figure.id) renders text at \(figure.smallestText) px")
        }
    }
}

/// The path of poppler's `pdftoppm` (Debian poppler-utils), or `nil`.
private let pdftoppm: String? = ["/usr/bin/pdftoppm", "/usr/local/bin/pdftoppm"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

/// How far down each page of `pdf` its content reaches, as a fraction of the page's height: the
/// lowest row with ink in a 20 dpi greyscale rendering.
private func pageFill(_ pdf: URL) throws -> [Double] {
    let folder = pdf.deletingLastPathComponent().appendingPathComponent("pages")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let rendered = try run(URL(fileURLWithPath: pdftoppm!), ["-r", "20", "-gray", pdf.path, folder.appendingPathComponent("page").path],
                           timeout: 60)
    #expect(rendered.status == 0, "\(rendered.stderr)")
    return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".pgm") }.sorted().map { name in
        // Binary PGM: "P5", width, height, maximum, one whitespace byte, then a byte per pixel.
        let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
        var fields: [Int] = [], index = 2, field = ""
        while fields.count < 3 {
            let character = Character(UnicodeScalar(bytes[index]))
            if character.isWhitespace { if !field.isEmpty { fields.append(Int(field)!); field = "" } } else { field.append(character) }
            index += 1
        }
        let width: Int = fields[0], height: Int = fields[1], start: Int = index
        func inked(_ row: Int) -> Bool {
            let from: Int = start + row * width
            return bytes[from..<(from + width)].contains { (pixel: UInt8) in pixel < 235 }
        }
        let lastInked: Int = (0..<height).last(where: inked) ?? -1
        return Double(lastInked + 1) / Double(height)
    }
}

@Test("the printed report is A4, fills its pages and never leaves a caption alone at the top of a page",
      .enabled(if: chromium != nil && pdftotext != nil && pdftoppm != nil,
               "chromium or poppler-utils is not installed (apt-get install chromium poppler-utils)"))
func printedReportKeepsCaptionsWithFigures() throws {
    let directory = try SyntheticMetrics.temporaryDirectory("print")
    defer { try? FileManager.default.removeItem(at: directory) }
    _ = try fullReport(in: directory)
    let pdf = directory.appendingPathComponent("report.pdf")
    let printed = try run(URL(fileURLWithPath: chromium!),
                          ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)",
                           "--user-data-dir=\(directory.appendingPathComponent("chromium").path)",
                           directory.appendingPathComponent("report.html").absoluteString], timeout: 120)
    #expect(printed.status == 0, "\(printed.stderr)")
    let text = try run(URL(fileURLWithPath: pdftotext!), ["-layout", pdf.path, "-"]).stdout
    let pages = text.components(separatedBy: "\u{0C}").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    // A4 is 595 × 842 points.
    let bytes = try String(decoding: Data(contentsOf: pdf), as: UTF8.self)
    #expect(bytes.contains("/MediaBox [0 0 594.95996 841.91998]") || bytes.contains("/MediaBox [0 0 595"), "not A4")
    #expect((8...22).contains(pages.count), "\(pages.count) pages")
    let markdown = try String(contentsOf: directory.appendingPathComponent("report.md"), encoding: .utf8)
    let captions = markdown.split(separator: "\n").filter { $0.hasPrefix("*") && $0.hasSuffix("*") && $0.count > 40 }
        .map { String($0.dropFirst().prefix(30)) }
    #expect(captions.count >= 6)
    for (number, page) in pages.enumerated() {
        let lines = page.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let top = lines.first ?? ""
        #expect(!captions.contains { top.hasPrefix($0.prefix(20)) }, "page \(number + 1) starts with a caption: \(top)")
        if number < pages.count - 1 {
            #expect(lines.count >= 12, "page \(number + 1) is nearly empty: \(lines.count) lines")
        }
    }
    // Every page but the last is at least half full: no figure or table pushed on leaves a large gap.
    let fill = try pageFill(pdf)
    #expect(fill.count == pages.count)
    for (number, fraction) in fill.enumerated().dropLast() {
        #expect(fraction >= 0.5, "page \(number + 1) of \(fill.count) is filled only to \(Int(fraction * 100)) % of its height")
    }
}
