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
    #expect(figures.count == 5)
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

/// The path of Debian's `chromium`, or `nil` when it is not installed (scripts/setup does not install it: it is large).
private let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

/// What a page measured about itself in headless Chromium, at a viewport `width` pixels wide.
private struct PageMeasurement: Decodable {
    /// `document.documentElement.scrollWidth` and `clientWidth`: equal when nothing overflows the page.
    let scrollWidth: Int, clientWidth: Int, viewport: Int
    /// `<math>` elements, and those that rendered with no width (MathML not understood).
    let maths: Int, emptyMaths: Int
}

/// Loads a copy of `report` (with a measuring script added: the report itself has none) in an iframe
/// `width` pixels wide (headless Chromium's window is at least 500 wide), and returns what it measured.
private func measure(_ report: URL, width: Int) throws -> PageMeasurement {
    let folder = report.deletingLastPathComponent()
    let probe = """
        <script>window.addEventListener('load', () => {
          const page = document.documentElement, maths = [...document.querySelectorAll('math')];
          parent.postMessage(JSON.stringify({scrollWidth: page.scrollWidth, clientWidth: page.clientWidth,
            viewport: window.innerWidth, maths: maths.length,
            emptyMaths: maths.filter(m => m.getBoundingClientRect().width === 0).length}), '*');
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
                          "--virtual-time-budget=5000", "--dump-dom", frameURL.absoluteString], timeout: 90)
    let start = try #require(result.stdout.range(of: "<pre id=\"result\">"), "no result in \(result.stdout.suffix(500))")
    let end = try #require(result.stdout.range(of: "</pre>", range: start.upperBound..<result.stdout.endIndex))
    let json = String(result.stdout[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
    return try JSONDecoder().decode(PageMeasurement.self, from: Data(json.utf8))
}

@Test("the HTML report fits 1280 and 390 px wide pages in headless Chromium and its MathML renders",
      .enabled(if: chromium != nil, "chromium is not installed (apt-get install chromium)"))
func htmlFitsDesktopAndPhoneWidths() throws {
    let directory = try SyntheticMetrics.temporaryDirectory("chromium")
    defer { try? FileManager.default.removeItem(at: directory) }
    let runs = RunMetrics.runs(from: SyntheticMetrics.mainRuns(epochs: 30) + SyntheticMetrics.digitRuns())
    try ReportWriter.write(runs: runs, to: directory, header: ReportHeader(author: "A Student With A Long Name", date: "2026-11-30"))
    for width in [1280, 390] {
        let page = try measure(directory.appendingPathComponent("report.html"), width: width)
        #expect(page.viewport == width)
        #expect(page.scrollWidth <= page.clientWidth, "at \(width) px the page is \(page.scrollWidth) px wide")
        #expect(page.maths == Formula.neuron.count + Formula.gradient.count + Formula.multiclass.count)
        #expect(page.emptyMaths == 0)
    }
}
