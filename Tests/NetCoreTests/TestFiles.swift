import Foundation
@testable import NetCore

/// Scratch files for tests: a fresh temporary folder, and the system `gzip` as reference.
struct TestFiles {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("netcore-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// `bytes` compressed by the system gzip with `arguments` (e.g. ["-9"]).
    func gzip(_ bytes: [UInt8], _ arguments: [String] = []) throws -> [UInt8] {
        let input = try write("gzip-input-\(UUID().uuidString)", bytes)
        let output = directory.appendingPathComponent("gzip-output-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-c"] + arguments + [input.path]
        process.standardOutput = try FileHandle(forWritingTo: output)
        try process.run()
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "gzip failed")
        return try [UInt8](Data(contentsOf: output))
    }

    /// The package root, from this file's path (Tests/NetCoreTests/TestFiles.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The gzip MNIST files beside the clone, `<root>/../shared/data/mnist`.
    static let sharedMNIST = packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/data/mnist", isDirectory: true)

    static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }
}

/// Deterministic pseudo-random bytes.
func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var generator = SeededRandom(seed: seed)
    return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
}

/// Compressible bytes: words from a small vocabulary in random order, so that gzip emits
/// dynamic-Huffman blocks full of back-references.
func textBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    let words = ["weights ", "bias ", "logits ", "softmax ", "gradient ", "allreduce ", "\n", "epoch 1 ", "0.125 "]
        .map { Array($0.utf8) }
    var generator = SeededRandom(seed: seed)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count + 16)
    while bytes.count < count { bytes += words[generator.nextIndex(below: words.count)] }
    return Array(bytes.prefix(count))
}
