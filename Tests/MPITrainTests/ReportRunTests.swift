import Foundation
import NetCore
import Testing

/// `mpitrain report` end to end on a small data set made here (7×5 images, 12 named classes): it
/// trains the three models and the ablation with a validation set, draws the figures from the final
/// weights, names the data and its classes, and builds the same report again from its own files.
@Suite(.serialized)
struct ReportRunTests {
    static let names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                        "Ankle boot", "A rather long class name", "Twelfth"]

    @Test func reportTrainsWithValidationAndAblationAndRebuildsFromItsFiles() throws {
        let data = try OtherDataSetTests.makeSet()
        let out = try temporaryFolder("report-run")
        defer { try? FileManager.default.removeItem(at: data); try? FileManager.default.removeItem(at: out) }
        let namesFile = out.appendingPathComponent("names.txt")
        try (Self.names.joined(separator: "\n") + "\n").write(to: namesFile, atomically: true, encoding: .utf8)
        let report = out.appendingPathComponent("report")
        let result = try mpitrain(["report", "--data", data.path, "--class-names", namesFile.path, "--epochs", "3",
                                   "--ablation-epochs", "2", "--validation", "200", "--threads", "1", "--quiet",
                                   "--out", report.path], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: report.path)
        for name in ["report.md", "report.html", "weights.svg", "mistakes.svg", "pr.svg", "confusion.svg", "recall.svg"] {
            #expect(files.contains(name), "\(name) in \(files)")
        }
        let metrics = try FileManager.default.contentsOfDirectory(atPath: report.appendingPathComponent("metrics").path).sorted()
        #expect(metrics.filter { $0.hasPrefix("ablation-") && $0.hasSuffix(".jsonl") }.count == 6)
        #expect(metrics.filter { $0.hasSuffix(".safetensors") } == ["hidden.safetensors", "multiclass.safetensors", "single.safetensors"])
        let markdown = try String(contentsOf: report.appendingPathComponent("report.md"), encoding: .utf8)
        for part in ["### Ablation: one change at a time", "Where to stop (validation set, 200 training images held out)",
                     "| Ankle boot |", "\"is it a Sandal?\"", "the 300 ", "## Multiclass: accuracy per class"] {
            #expect(markdown.contains(part), "\(part)")
        }
        let prose = markdown.replacingOccurrences(of: "digits.svg", with: "")
        #expect(!prose.contains("MNIST") && !prose.contains("digit"), "the data is neither MNIST nor digits")
        let recall = try String(contentsOf: report.appendingPathComponent("recall.svg"), encoding: .utf8)
        #expect(recall.contains(">A rather long class name</text>") && recall.contains("rotate(45 "))
        let mistakes = try String(contentsOf: report.appendingPathComponent("mistakes.svg"), encoding: .utf8)
        #expect(mistakes.contains("data:image/png;base64,"))

        // The same report again from the files the first one left.
        let again = out.appendingPathComponent("again")
        let sources = metrics.filter { $0.hasSuffix(".jsonl") }.map { report.appendingPathComponent("metrics").appendingPathComponent($0).path }
        let rebuilt = try mpitrain(["report", "--from"] + sources + ["--data", data.path, "--quiet", "--out", again.path], timeout: 120)
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        let rebuiltFiles = try FileManager.default.contentsOfDirectory(atPath: again.path)
        #expect(Set(files.filter { $0.hasSuffix(".svg") }) == Set(rebuiltFiles.filter { $0.hasSuffix(".svg") }))
        let rebuiltMarkdown = try String(contentsOf: again.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(rebuiltMarkdown.contains("### Ablation: one change at a time"))
    }

    @Test func modelSettingsGoThroughTrainAndReportFrom() throws {
        for option in [["--hidden", "32"], ["--activation", "tanh"], ["--lr", "0.2"]] {
            let result = try mpitrain(["report", "--epochs", "1"] + option, timeout: 60)
            #expect(result.status != 0)
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("mpitrain report --from"),
                    "\(result.stderr)")
        }
        let from = try mpitrain(["report", "--from", "/nonexistent/a.jsonl", "--validation", "100"], timeout: 60)
        #expect(from.status != 0 && from.stderr.contains("--validation sets up training; with --from the runs are already trained"),
                "\(from.stderr)")
    }
}
