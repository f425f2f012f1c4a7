import Foundation
import NetCore

/// Reads the epoch lines of a `--metrics` JSON-lines file written by the trainer.
func readMetrics(_ url: URL) throws -> [EpochMetrics] {
    try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.contains("\"event\":\"step\"") }.map {
        try JSONDecoder().decode(EpochMetrics.self, from: Data($0.utf8))
    }
}

/// A fresh temporary folder for one test; it is removed when the test process exits, whether
/// or not the test removed it (a failed expectation may skip its clean-up).
func temporaryFolder(_ name: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("mpitrain-\(name)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    TemporaryFolders.shared.add(folder)
    return folder
}

/// The folders `temporaryFolder` made in this process, removed at its exit.
final class TemporaryFolders: @unchecked Sendable {
    static let shared: TemporaryFolders = {
        atexit { TemporaryFolders.shared.removeAll() }
        return TemporaryFolders()
    }()

    private let lock = NSLock()
    private var folders: [URL] = []

    func add(_ folder: URL) {
        lock.withLock { folders.append(folder) }
    }

    private func removeAll() {
        lock.withLock { folders }.forEach { try? FileManager.default.removeItem(at: $0) }
    }
}
