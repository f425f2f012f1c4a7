import Foundation
import NetCore

/// The `--metrics` JSON-lines file: one `EpochMetrics` object per epoch, and with `--log-every`
/// a `StepMetrics` object every N steps; each line carries the run's id and the time it was written.
///
/// Each time, the whole file is written to a temporary file beside it and renamed over it,
/// so a reader (or a crash) never sees a half-written line, and a run that fails before its first
/// epoch leaves no file at all. A FIFO or a character device (`/dev/stdout`, `/dev/null`) is
/// written through instead, one line at a time; a symbolic link is followed (see `AtomicFile`).
struct MetricsFile {
    let url: URL
    /// `.follow` for the user's `--metrics` path; `.replace` for a name the program chose (the report's runs).
    let links: AtomicFile.Links
    /// Identifies the run in every line: when it started and six random hex digits; a resumed
    /// run keeps the id of the lines it continues.
    private(set) var runId: String
    private var lines: [String] = []
    /// The FIFO or device the lines go to, opened at the first line and kept open for the run.
    private var stream: Int32?

    init(path: String, links: AtomicFile.Links = .follow) {
        url = URL(fileURLWithPath: path)
        self.links = links
        let started = Self.timestamp([.withYear, .withMonth, .withDay, .withTime, .withTimeZone])
        runId = started + "-" + String(format: "%06x", UInt32.random(in: 0..<(1 << 24)))
    }

    /// The file of a resumed run: keeps the lines an earlier run wrote for the epochs before
    /// `epoch` (the one the run continues), so the file again holds the whole run, and their run id.
    init(path: String, continuingAt epoch: Int) {
        self.init(path: path)
        struct Line: Decodable { let epoch: Int; let run_id: String? }
        let earlier = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        var kept: [Line] = []
        lines = earlier.split(separator: "\n").map(String.init).filter { text in
            guard let line = try? JSONDecoder().decode(Line.self, from: Data(text.utf8)), line.epoch < epoch else { return false }
            kept.append(line)
            return true
        }
        if let id = kept.last?.run_id { runId = id }
    }

    /// Appends one line (an epoch's, or a step's with `--log-every`), stamped with the run's id and
    /// the time, and rewrites the file atomically; a failure is one line saying why.
    mutating func append(_ metrics: some MetricsLine) throws {
        var line = metrics
        line.runId = runId
        line.time = Self.now()
        try append(line: line)
    }

    private mutating func append(line value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line = String(decoding: try encoder.encode(value), as: UTF8.self)
        lines.append(line)
        do throws(OutputFileError) {
            var (target, kind) = (url.path, FileKind.regular)
            if links == .follow { (target, kind) = try AtomicFile.destination(of: url.path) }
            guard kind.isStream else {
                return try AtomicFile.save(Array((lines.joined(separator: "\n") + "\n").utf8), to: url, links: links)
            }
            if stream == nil { stream = try AtomicFile.openStream(target) }
            guard let descriptor = stream else { return }
            guard AtomicFile.writeAll(Array((line + "\n").utf8), to: descriptor) else { throw .failed(target, "write failed", errno) }
        } catch {
            let folder = url.deletingLastPathComponent().path
            let reason = FileKind(path: folder) == .folder ? error.reason : "its folder \(folder) is gone"
            throw JobError.invalid("cannot write the metrics file \(url.path): \(reason); \(error.remedy)")
        }
    }

    /// This moment in UTC, ISO 8601 with milliseconds, e.g. 2026-11-30T04:08:40.123Z.
    private static func now() -> String {
        timestamp([.withInternetDateTime, .withFractionalSeconds])
    }

    /// This moment in UTC in the ISO 8601 form `options` give (20261130T040840Z for the run id).
    private static func timestamp(_ options: ISO8601DateFormatter.Options) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = options
        return formatter.string(from: Date())
    }
}

/// A line of the metrics file: it carries the run's id and the time it was written.
protocol MetricsLine: Encodable {
    var runId: String? { get set }
    var time: String? { get set }
}

extension EpochMetrics: MetricsLine {}
extension StepMetrics: MetricsLine {}
