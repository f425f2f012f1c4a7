import Foundation
import Testing

/// What a run prints: nothing with --quiet, a status line that fits the terminal, honest timings after a resume.
@Suite struct OutputPolishTests {
    @Test func quietPrintsNothingEvenWithCheckpoints() throws {
        let folder = try temporaryFolder("quiet")
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try mpitrain(["--model", "single", "--epochs", "2", "--quiet", "--validation", "1000",
                                   "--checkpoint", folder.appendingPathComponent("ck").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty && result.stderr.isEmpty, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("ck/best.safetensors").path))
    }

    @Test func theStatusLineFitsA60ColumnTerminal() throws {
        // `script` gives the run a pseudo-terminal; `stty` sets its width.
        let command = "stty cols 60; \(Project.binary.path) --model single --epochs 2 --batch-size 8"
        let result = try run(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"], timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        // Every redraw starts with \r and the erase-line sequence; what follows must fit in 59 columns.
        // (The epoch's own line also starts so, and may wrap: it stays.)
        let redraws = result.stdout.components(separatedBy: "\r\u{1B}[2K").dropFirst()
            .map { $0.prefix { $0 != "\r" && $0 != "\n" } }.filter { !$0.contains("test loss") }
        #expect(redraws.count >= 2, "\(result.stdout.prefix(300))")
        #expect(redraws.allSatisfy { $0.count <= 59 }, "\(redraws.map(\.count).max() ?? 0) columns")
        #expect(redraws.contains { $0.hasPrefix("epoch 1/2 [") })
        #expect(redraws.allSatisfy { $0.range(of: #" loss \d\.\d{4}  \d+:\d\d left$"#, options: .regularExpression) != nil },
                "the loss and the time left (m:ss) are kept: \(redraws)")
    }

    @Test func aResumedRunsSummaryTimesTheEpochsItRan() throws {
        let folder = try temporaryFolder("resume-summary")
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoints = folder.appendingPathComponent("ck")
        #expect(try mpitrain(["--model", "single", "--epochs", "2", "--checkpoint", checkpoints.path]).status == 0)
        let result = try mpitrain(["--model", "single", "--epochs", "3",
                                   "--resume", checkpoints.appendingPathComponent("epoch-2.safetensors").path])
        #expect(result.status == 0, "\(result.stderr)")
        let final = try #require(result.stdoutLines.first { $0.hasPrefix("final: ") })
        #expect(final.hasPrefix("final: single after 3 epochs"), "\(final)")
        // "…, 0.05 s (0.050 s/epoch)": one epoch ran, so both numbers agree.
        let match = try #require(final.firstMatch(of: /(\d+\.\d+) s \((\d+\.\d+) s\/epoch\)/))
        #expect(abs(Double(match.1)! - Double(match.2)!) <= 0.006, "\(final)")
    }
}
