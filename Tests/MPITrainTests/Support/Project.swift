import Foundation

/// Paths of the package under test, found from this file's location.
enum Project {
    /// The package root (Tests/MPITrainTests/Support/Project.swift → three levels up).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The release binary that the multi-rank tests start (`scripts/test` builds it first).
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["MPITRAIN_BIN"] { return URL(fileURLWithPath: path) }
        return root.appendingPathComponent(".build/release/mpitrain")
    }

    /// The project's mpirun wrapper (root, oversubscription and container settings).
    static let mpirun = root.appendingPathComponent("scripts/mpirun")
}
