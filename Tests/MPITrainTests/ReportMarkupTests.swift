import Foundation
import NetCore
import Testing
@testable import LabReport

/// Text read from metrics files reaches report.md as text, never as markup: a class name such as
/// `<img src=x onerror=…>` is escaped there as it is in report.html and the SVG figures.
@Test func htmlInMetricsFieldsIsEscapedInTheMarkdownReport() throws {
    let directory = try temporaryFolder("report-markup")
    var lines = SyntheticMetrics.mainRuns(epochs: 3)
    for index in lines.indices where lines[index].model == "multiclass" {
        lines[index].classNames = (0...9).map { "<img src=x onerror=alert(\($0))> & co" }
    }
    try ReportWriter.write(runs: RunMetrics.runs(from: lines), to: directory,
                           header: ReportHeader(author: "<script>alert(2)</script>", date: "2026-12-04", notes: nil))
    let markdown = try String(contentsOf: directory.appendingPathComponent("report.md"), encoding: .utf8)
    #expect(!markdown.contains("<img") && !markdown.contains("<script"), "raw HTML in report.md")
    #expect(markdown.contains("&lt;img src=x onerror=alert(3)&gt; &amp; co") && markdown.contains("&lt;script&gt;"), "\(markdown)")
}
