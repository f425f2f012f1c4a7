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

    /// Fails early, before training, when the file's folder is missing or not writable.
    func checkWritable() throws {
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw CLIError("cannot write the metrics file \(url.path): folder \(folder) does not exist or is not writable; choose another --metrics path")
        }
    }

    /// Appends one epoch and rewrites the file atomically.
    mutating func append(_ metrics: EpochMetrics) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        lines.append(String(decoding: try encoder.encode(metrics), as: UTF8.self))
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url, options: .atomic)
    }
}
