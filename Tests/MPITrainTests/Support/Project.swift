import Foundation

/// Paths of the package under test, found from this file's location.
enum Project {
    /// The package root (Tests/MPITrainTests/Support/Project.swift → three levels up).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The release binary that the tests start: `$MPITRAIN_BIN`, or this package's, brought up
    /// to date by `swift build -c release` on first use, so a plain `swift test` never tests a
    /// stale binary (a second build of an unchanged package takes about a second).
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["MPITRAIN_BIN"] { return URL(fileURLWithPath: path) }
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // `swift test` holds the package's lock while the tests run; it builds nothing then.
        build.arguments = ["swift", "build", "-c", "release", "--product", "mpitrain", "--ignore-lock", "--package-path", root.path]
        let log = Pipe()
        build.standardOutput = log
        build.standardError = log
        let output = PipeCollector(log)
        do { try build.run() } catch { fatalError("cannot start swift build for the release binary: \(error)") }
        build.waitUntilExit()
        guard build.terminationStatus == 0 else {
            fatalError("swift build -c release failed, so the tests have no binary to run:\n\(output.text())")
        }
        return root.appendingPathComponent(".build/release/mpitrain")
    }()

    /// The project's mpirun wrapper (root, oversubscription and container settings).
    static let mpirun = root.appendingPathComponent("scripts/mpirun")
}
