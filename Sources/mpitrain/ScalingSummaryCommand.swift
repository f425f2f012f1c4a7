import ArgumentParser
import Foundation
import LabReport
import NetCore

/// `mpitrain scaling-summary SWEEP`: the results of a `scripts/scaling-benchmark` sweep, read from
/// its runs' metrics files and written as scaling.csv, scaling.md and scaling.svg.
struct ScalingSummary: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaling-summary",
        abstract: "Summarise a scaling sweep: scaling.csv, scaling.md (the table) and scaling.svg (the speed-up chart).",
        discussion: "SWEEP is the sweep.json that scripts/scaling-benchmark writes into its runs/ folder.")

    @Argument(help: ArgumentHelp("The sweep's description.", valueName: "sweep.json"), completion: .file(extensions: ["json"]))
    var sweep: String

    @Option(help: ArgumentHelp("Folder for the three files (default: the folder above the sweep's).", valueName: "dir"),
            completion: .directory)
    var out: String?

    func run() throws {
        runLocally {
            let url = URL(fileURLWithPath: sweep)
            let results = try ScalingSweep.load(url)
            let folder = out.map { URL(fileURLWithPath: $0, isDirectory: true) }
                ?? url.deletingLastPathComponent().deletingLastPathComponent()
            for (name, text) in [("scaling.csv", results.csv), ("scaling.md", results.markdown), ("scaling.svg", results.svg)] {
                try AtomicFile.save(Array(text.utf8), to: folder.appendingPathComponent(name), links: .replace)
            }
            print(results.table)
        }
    }
}
