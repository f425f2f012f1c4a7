import Foundation
import NetCore

/// Reads the epoch lines of a `--metrics` JSON-lines file written by the trainer.
func readMetrics(_ url: URL) throws -> [EpochMetrics] {
    try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.contains("\"event\":\"step\"") }.map {
        try JSONDecoder().decode(EpochMetrics.self, from: Data($0.utf8))
    }
}

/// A fresh temporary folder for one test.
func temporaryFolder(_ name: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("mpitrain-\(name)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}
