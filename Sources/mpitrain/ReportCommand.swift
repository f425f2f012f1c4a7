import ArgumentParser
import Foundation

/// `mpitrain report --from FILE... --out DIR`: writes the lab report from JSON-lines metrics files.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the lab report (report.md, report.html and SVG figures) from metrics files.",
        discussion: "The metrics files are JSON lines, one object per epoch; see docs/metrics-schema.md."
    )

    @Option(name: .customLong("from"), parsing: .upToNextOption,
            help: ArgumentHelp("JSON-lines metrics files to read.", valueName: "file"))
    var metricsFiles: [String]

    @Option(help: ArgumentHelp("Directory to write the report into.", valueName: "dir"))
    var out: String = "report"

    func validate() throws {
        if metricsFiles.isEmpty { throw ValidationError("give at least one metrics file after --from") }
    }

    func run() throws {
        let runs = try RunMetrics.load(metricsFiles.map { URL(fileURLWithPath: $0) })
        let written = try ReportWriter.write(runs: runs, to: URL(fileURLWithPath: out, isDirectory: true))
        print("wrote \(written.map(\.path).joined(separator: ", "))")
    }
}
