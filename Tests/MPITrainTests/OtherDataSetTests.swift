import Foundation
import NetCore
import Testing

/// Deep networks on an IDX set made here, unlike MNIST: 7×5 images (35 inputs, not square) and 12
/// classes, each class a pattern of bright pixels plus noise. Training, evaluation, the binary
/// models' "is it class N?" and several ranks all take their shapes from the data.
@Suite(.serialized)
struct OtherDataSetTests {
    static let rows = 7, columns = 5, classes = 12

    /// The four IDX files of a seeded synthetic set: `train` and `test` images, labels cycling
    /// through the classes.
    static func makeSet(train: Int = 1200, test: Int = 300) throws -> URL {
        let folder = try temporaryFolder("other-set")
        var state: UInt64 = 0x5EED
        func next() -> UInt8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        let pixels = rows * columns
        func images(_ count: Int) -> (images: [UInt8], labels: [UInt8]) {
            var values: [UInt8] = [], labels: [UInt8] = []
            for index in 0..<count {
                let label = (index * 7) % classes
                labels.append(UInt8(label))
                for pixel in 0..<pixels {
                    let bright = (pixel * 5 + label * 3) % 7 < 2 || pixel % classes == label
                    values.append(bright ? 160 + next() % 96 : next() % 40)
                }
            }
            return (values, labels)
        }
        let (trainImages, trainLabels) = images(train), (testImages, testLabels) = images(test)
        let files: [(String, [UInt8])] = [
            (MNIST.trainImages, DataFolders.idx(magic: 0x803, dimensions: [train, rows, columns], elements: trainImages)),
            (MNIST.trainLabels, DataFolders.idx(magic: 0x801, dimensions: [train], elements: trainLabels)),
            (MNIST.testImages, DataFolders.idx(magic: 0x803, dimensions: [test, rows, columns], elements: testImages)),
            (MNIST.testLabels, DataFolders.idx(magic: 0x801, dimensions: [test], elements: testLabels)),
        ]
        for (name, bytes) in files { try Data(bytes).write(to: folder.appendingPathComponent(name)) }
        return folder
    }

    @Test(arguments: [1, 2])
    func aDeepNetworkLearnsTwelveClassesOfSmallImages(ranks: Int) throws {
        let data = try Self.makeSet()
        defer { try? FileManager.default.removeItem(at: data) }
        let metrics = data.appendingPathComponent("run.jsonl"), checkpoints = data.appendingPathComponent("checkpoints")
        let result = try train(ranks: ranks, ["--model", "multiclass", "--hidden", "24,16", "--activation", "relu,tanh",
                                              "--lr", "0.1", "--epochs", "6", "--batch-size", "32", "--data", data.path,
                                              "--metrics", metrics.path, "--checkpoint", checkpoints.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("multiclass 35→24→16→12, relu,tanh hidden"), "\(result.stdout)")
        let last = try #require(try readMetrics(metrics).last)
        #expect(last.layerWidths == [35, 24, 16, 12] && last.activations == ["relu", "tanh"])
        #expect(last.confusion?.count == 12 && last.confusion?.allSatisfy { $0.count == 12 } == true)
        #expect(last.perClassAccuracy?.count == 12)
        #expect(last.testAccuracy > 0.9, "chance is 1/12: \(last.testAccuracy)")

        let evaluated = try mpitrain(["evaluate", "--checkpoint", checkpoints.appendingPathComponent("epoch-6.safetensors").path,
                                      "--data", data.path])
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
        #expect(evaluated.stdout.contains(String(format: "%.2f%%", last.testAccuracy * 100)), "\(evaluated.stdout)")
        let onMNIST = try mpitrain(["evaluate", "--checkpoint", checkpoints.appendingPathComponent("epoch-6.safetensors").path])
        #expect(onMNIST.status != 0)
        #expect(onMNIST.stderr.split(separator: "\n").count == 1 && onMNIST.stderr.contains("inputs"), "\(onMNIST.stderr)")
    }

    @Test func aBinaryModelAnswersIsItClassEleven() throws {
        let data = try Self.makeSet()
        defer { try? FileManager.default.removeItem(at: data) }
        let metrics = data.appendingPathComponent("run.jsonl")
        let result = try mpitrain(["--model", "hidden", "--hidden", "8", "--positive-class", "11", "--epochs", "15", "--lr", "0.5",
                                   "--batch-size", "32", "--data", data.path, "--metrics", metrics.path])
        #expect(result.status == 0, "\(result.stderr)")
        let last = try #require(try readMetrics(metrics).last)
        #expect(last.digit == 11 && last.layerWidths == [35, 8, 1] && last.digitAccuracy?.count == 12)
        #expect(last.testAccuracy > 1 - 1.0 / 12, "better than always answering no: \(last.testAccuracy)")

        let outside = try mpitrain(["--model", "single", "--digit", "12", "--epochs", "1", "--data", data.path])
        #expect(outside.status != 0)
        #expect(outside.stderr.contains("--digit 12 is not a class of the data") && outside.stderr.contains("0–11"),
                "\(outside.stderr)")
    }

    /// Every thread count `--threads` takes works (33 and more crashed when a thread team split
    /// each phase into at most 32 shares), and gives the result of one thread up to float rounding.
    @Test func everyAcceptedThreadCountTrains() throws {
        let data = try Self.makeSet(train: 400, test: 100)
        defer { try? FileManager.default.removeItem(at: data) }
        var accuracies: [Double] = []
        for threads in [1, 33, 256] {
            let metrics = data.appendingPathComponent("threads-\(threads).jsonl")
            let result = try mpitrain(["--model", "multiclass", "--hidden", "16", "--epochs", "2", "--batch-size", "32",
                                       "--threads", String(threads), "--data", data.path, "--metrics", metrics.path])
            #expect(result.status == 0, "--threads \(threads): \(result.stderr)")
            accuracies += try readMetrics(metrics).map(\.testAccuracy)
        }
        #expect(accuracies.count == 6)
        #expect(abs(accuracies[3] - accuracies[1]) <= 0.02 && abs(accuracies[5] - accuracies[1]) <= 0.02, "\(accuracies)")
    }

    @Test func classNamesLabelTheTablesAndMustMatchTheClasses() throws {
        let data = try Self.makeSet(train: 400, test: 100)
        defer { try? FileManager.default.removeItem(at: data) }
        let names = (0..<12).map { "shape \(Character(UnicodeScalar(65 + $0)!))" }
        let namesFile = data.appendingPathComponent("names.txt"), metrics = data.appendingPathComponent("run.jsonl")
        try (names.joined(separator: "\n") + "\n").write(to: namesFile, atomically: true, encoding: .utf8)
        let result = try mpitrain(["--model", "multiclass", "--hidden", "16", "--epochs", "1", "--batch-size", "32",
                                   "--data", data.path, "--class-names", namesFile.path, "--metrics", metrics.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("shape A") && result.stdout.contains("shape L"), "\(result.stdout)")
        #expect(result.stdout.contains("| 1 epoch, batch 32") && result.stdout.contains("after 1 epoch: test loss"),
                "one epoch, not '1 epochs': \(result.stdout)")
        #expect(try readMetrics(metrics).last?.classNames == names)

        try names.dropLast().joined(separator: "\n").write(to: namesFile, atomically: true, encoding: .utf8)
        let short = try mpitrain(["--model", "multiclass", "--epochs", "1", "--data", data.path, "--class-names", namesFile.path])
        #expect(short.status != 0)
        #expect(short.stderr.split(separator: "\n").count == 1
                && short.stderr.contains("has 11 names, but the data has 12 classes"), "\(short.stderr)")
    }
}
