import ArgumentParser
import Foundation
import LabReport
import NetCore

/// `mpitrain plot-scaling CSV`: draws `scripts/scaling-benchmark`'s speed-up chart with the
/// report's SVG renderer.
struct PlotScaling: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot-scaling",
        abstract: "Draw the speed-up chart (SVG) of a scaling.csv written by scripts/scaling-benchmark.")

    @Argument(help: ArgumentHelp("The sweep's scaling.csv.", valueName: "csv"), completion: .file(extensions: ["csv"]))
    var csv: String

    @Option(help: ArgumentHelp("The SVG file to write (default: scaling.svg beside the CSV).", valueName: "file"),
            completion: .file(extensions: ["svg"]))
    var out: String?

    @Option(help: "Cores of the node the sweep ran on (default: this machine's).")
    var cores: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Heading above the chart.")
    var title = "Speed-up over one rank with one thread"

    @Flag(help: "Replace an existing output file.")
    var overwrite = false

    func run() throws {
        do {
            let text: String
            do { text = try String(contentsOfFile: csv, encoding: .utf8) } catch {
                throw JobError.invalid("cannot read \(csv) (\(error.localizedDescription)); give the scaling.csv that scripts/scaling-benchmark wrote")
            }
            let points = try ScalingChart.points(csv: text, source: csv)
            let target = out ?? URL(fileURLWithPath: csv).deletingLastPathComponent().appendingPathComponent("scaling.svg").path
            if !overwrite, FileManager.default.fileExists(atPath: target) {
                throw JobError.invalid("\(target) already exists; pass --overwrite to replace it, or choose another --out file")
            }
            do { try AtomicFile.save(Array(ScalingChart.svg(points, cores: cores, title: title).utf8), to: URL(fileURLWithPath: target)) } catch {
                throw JobError.invalid("cannot write \(error.path): \(error.reason); \(error.remedy)")
            }
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
    }
}
