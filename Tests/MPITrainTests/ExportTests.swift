import Foundation
import Testing

/// `mpitrain export --format pytorch`: the export, loaded by Python (torch and safetensors when
/// installed, numpy otherwise; scripts/lib/pytorch_accuracy.py), classifies the test set exactly
/// as `mpitrain evaluate` does; an existing output is refused without --overwrite.
@Suite(.serialized)
struct ExportTests {
    /// Trains one epoch of `model` into `folder` and returns the checkpoint's path.
    private func checkpoint(_ model: [String], in folder: URL) throws -> String {
        let result = try mpitrain(model + ["--epochs", "1", "--seed", "3", "--quiet", "--checkpoint", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        return folder.appendingPathComponent("epoch-1.safetensors").path
    }

    @Test(arguments: [["--model", "multiclass", "--hidden", "32,16", "--activation", "relu,tanh"],
                      ["--model", "hidden", "--hidden", "16", "--digit", "3"]])
    func pythonReproducesEvaluatesAccuracy(model: [String]) throws {
        let folder = try temporaryFolder("export")
        defer { try? FileManager.default.removeItem(at: folder) }
        let saved = try checkpoint(model, in: folder)
        let out = folder.appendingPathComponent("model.safetensors").path
        let export = try mpitrain(["export", "--format", "pytorch", saved, out])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains("fc1.weight [") && export.stdout.contains("as a PyTorch state dict"), "\(export.stdout)")

        let evaluate = try mpitrain(["evaluate", "--checkpoint", saved])
        let accuracy = try #require(evaluate.stdout.firstMatch(of: /test accuracy ([0-9.]+)%/)?.1)
        let python = try run(URL(fileURLWithPath: "/usr/bin/env"),
                             ["python3", Project.root.appendingPathComponent("scripts/lib/pytorch_accuracy.py").path,
                              out, Project.root.appendingPathComponent("data").path])
        #expect(python.status == 0, "\(python.stderr)")
        let line = try JSONSerialization.jsonObject(with: Data(python.stdout.utf8)) as? [String: Any]
        let fraction = try #require(line?["accuracy"] as? Double)
        #expect(String(format: "%.2f", fraction * 100) == String(accuracy), "python: \(python.stdout) evaluate: \(evaluate.stdout)")
    }

    @Test func anExistingOutputIsRefusedWithoutOverwrite() throws {
        let folder = try temporaryFolder("export-exists")
        defer { try? FileManager.default.removeItem(at: folder) }
        let saved = try checkpoint(["--model", "single"], in: folder)
        let out = folder.appendingPathComponent("model.safetensors")
        try Data("keep me".utf8).write(to: out)
        let refused = try mpitrain(["export", "--format", "pytorch", saved, out.path])
        #expect(refused.status == 1)
        #expect(refused.stderr == "mpitrain: error: \(out.path) already exists; pass --overwrite to replace it, or choose another file\n")
        #expect(try String(contentsOf: out, encoding: .utf8) == "keep me")
        let replaced = try mpitrain(["export", "--format", "pytorch", saved, out.path, "--overwrite"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(try Data(contentsOf: out).count > 784 * 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["epoch-1.safetensors", "model.safetensors"])
    }
}
