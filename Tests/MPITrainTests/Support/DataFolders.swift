import Foundation
import NetCore

/// MNIST folders with one thing wrong, built from the project's data/ (run scripts/fetch-mnist first).
enum DataFolders {
    static let good = Project.root.appendingPathComponent("data", isDirectory: true)
    static let names = [MNIST.trainImages, MNIST.trainLabels, MNIST.testImages, MNIST.testLabels]

    /// A folder of links to the good files, with `replacements` written in place of some (nil: left out).
    static func make(_ name: String, _ replacements: [String: [UInt8]?]) throws -> URL {
        let folder = try temporaryFolder(name)
        for file in names {
            let url = folder.appendingPathComponent(file)
            if let replacement = replacements[file] {
                if let bytes = replacement { try Data(bytes).write(to: url) }
            } else {
                try FileManager.default.createSymbolicLink(at: url, withDestinationURL: good.appendingPathComponent(file))
            }
        }
        return folder
    }

    static func bytes(_ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: good.appendingPathComponent(file)))
    }

    /// An IDX file: magic, dimensions (big-endian), then `elements`.
    static func idx(magic: UInt32, dimensions: [Int], elements: [UInt8]) -> [UInt8] {
        ([magic] + dimensions.map(UInt32.init)).flatMap { word in (0..<4).reversed().map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
            + elements
    }
}
