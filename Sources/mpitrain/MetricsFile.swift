import Foundation
import NetCore

/// The `--metrics` JSON-lines file: one `EpochMetrics` object per line.
///
/// After every epoch the whole file is written to a temporary file beside it and renamed over it,
/// so a reader (or a crash) never sees a half-written line, and a run that fails before its first
/// epoch leaves no file at all.
struct MetricsFile {
    let url: URL
    private var lines: [String] = []

    init(path: String) {
        url = URL(fileURLWithPath: path)
    }

    /// The file of a resumed run: keeps the lines an earlier run wrote for the epochs before
    /// `epoch` (the one the run continues), so the file again holds the whole run.
    init(path: String, continuingAt epoch: Int) {
        self.init(path: path)
        let earlier = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        lines = earlier.split(separator: "\n").map(String.init).filter { line in
            guard let record = try? JSONDecoder().decode(EpochMetrics.self, from: Data(line.utf8)) else { return false }
            return record.epoch < epoch
        }
    }

    /// Appends one epoch and rewrites the file atomically; a failure is one line saying why.
    mutating func append(_ metrics: EpochMetrics) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        lines.append(String(decoding: try encoder.encode(metrics), as: UTF8.self))
        do {
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url, options: .atomic)
        } catch {
            let folder = url.deletingLastPathComponent().path
            var isFolder: ObjCBool = false
            let reason = FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue
                ? (error as NSError).localizedDescription : "its folder \(folder) is gone"
            throw CLIError("cannot write the metrics file \(url.path): \(reason); check that its folder still exists and has space")
        }
    }
}
