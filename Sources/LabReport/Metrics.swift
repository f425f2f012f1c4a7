import Foundation
import NetCore

/// Everything recorded about one training run: its epochs in order, and where they came from.
///
/// A run is identified by (model, digit, hidden, activation, layer widths, optimizer) within one
/// file; the same identity in two files makes two runs.
public struct RunMetrics: Equatable, Sendable {
    /// The model: `single`, `hidden` or `multiclass`.
    public let model: String
    /// The detected digit of a binary model, `nil` for multiclass.
    public let digit: Int?
    /// Hidden-layer width, `nil` without a hidden layer.
    public let hidden: Int?
    /// Hidden-layer activation, `nil` without a hidden layer.
    public let activation: String?
    /// Name of the file the run was read from (empty when built in memory).
    public let source: String
    /// The run's epochs sorted by `epoch`; never empty.
    public let epochs: [EpochMetrics]

    /// Groups `lines` into runs, keeping the order in which each run first appears.
    /// Later lines for the same epoch replace earlier ones (a resumed run).
    public static func runs(from lines: [EpochMetrics], source: String = "") -> [RunMetrics] {
        struct Identity: Hashable {
            let model: String, digit: Int?, hidden: Int?, activation: String?, layerWidths: [Int]?, optimizer: String
        }
        var order: [Identity] = []
        var byIdentity: [Identity: [Int: EpochMetrics]] = [:]
        for line in lines {
            let identity = Identity(model: line.model, digit: line.digit, hidden: line.hidden,
                                    activation: line.activation, layerWidths: line.layerWidths,
                                    optimizer: line.optimizer ?? "sgd")
            if byIdentity[identity] == nil { order.append(identity) }
            byIdentity[identity, default: [:]][line.epoch] = line
        }
        return order.map { identity in
            let epochs = byIdentity[identity, default: [:]].values.sorted { $0.epoch < $1.epoch }
            return RunMetrics(model: identity.model, digit: identity.digit, hidden: identity.hidden,
                              activation: identity.activation, source: source, epochs: epochs)
        }
    }

    /// What a metrics line is: `epoch`, or `step` (`--log-every`), which the report does not read.
    private struct LineKind: Decodable { let event: String? }

    /// Decodes a JSON-lines metrics text; blank lines and step lines are skipped.
    public static func decode(jsonLines text: String, source: String = "") throws -> [RunMetrics] {
        let decoder = JSONDecoder()
        var lines: [EpochMetrics] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || (try? decoder.decode(LineKind.self, from: Data(trimmed.utf8)))?.event == "step" { continue }
            let line: EpochMetrics
            do {
                line = try decoder.decode(EpochMetrics.self, from: Data(trimmed.utf8))
            } catch {
                throw MetricsError.malformedLine(source: source, line: index + 1, reason: "\(error)")
            }
            if let problem = line.problem { throw MetricsError.malformedLine(source: source, line: index + 1, reason: problem) }
            lines.append(line)
        }
        return runs(from: lines, source: source)
    }

    /// Reads and decodes every file in `urls`, in order.
    public static func load(_ urls: [URL]) throws -> [RunMetrics] {
        var runs: [RunMetrics] = []
        for url in urls {
            let text: String
            do {
                text = try String(contentsOf: url, encoding: .utf8)
            } catch {
                throw MetricsError.unreadable(path: url.path, reason: error.localizedDescription)
            }
            runs += try decode(jsonLines: text, source: url.lastPathComponent)
        }
        return runs
    }

    // MARK: - Derived values

    /// The data set's name as the run recorded it (`data_set`), `nil` in older files.
    public var dataSet: String? { last.dataSet }

    /// The last epoch recorded.
    var last: EpochMetrics { epochs[epochs.count - 1] }

    /// Total wall-clock seconds over all recorded epochs.
    var totalSeconds: Double { epochs.reduce(0) { $0 + $1.seconds } }

    /// Layer widths from input to output, falling back to what the model implies.
    var layerWidths: [Int] {
        if let widths = epochs.lazy.compactMap(\.layerWidths).last, widths.count >= 2 { return widths }
        let output = model == "multiclass" ? 10 : 1
        if let hidden { return [784, hidden, output] }
        return [784, output]
    }

    /// True for the models with one sigmoid output ("is it a digit?").
    var isBinary: Bool { model != "multiclass" }
}

/// Why a metrics file could not be used.
public enum MetricsError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read.
    case unreadable(path: String, reason: String)
    /// A line is not a JSON object of the metrics schema.
    case malformedLine(source: String, line: Int, reason: String)
    /// No line in any file.
    case empty

    public var description: String {
        switch self {
        case let .unreadable(path, reason): "cannot read metrics file \(path): \(reason)"
        case let .malformedLine(source, line, reason): "\(source):\(line): not a metrics line: \(reason)"
        case .empty: "the metrics files hold no epochs"
        }
    }
}
