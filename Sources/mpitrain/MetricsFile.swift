import Foundation
import NetCore

/// The `--metrics` JSON-lines file: one `EpochMetrics` object per line.
///
/// After every epoch the whole file is written to a temporary file beside it and renamed over it,
/// so a reader (or a crash) never sees a half-written line, and a run that fails before its first
/// epoch leaves no file at all. A FIFO or a character device (`/dev/stdout`, `/dev/null`) is
/// written through instead, one line per epoch; a symbolic link is followed (see `AtomicFile`).
struct MetricsFile {
    let url: URL
    private var lines: [String] = []
    /// The FIFO or device the lines go to, opened at the first epoch and kept open for the run.
    private var stream: Int32?

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
        let line = String(decoding: try encoder.encode(metrics), as: UTF8.self)
        lines.append(line)
        do throws(OutputFileError) {
            let (target, kind) = try AtomicFile.destination(of: url.path)
            guard kind.isStream else {
                return try AtomicFile.save(Array((lines.joined(separator: "\n") + "\n").utf8), to: url)
            }
            if stream == nil { stream = try AtomicFile.openStream(target) }
            guard let descriptor = stream else { return }
            guard AtomicFile.writeAll(Array((line + "\n").utf8), to: descriptor) else { throw .failed(target, "write failed") }
        } catch {
            let folder = url.deletingLastPathComponent().path
            let reason = FileKind(path: folder) == .folder ? error.reason : "its folder \(folder) is gone"
            throw CLIError("cannot write the metrics file \(url.path): \(reason); \(error.remedy)")
        }
    }
}
