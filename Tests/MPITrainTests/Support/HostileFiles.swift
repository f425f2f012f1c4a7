import Foundation
import NetCore
import Testing

/// Files an attacker or an unlucky user might hand mpitrain: checkpoints with doctored headers and
/// metadata, and the check that a run refused one with a single line and no signal.
enum HostileFiles {
    /// A small, valid checkpoint of `model` (one epoch done), as its safetensors file.
    static func checkpoint(_ model: ModelConfiguration = ModelConfiguration(kind: .single), momentum: Float = 0) -> SafeTensors {
        let network = Network(model, seed: 1)
        return Checkpoint(network: network, optimizer: Optimizer(learningRate: 0.1, momentum: momentum, parameterCount: network.parameterCount),
                          configuration: TrainingConfiguration(model: model, epochs: 2, batchSize: 64, learningRate: 0.1,
                                                               momentum: momentum, seed: 1),
                          position: TrainingPosition(epochsCompleted: 1), ranks: 1).safeTensors
    }

    /// `file` with its "training" metadata's JSON changed by `edit` (the tensors, and so their CRC, stay).
    static func editingTraining(_ file: SafeTensors, _ edit: (inout [String: Any]) -> Void) throws -> SafeTensors {
        var file = file
        var training = try #require(JSONSerialization.jsonObject(with: Data(file.metadata["training"]!.utf8)) as? [String: Any])
        edit(&training)
        file.metadata["training"] = String(decoding: try JSONSerialization.data(withJSONObject: training, options: [.sortedKeys]), as: UTF8.self)
        return file
    }

    /// A safetensors file's bytes from its header JSON and data, as the format lays them out.
    static func raw(header: [String: Any], data: [UInt8]) throws -> [UInt8] {
        var json = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        json += [UInt8](repeating: UInt8(ascii: " "), count: (8 - json.count % 8) % 8)
        return withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) } + json + data
    }
}

/// Expects a run refused with exactly one line on standard error containing `message` and a
/// non-zero exit: no signal (a trap or an abort prints a crash report of many lines), no hang.
func expectRefused(_ result: RunResult, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(!result.timedOut, "the run did not end", sourceLocation: sourceLocation)
    #expect(result.status != 0, "exit status 0:\n\(result.stderr)", sourceLocation: sourceLocation)
    let lines = result.stderr.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    #expect(lines.count == 1, "expected one line, got:\n\(result.stderr)", sourceLocation: sourceLocation)
    #expect(lines.first?.contains(message) == true, "expected \"\(message)\" in:\n\(result.stderr)", sourceLocation: sourceLocation)
}
