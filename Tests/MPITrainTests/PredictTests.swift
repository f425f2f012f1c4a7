import CPNG
import Foundation
import Testing

/// `mpitrain predict`: MNIST test digits written as PNG and PGM files — as they are, and as dark ink
/// on white paper, larger, off-centre, in colour — get the class the same model gives the IDX images.
@Suite(.serialized)
struct PredictTests {
    /// Digits 0…9's first test images.
    static let digits = [3, 2, 1, 18, 4, 8, 11, 0, 61, 7]

    /// Trains a multiclass model for two epochs into `folder`; its checkpoint.
    private func checkpoint(in folder: URL) throws -> String {
        let result = try mpitrain(["--model", "multiclass", "--epochs", "2", "--seed", "4", "--quiet", "--checkpoint", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        return folder.appendingPathComponent("epoch-2.safetensors").path
    }

    /// "file: 7 (7 99.12%, …)" → "7".
    private func classes(_ result: RunResult) -> [String] {
        result.stdoutLines.map { String($0.split(separator: " ")[1]) }
    }

    @Test func pngAndPgmDigitsGetTheClassOfTheirIdxImage() throws {
        let folder = try temporaryFolder("predict")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try checkpoint(in: folder)
        let idx = try mpitrain(["predict", "--checkpoint", model, Project.root.appendingPathComponent("data/t10k-images-idx3-ubyte").path])
        #expect(idx.status == 0, "\(idx.stderr)")
        #expect(idx.stdoutLines.count == 10_000)
        let expected = Self.digits.map { String(idx.stdoutLines[$0].split(separator: " ")[1]) }
        #expect(expected == (0...9).map(String.init), "the model knows these digits: \(expected)")

        var asIs: [String] = [], onPaper: [String] = []
        for (digit, index) in Self.digits.enumerated() {
            let pixels = try Pictures.mnistDigit(index)
            let png = folder.appendingPathComponent("\(digit).png"), pgm = folder.appendingPathComponent("\(digit).pgm")
            try Pictures.writePNG(png, width: 28, height: 28, format: Int32(PNG_FORMAT_GRAY), pixels: pixels)
            try Data(Pictures.pgm(width: 28, height: 28, pixels: pixels, binary: digit % 2 == 0)).write(to: pgm)
            asIs += [png.path, pgm.path]
            // On paper, three times larger and off-centre; odd digits as colour PNG, even ones as PGM.
            let paper = Pictures.onPaper(pixels, scale: 3, left: 7 + 5 * digit, top: 30, width: 150, height: 130)
            let photo = folder.appendingPathComponent("paper-\(digit)" + (digit % 2 == 1 ? ".png" : ".pgm"))
            if digit % 2 == 1 {
                let rgb = paper.flatMap { [$0, $0, UInt8(min(255, Int($0) + 20))] }   // bluish paper
                try Pictures.writePNG(photo, width: 150, height: 130, format: Int32(PNG_FORMAT_RGB), pixels: rgb)
            } else {
                try Data(Pictures.pgm(width: 150, height: 130, pixels: paper, binary: true)).write(to: photo)
            }
            onPaper.append(photo.path)
        }
        let stretched = try mpitrain(["predict", "--checkpoint", model, "--fit", "stretch"] + asIs)
        #expect(stretched.status == 0, "\(stretched.stderr)")
        #expect(classes(stretched) == expected.flatMap { [$0, $0] })
        // The same 28 × 28 pixels as the IDX file: the same probabilities, to the printed digit.
        let idxLines = Self.digits.map { idx.stdoutLines[$0].drop { $0 != " " } }
        #expect(stretched.stdoutLines.enumerated().allSatisfy { $0.element.hasSuffix(idxLines[$0.offset / 2]) },
                "\(stretched.stdout)")
        let fitted = try mpitrain(["predict", "--checkpoint", model] + onPaper)
        #expect(fitted.status == 0, "\(fitted.stderr)")
        #expect(classes(fitted) == expected, "\(fitted.stdout)")

        // An IDX file of other-sized images (twice as large) goes through the same fit.
        var large: [UInt8] = []
        for index in Self.digits {
            let pixels = try Pictures.mnistDigit(index)
            for row in 0..<56 { for column in 0..<56 { large.append(pixels[(row / 2) * 28 + column / 2]) } }
        }
        let idxFile = folder.appendingPathComponent("large-idx3-ubyte")
        try Data(DataFolders.idx(magic: 0x803, dimensions: [10, 56, 56], elements: large)).write(to: idxFile)
        let fromIDX = try mpitrain(["predict", "--checkpoint", model, idxFile.path])
        #expect(fromIDX.status == 0, "\(fromIDX.stderr)")
        #expect(classes(fromIDX) == expected, "\(fromIDX.stdout)")
        #expect(fromIDX.stdoutLines.first?.hasPrefix(idxFile.path + "[0]: ") == true)

        let json = try mpitrain(["predict", "--checkpoint", model, "--json", onPaper[7]])
        let line = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(line?["class"] as? String == "7" && line?["file"] as? String == onPaper[7])
        let top = line?["top"] as? [[String: Any]] ?? []
        #expect(top.count == 3 && top.compactMap { $0["probability"] as? Double }.reduce(0, +) <= 1.000001)
    }

    @Test func aFileThatIsNoImageIsRefusedWithOneLineAndNoPredictions() throws {
        let folder = try temporaryFolder("predict-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try checkpoint(in: folder)
        let good = folder.appendingPathComponent("good.pgm"), bad = folder.appendingPathComponent("notes.png")
        try Data(Pictures.pgm(width: 28, height: 28, pixels: try Pictures.mnistDigit(0), binary: true)).write(to: good)
        try Data("not a picture".utf8).write(to: bad)
        let twoRanks = try mpirun(ranks: 2, ["predict", "--checkpoint", model, good.path])
        #expect(twoRanks.status == 0 && twoRanks.stdoutLines.count == 1, "under mpirun rank 0 alone predicts: \(twoRanks.stdout)")
        let result = try mpitrain(["predict", "--checkpoint", model, good.path, bad.path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "mpitrain: error: \(bad.path) is neither PNG nor PGM; pass a PNG or PGM (P2/P5) image, or an IDX images file\n")
    }

    @Test func theCheckpointOptionCompletesSafetensorsFiles() throws {
        let script = try mpitrain(["--generate-completion-script", "bash"]).stdout
        let line = CompletionTests.bashCompletion(of: "--checkpoint", in: script, command: "predict")
        #expect(line?.contains("*.@(safetensors)") == true, "\(line ?? "no completion")")
    }
}
