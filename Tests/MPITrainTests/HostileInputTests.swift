import Foundation
import NetCore
import Testing

/// Inputs built to break the program — sizes that overflow, headers that ask for terabytes,
/// ragged matrices, FIFOs — each end with one line naming what is wrong, a non-zero exit and no
/// partial output: never a trap, an abort or a hang.
@Suite(.serialized)
struct HostileInputTests {
    private let folder: URL

    init() throws {
        folder = try temporaryFolder("hostile")
    }

    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    private func write(_ name: String, _ file: SafeTensors) throws -> String {
        try write(name, file.encoded())
    }

    // MARK: - Data sets

    @Test func aTestSetOfNoImagesIsRefusedAtLoad() throws {
        let empty = try DataFolders.make("empty-test", [
            MNIST.testImages: DataFolders.idx(magic: 0x803, dimensions: [0, 28, 28], elements: []),
            MNIST.testLabels: DataFolders.idx(magic: 0x801, dimensions: [0], elements: []),
        ])
        let train = try mpitrain(["--model", "single", "--epochs", "1", "--data", empty.path], timeout: 60)
        expectRefused(train, "t10k-images-idx3-ubyte: holds 0 images; a test set needs at least one")
        #expect(!train.stdout.contains("epoch 1/"), "it trained first:\n\(train.stdout)")
        let checkpoint = try write("single.safetensors", HostileFiles.checkpoint())
        let evaluate = try mpitrain(["evaluate", "--checkpoint", checkpoint, "--data", empty.path], timeout: 60)
        expectRefused(evaluate, "holds 0 images; a test set needs at least one")
    }

    @Test func aTestLabelTheTrainingSetNeverHasIsRefused() throws {
        var labels = try DataFolders.bytes(MNIST.trainLabels)
        for index in 8..<labels.count where labels[index] == 3 { labels[index] = 4 }
        let gap = try DataFolders.make("label-gap", [MNIST.trainLabels: labels])
        let result = try mpitrain(["--model", "single", "--epochs", "1", "--data", gap.path], timeout: 60)
        expectRefused(result, "is a class the training set never has (its labels are 0–9 without 3)")
    }

