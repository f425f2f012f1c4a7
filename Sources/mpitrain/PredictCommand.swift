import ArgumentParser
import Foundation
import ImageInput
import NetCore

/// `mpitrain predict --checkpoint FILE IMAGE…`: each image's class and top-3 probabilities.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify images (PNG, PGM, IDX) with a model saved in a checkpoint.",
        discussion: """
            PNG and PGM images of any size, grey or colour, are fitted to the model's input as MNIST \
            was prepared (--fit mnist): dark ink on a light ground is inverted, the digit's bounding \
            box is scaled to 20×20 and placed in the 28×28 field by its centre of mass. --fit stretch \
            scales the whole image instead. IDX images files of the model's input size are read as \
            they are, one prediction per image.
            """)

    @Option(help: ArgumentHelp("A checkpoint written by mpitrain --checkpoint.", valueName: "file"),
            completion: .file(extensions: ["safetensors"]))
    var checkpoint: String

    @Option(help: "How a PNG or PGM image becomes the model's input: mnist (crop, 20×20, centre of mass) or stretch.")
    var fit: DigitFit = .mnist

    @Flag(help: "One JSON object per image: file, index (IDX files), class, top (class and probability).")
    var json = false

    @Argument(help: ArgumentHelp("PNG, PGM (P2/P5) or IDX images files.", valueName: "image"),
              completion: .file())
    var images: [String]

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("predict needs at least one image file") }
    }

    func run() throws {
        runLocally {
            let predictor = try Predictor(try Checkpoint.read(from: URL(fileURLWithPath: checkpoint)))
            var names: [(file: String, index: Int?)] = [], inputs: [Float] = []
            for path in images {
                let read = try PredictInputs.read(path, inputs: predictor.model.inputs, fit: fit)
                names += read.indices.map { (path, $0) }
                inputs += read.values
            }
            let probabilities = predictor.probabilities(inputs, count: names.count)
            var lines: [String] = []
            for (name, imageProbabilities) in zip(names, probabilities) {
                let top = imageProbabilities.indices.sorted { imageProbabilities[$0] > imageProbabilities[$1] }.prefix(3)
                    .map { (predictor.classNames[$0], imageProbabilities[$0]) }
                lines.append(json ? try jsonLine(name, top) : textLine(name, top))
            }
            print(lines.joined(separator: "\n"))
        }
    }

    /// "digit.png: 7 (7 99.12%, 9 0.51%, 2 0.20%)"; an IDX file's images as "file[3]".
    private func textLine(_ name: (file: String, index: Int?), _ top: [(String, Double)]) -> String {
        let label = name.index.map { "\(name.file)[\($0)]" } ?? name.file
        return "\(label): \(top[0].0) (" + top.map { "\($0.0) \(percent($0.1))" }.joined(separator: ", ") + ")"
    }

    private func jsonLine(_ name: (file: String, index: Int?), _ top: [(String, Double)]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line = PredictionLine(file: name.file, index: name.index, class: top[0].0,
                                  top: top.map { PredictionLine.Entry(class: $0.0, probability: $0.1) })
        return String(decoding: try encoder.encode(line), as: UTF8.self)
    }

    /// One image's prediction in `--json` output.
    private struct PredictionLine: Encodable {
        struct Entry: Encodable {
            let `class`: String
            let probability: Double
        }
        let file: String
        let index: Int?
        let `class`: String
        let top: [Entry]
    }
}

extension DigitFit: ExpressibleByArgument {}
