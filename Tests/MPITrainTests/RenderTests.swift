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