    /// A 400 KB .gz of zeros whose header claims 2³¹−1 images: inflating stops at 100 times the
    /// file's size (40 MB), not at the 1.7 TB the header describes or the 400 MB the data holds.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "needs /usr/bin/time"))
    func aGzipBombIsBoundedByItsCompressedSize() throws {
        let bomb = try DataFolders.make("bomb-size", [MNIST.trainImages: nil])
        let file = bomb.appendingPathComponent(MNIST.trainImages + ".gz")
        let script = """
            import gzip, struct, sys
            with gzip.open(sys.argv[1], 'wb', compresslevel=9) as out:
                out.write(struct.pack('>IIII', 0x803, 2**31 - 1, 28, 28))
                zeros = bytes(1 << 20)
                for _ in range(400): out.write(zeros)
            """
        let made = try run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, file.path])
        try #require(made.status == 0, "\(made.stderr)")
        let result = try run(URL(fileURLWithPath: "/usr/bin/time"),
                             ["-f", "max-rss-kb %M", Project.binary.path, "--model", "single", "--data", bomb.path], timeout: 60)
        let lines = result.stderr.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("max-rss-kb") && !$0.hasPrefix("Command exited") }
        #expect(result.status != 0 && lines.count == 1, "\(result.stderr)")
        #expect(lines.first?.contains("inflates to more than 100 times its") == true, "\(result.stderr)")
        let rss = try #require(result.stderr.firstMatch(of: /max-rss-kb (\d+)/).flatMap { Int($0.1) }, "\(result.stderr)")
        #expect(rss < 200_000, "the bomb took \(rss / 1000) MB")
    }

    // MARK: - Checkpoints

    /// Every command that reads a checkpoint, on `path`.
    private func everyReader(_ path: String) -> [[String]] {
        let out = folder.appendingPathComponent("export-\(UUID().uuidString).safetensors").path
        return [["evaluate", "--checkpoint", path], ["predict", "--checkpoint", path, Project.root.appendingPathComponent("data/t10k-images-idx3-ubyte").path],
                ["export", "--format", "pytorch", path, out], ["--model", "single", "--epochs", "2", "--resume", path]]
    }

    @Test func aTensorShapeWhoseSizeOverflowsIsRefused() throws {
        let valid = HostileFiles.checkpoint()
        let bytes = try HostileFiles.raw(header: ["__metadata__": valid.metadata,
                                                  "dense1.weights": ["dtype": "F32", "shape": [2_305_843_009_213_693_952], "data_offsets": [0, 4]]],
                                         data: [0, 0, 0, 0])
        let path = try write("overflow.safetensors", bytes)
        for command in everyReader(path) {
            expectRefused(try mpitrain(command, timeout: 60),
                          "is not a valid safetensors file: tensor \"dense1.weights\" has the shape F32 [2305843009213693952], more bytes than any file holds")
        }
    }

    @Test(arguments: [("hidden width 10⁹", "declares a model that cannot be built (hidden layer widths must be at most 65536, got 1000000000)"),
                      ("inputs 2⁴⁰", "declares a model that cannot be built (inputs must be at most 16777216"),
                      ("batch 2⁶²", "declares a batch size of 4611686018427387904, expected 1–4294967295")])
    func absurdMetadataIsRefusedBeforeAllocating(_ case: (String, String)) throws {
        let file = try HostileFiles.editingTraining(HostileFiles.checkpoint(ModelConfiguration(kind: .hidden, hidden: 8))) { training in
            var model = training["model"] as! [String: Any]
            switch `case`.0 {
            case "hidden width 10⁹": model["hidden"] = [1_000_000_000]
            case "inputs 2⁴⁰": model["inputs"] = 1 << 40
            default: training["batchSize"] = 1 << 62
            }
            training["model"] = model
        }
        let path = try write("absurd.safetensors", file)
        for command in everyReader(path) where command[0] != "--model" {
            expectRefused(try mpitrain(command, timeout: 60), `case`.1)
        }
    }

    @Test func tensorsThatAreNotTheDeclaredModelsAreRefused() throws {
        var file = HostileFiles.checkpoint()
        file.tensors["dense1.weights"] = SafeTensors.Tensor([Float](repeating: 0, count: 784 * 3), shape: [784, 3])
        file.metadata["data_crc32"] = nil
        let path = try write("reshaped.safetensors", file)
        expectRefused(try mpitrain(["evaluate", "--checkpoint", path], timeout: 60),
                      "has tensor \"dense1.weights\" as F32 [784, 3], but its single 784→1 (is it a 5?) model needs F32 [784, 1]")
    }

    /// A 1 GB (sparse) file whose header declares a single neuron but whose tensor fills the file:
    /// refused from its header, before a byte of its data is read (it was read whole, then copied).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "needs /usr/bin/time"))
    func aCheckpointTooLargeForItsModelCostsNothing() throws {
        let valid = HostileFiles.checkpoint()
        let count = 1 << 28   // floats: 1 GiB
        var header = try HostileFiles.raw(header: ["__metadata__": valid.metadata.filter { $0.key != "data_crc32" },
                                                   "dense1.weights": ["dtype": "F32", "shape": [count / 8, 8], "data_offsets": [0, 4 * count]]],
                                          data: [])
        let path = try write("large.safetensors", header)
        header = []
        try #require(truncate(path, off_t(try Data(contentsOf: URL(fileURLWithPath: path)).count + 4 * count)) == 0)
        let result = try run(URL(fileURLWithPath: "/usr/bin/time"),
                             ["-f", "max-rss-kb %M", Project.binary.path, "evaluate", "--checkpoint", path], timeout: 60)
        let lines = result.stderr.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("max-rss-kb") && !$0.hasPrefix("Command exited") }
        #expect(result.status != 0 && lines.count == 1, "\(result.stderr)")
        #expect(lines.first?.contains("has no tensor \"dense1.bias\", which its single 784→1 (is it a 5?) model needs") == true, "\(result.stderr)")
        let rss = try #require(result.stderr.firstMatch(of: /max-rss-kb (\d+)/).flatMap { Int($0.1) }, "\(result.stderr)")
        #expect(rss < 200_000, "reading the checkpoint took \(rss / 1000) MB")
    }

    @Test func anEpochCorrectCountPastTheImagesSeenIsRefused() throws {
        var file = HostileFiles.checkpoint()
        file.metadata["epoch_correct"] = "1e308"
        let path = try write("correct.safetensors", file)
        expectRefused(try mpitrain(["evaluate", "--checkpoint", path], timeout: 60), "has \"epoch_correct\": \"1e308\" in its metadata, expected a whole count of 0–0")
    }

    // MARK: - Models

    @Test(arguments: [1, 2])
    func aModelLargerThanTheNodesMemoryIsRefusedWithWhatItNeeds(ranks: Int) throws {
        let result = try train(ranks: ranks, ["--model", "multiclass", "--epochs", "1", "--hidden", "65536,65536,65536,65536"], timeout: 60)
        expectRefused(result, "has 12.9 billion parameters and needs")
        #expect(result.stderr.contains("of memory to train with a batch of") && result.stderr.contains("but this node has"), "\(result.stderr)")
    }

    // MARK: - Images

    @Test func aPGMHeaderWhoseSizeOverflowsIsRefused() throws {
        let checkpoint = try write("multiclass.safetensors", HostileFiles.checkpoint(ModelConfiguration(kind: .multiclass, hidden: 8)))
        let image = try write("huge.pgm", Array("P5 4294967296 4294967296 255\n".utf8) + [0, 0, 0])
        expectRefused(try mpitrain(["predict", "--checkpoint", checkpoint, image], timeout: 60),
                      "has a PGM header of 4294967296×4294967296, maximum 255, which is not a usable image")
    }

    @Test func aFIFOWithoutAWriterIsRefusedAndAPipeIsRead() throws {
        let checkpoint = try write("multiclass.safetensors", HostileFiles.checkpoint(ModelConfiguration(kind: .multiclass, hidden: 8)))
        let fifo = folder.appendingPathComponent("fifo").path
        try #require(mkfifo(fifo, 0o644) == 0)
        expectRefused(try mpitrain(["predict", "--checkpoint", checkpoint, fifo], timeout: 30), "\(fifo) is a FIFO or pipe that gave no data")
        let png = folder.appendingPathComponent("digit.pgm").path
        try Data(Pictures.pgm(width: 28, height: 28, pixels: try Pictures.mnistDigit(0), binary: true)).write(to: URL(fileURLWithPath: png))
        let piped = try run(URL(fileURLWithPath: "/bin/bash"),
                            ["-c", "exec \"$0\" predict --checkpoint \"$1\" <(cat \"$2\")", Project.binary.path, checkpoint, png], timeout: 30)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdoutLines.count == 1 && piped.stdoutLines.first?.hasPrefix("/dev/fd/") == true, "\(piped.stdout)")
    }

    // MARK: - Class names

    @Test func classNamesWithCRLFLineEndingsAreOneNamePerLine() throws {
        let names = try write("names.txt", Array((0...9).map { "digit \($0)" }.joined(separator: "\r\n").utf8) + [13, 10])
        let result = try mpitrain(["--model", "multiclass", "--hidden", "8", "--epochs", "1", "--class-names", names], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("digit 0  digit 1") && result.stdout.contains("digit 9\n"), "\(result.stdout)")
        let huge = try write("huge-names.txt", [UInt8](repeating: UInt8(ascii: "a"), count: 2 << 20))
        expectRefused(try mpitrain(["--model", "multiclass", "--epochs", "1", "--class-names", huge], timeout: 60),
                      "--class-names \(huge) has 2097152 bytes, more than the 1048576 it may have")
    }

    // MARK: - Metrics files

    /// One epoch line of a single neuron, with `extra` JSON members.
    private func epochLine(_ extra: String = "", seconds: String = "2", samples: String = "30000") -> String {
        "{\"model\":\"multiclass\",\"epoch\":1,\"epochs\":1,\"train_loss\":0.3,\"test_loss\":0.3,\"train_accuracy\":0.9,"
            + "\"test_accuracy\":0.9,\"seconds\":\(seconds),\"samples_per_second\":\(samples)\(extra)}"
    }

    @Test func aRaggedConfusionMatrixIsRefusedNamingTheLine() throws {
        let metrics = try write("ragged.jsonl", Array((epochLine() + "\n" + epochLine(",\"confusion\":[[1,2],[3]]") + "\n").utf8))
        let out = folder.appendingPathComponent("report-ragged").path
        expectRefused(try mpitrain(["report", "--from", metrics, "--out", out], timeout: 60),
                      "ragged.jsonl:2: not a metrics line: a confusion matrix that is not square (2, 1 cells in its 2 rows)")
        #expect(!FileManager.default.fileExists(atPath: out + "/report.md"))
    }

    @Test(arguments: [("no runs", "\"runs\":[]", "", "configuration 1 has no runs"),
                      ("ranks 2⁶²", "\"ranks\":4611686018427387904", "", "configuration 1 has ranks 4611686018427387904"),
                      ("0 seconds", "", "0", "epoch 1 took 0.0 seconds"),
                      ("1e300 samples/s", "", "1e300", "outside 0–1000000000000.0")])
    func aScalingSweepOutOfRangeIsRefusedInOneLine(_ case: (String, String, String, String)) throws {
        let sweep = folder.appendingPathComponent("sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: sweep.appendingPathComponent("runs"), withIntermediateDirectories: true)
        let run = `case`.2 == "" ? epochLine() : `case`.2 == "0" ? epochLine(seconds: "0", samples: "0") : epochLine(samples: `case`.2)
        try Data((run + "\n").utf8).write(to: sweep.appendingPathComponent("runs/a.jsonl"))
        var configuration = ["\"mode\":\"strong\"", "\"ranks\":1", "\"threads\":1", "\"global_batch\":64", "\"runs\":[\"a.jsonl\"]"]
        if !`case`.1.isEmpty {
            let key = `case`.1.split(separator: ":")[0]
            configuration = configuration.filter { !$0.hasPrefix(key) } + [`case`.1]
        }
        let description = "{\"cores\":2,\"title\":\"t\",\"header\":[],\"configurations\":[{\(configuration.joined(separator: ","))}]}"
        try Data(description.utf8).write(to: sweep.appendingPathComponent("runs/sweep.json"))
        let result = try mpitrain(["scaling-summary", sweep.appendingPathComponent("runs/sweep.json").path], timeout: 60)
        expectRefused(result, `case`.3)
        #expect(!FileManager.default.fileExists(atPath: sweep.appendingPathComponent("scaling.csv").path))
    }
}
