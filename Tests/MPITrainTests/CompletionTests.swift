import Foundation
import Testing

/// The shell completions offer folders and files where an option takes a path.
@Suite struct CompletionTests {
    /// The bash completion of `option` in the part of the script for `command`.
    static func bashCompletion(of option: String, in script: String, command: String) -> String? {
        guard let start = script.range(of: "_mpitrain_\(command)()")?.upperBound, let option = script.range(of: "'\(option)')", range: start..<script.endIndex) else { return nil }
        return script[option.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropFirst().first.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test func bashCompletesFoldersAndFilesForEveryPathOption() throws {
        let result = try mpitrain(["--generate-completion-script", "bash"])
        #expect(result.status == 0)
        let script = result.stdout
        let expected: [(String, String, String)] = [
            ("train", "--data", "-d"), ("train", "--checkpoint", "-d"), ("train", "--class-names", "-f"),
            ("train", "--metrics", "-f"), ("train", "--resume", "*.@(safetensors)"),
            ("evaluate", "--checkpoint", "*.@(safetensors)"), ("evaluate", "--data", "-d"),
            ("report", "--from", "*.@(jsonl)"), ("report", "--out", "-d"), ("report", "--data", "-d"),
        ]
        for (command, option, completion) in expected {
            let line = Self.bashCompletion(of: option, in: script, command: command)
            #expect(line?.contains(completion) == true, "\(command) \(option): \(line ?? "no completion")")
        }
    }

    @Test func zshAndFishCompleteTheDataFolder() throws {
        let zsh = try mpitrain(["--generate-completion-script", "zsh"]).stdout
        #expect(zsh.contains("'--data[") && zsh.contains(":dir:_files -/"))
        let fish = try mpitrain(["--generate-completion-script", "fish"]).stdout
        #expect(fish.contains("-l 'data'") && fish.contains("-rfa '(__mpitrain_complete_directories)'"))
    }
}
