import Foundation
import NetCore
import Testing

/// Every bad input ends the run with one line naming the problem and its fix, a non-zero status,
/// no partial file and no hang: single-process and under real `mpirun -np 2`.
@Suite(.serialized)
struct BadInputTests {
    struct Case: CustomStringConvertible, Sendable {
        var description: String
        var arguments: [String]
        var message: String
    }

    static let cases: [Case] = {
        let images = try! DataFolders.bytes(MNIST.trainImages), labels = try! DataFolders.bytes(MNIST.trainLabels)
        var testLabel10 = try! DataFolders.bytes(MNIST.testLabels)
        testLabel10[8 + 7] = 10
        let small = { (count: Int, side: Int) in
            (DataFolders.idx(magic: 0x803, dimensions: [count, side, side], elements: [UInt8](repeating: 1, count: count * side * side)),
             DataFolders.idx(magic: 0x801, dimensions: [count], elements: [UInt8](repeating: 3, count: count)))
        }
        let (images32, labels32) = small(100, 32)
        func folder(_ name: String, _ replacements: [String: [UInt8]?]) -> String {
            try! DataFolders.make(name, replacements).path
        }
        let scratch = try! temporaryFolder("bad-input")
        let aFile = scratch.appendingPathComponent("a-file")
        try! Data("x".utf8).write(to: aFile)
        let otherModel = scratch.appendingPathComponent("multiclass.safetensors")
        let model = ModelConfiguration(kind: .multiclass, hidden: 8)
        let network = Network(model, seed: 1)
        try! Checkpoint(network: network, optimizer: Optimizer(learningRate: 0.1, momentum: 0.9, parameterCount: network.parameterCount),
                        configuration: TrainingConfiguration(model: model, epochs: 2, batchSize: 64, learningRate: 0.1, momentum: 0.9, seed: 1),
                        position: TrainingPosition(epochsCompleted: 1), ranks: 1).write(to: otherModel)
        /// A data folder whose training images are a FIFO or a folder.
        func special(_ name: String, _ make: (String) -> Int32) -> String {
            let folder = folder(name, [MNIST.trainImages: nil])
            precondition(make(folder + "/" + MNIST.trainImages) == 0)
            return folder
        }
        let fifoCheckpoint = scratch.appendingPathComponent("fifo.safetensors").path
        precondition(mkfifo(fifoCheckpoint, 0o644) == 0)
        let corrupt = scratch.appendingPathComponent("corrupt.safetensors")
        try! Data(Array(try! Data(contentsOf: otherModel)).prefix(500)).write(to: corrupt)
        return [
            Case(description: "missing data folder", arguments: ["--data", "/nonexistent/mnist"], message: "/nonexistent/mnist: no such folder; run scripts/fetch-mnist or pass --data DIR"),
            Case(description: "missing data file", arguments: ["--data", folder("missing", [MNIST.testLabels: nil])], message: "t10k-labels-idx1-ubyte: not found (nor t10k-labels-idx1-ubyte.gz)"),
            Case(description: "truncated IDX", arguments: ["--data", folder("truncated", [MNIST.trainImages: Array(images.prefix(5000))])], message: "truncated: header says 60000 images of 28×28"),
            Case(description: "wrong magic", arguments: ["--data", folder("magic", [MNIST.trainLabels: Array(images.prefix(16))])], message: "holds images, not labels"),
            Case(description: "images file is a FIFO", arguments: ["--data", special("fifo") { mkfifo($0, 0o644) }], message: "train-images-idx3-ubyte: is a FIFO, not an IDX file; run scripts/fetch-mnist or pass --data DIR"),
            Case(description: "images file is a folder", arguments: ["--data", special("folder") { mkdir($0, 0o755) }], message: "train-images-idx3-ubyte: is a folder, not an IDX file; run scripts/fetch-mnist or pass --data DIR"),
            Case(description: "checkpoint is a FIFO", arguments: ["--resume", fifoCheckpoint], message: "checkpoint \(fifoCheckpoint) is a FIFO, not a checkpoint file; pass a file written by mpitrain --checkpoint"),
            Case(description: "image/label count mismatch", arguments: ["--data", folder("count", [MNIST.trainLabels: DataFolders.idx(magic: 0x801, dimensions: [59_999], elements: Array(labels[8..<(8 + 59_999)]))])], message: "holds 59999 labels but train-images-idx3-ubyte holds 60000 images"),
            Case(description: "test label the training set never has", arguments: ["--data", folder("label", [MNIST.testLabels: testLabel10])], message: "label 10 at index 7 is a class the training set never has (its labels are 0–9); put the test and training files of one data set together"),
            Case(description: "positive class not in the data", arguments: ["--data", folder("classes", [MNIST.trainImages: images32, MNIST.trainLabels: labels32, MNIST.testImages: images32, MNIST.testLabels: labels32])], message: "--digit 5 is not a class of the data in"),
            Case(description: "unknown --model", arguments: ["--model", "perceptron"], message: "The value 'perceptron' is invalid for '--model <model>'. Please provide one of 'single', 'hidden' or 'multiclass'."),
            Case(description: "--digit not a class of MNIST", arguments: ["--digit", "12"], message: "--digit 12 is not a class of the data in"),
            Case(description: "--digit beyond any class", arguments: ["--digit", "300"], message: "--digit 300 is not a class; use a label of the data (0–9 for MNIST)"),
            Case(description: "--hidden not a list of widths", arguments: ["--hidden", "64,x"], message: "give the hidden layer widths as whole numbers 1–65536 separated by commas"),
            Case(description: "--activation unknown", arguments: ["--model", "hidden", "--activation", "relu,swish"], message: "give sigmoid, relu or tanh"),
            Case(description: "--activation per layer miscounted", arguments: ["--model", "hidden", "--hidden", "8,4", "--activation", "relu,tanh,relu"], message: "--activation names 3 activations for 2 hidden layers"),
            Case(description: "--batch-size 0", arguments: ["--batch-size", "0"], message: "--batch-size 0 must be at least 1"),
            Case(description: "--batch-size larger than the training set", arguments: ["--batch-size", "60001"], message: "--batch-size 60001 is larger than the 60000 training images; use at most 60000"),
            Case(description: "--lr 0", arguments: ["--lr", "0"], message: "--lr 0.0 must be a positive number, e.g. 0.1"),
            Case(description: "--lr negative", arguments: ["--lr", "-0.5"], message: "--lr -0.5 must be a positive number, e.g. 0.1"),
            Case(description: "--lr not a number", arguments: ["--lr", "fast"], message: "The value 'fast' is invalid for '--lr <lr>': not a number; give a decimal number such as 0.1"),
            Case(description: "--seed negative", arguments: ["--seed", "-1"], message: "The value '-1' is invalid for '--seed <seed>': --seed takes a whole number from 0 to 18446744073709551615"),
            Case(description: "--epochs 0", arguments: ["--epochs", "0"], message: "--epochs 0 must be at least 1"),
            Case(description: "--threads 257", arguments: ["--threads", "257"], message: "--threads takes 1 to 256 worker threads per rank, not 257"),
            Case(description: "--threads 0", arguments: ["--threads", "0"], message: "--threads takes 1 to 256 worker threads per rank, not 0"),
            Case(description: "--stall-timeout 0", arguments: ["--stall-timeout", "0"], message: "--stall-timeout 0.0 must be a positive number of seconds, e.g. 120"),
            Case(description: "missing checkpoint", arguments: ["--resume", scratch.appendingPathComponent("none.safetensors").path], message: "none.safetensors does not exist; check the path"),
            Case(description: "corrupt checkpoint", arguments: ["--resume", corrupt.path], message: "corrupt.safetensors is not a valid safetensors file:"),
            Case(description: "not a checkpoint", arguments: ["--resume", aFile.path], message: "a-file is not a valid safetensors file: 1 bytes, too short"),
            Case(description: "other model's checkpoint", arguments: ["--resume", otherModel.path], message: "holds a multiclass 784→8→10 (sigmoid) model, not the single 784→1 (is it a 5?) this run trains; resume with the model options of the run that wrote it"),
            Case(description: "--optimizer unknown", arguments: ["--optimizer", "lion"], message: "The value 'lion' is invalid for '--optimizer <optimizer>'. Please provide one of 'sgd', 'adam' or 'adamw'."),
            Case(description: "--momentum with adam", arguments: ["--optimizer", "adam", "--momentum", "0.9"], message: "--momentum is SGD's; adam keeps its own moments (set them with --beta1 and --beta2), so drop --momentum or use --optimizer sgd"),
            Case(description: "--weight-decay negative", arguments: ["--weight-decay", "-0.1"], message: "--weight-decay -0.1 must be 0 or more, e.g. 0.0005"),
            Case(description: "--beta2 1", arguments: ["--optimizer", "adam", "--beta2", "1"], message: "--beta2 1.0 must be in [0, 1), e.g. 0.999"),
            Case(description: "--epsilon 0", arguments: ["--optimizer", "adam", "--epsilon", "0"], message: "--epsilon 0.0 must be positive, e.g. 1e-8"),
            Case(description: "--lr-warmup as long as the run", arguments: ["--lr-warmup", "1"], message: "--lr-warmup 1 must be 0 or more and fewer than the 1 epochs, e.g. 5"),
            Case(description: "--dropout 1", arguments: ["--model", "hidden", "--dropout", "1"], message: "give dropout rates in [0, 1), one for all hidden layers or one per layer separated by commas, e.g. 0.5 or 0.2,0.5"),
            Case(description: "--dropout miscounted", arguments: ["--model", "hidden", "--hidden", "8,4", "--dropout", "0.1,0.2,0.3"], message: "--dropout gives 3 rates for 2 hidden layers; give one for all, or one per hidden layer"),
            Case(description: "--dropout without hidden layers", arguments: ["--dropout", "0.5"], message: "--dropout acts on hidden layers, and this model has none; add --hidden, or drop --dropout"),
            Case(description: "--input-dropout 1", arguments: ["--input-dropout", "1"], message: "--input-dropout 1.0 must be in [0, 1), e.g. 0.2"),
            Case(description: "--input-dropout with --input sparse", arguments: ["--input-dropout", "0.2", "--input", "sparse"], message: "--input-dropout drops pixels batch by batch, which --input sparse cannot read; use --input dense or auto"),
            Case(description: "--augment unknown", arguments: ["--augment", "rotate"], message: "The value 'rotate' is invalid for '--augment <augment>'. Please provide one of 'shift' and 'elastic'."),
            Case(description: "--augment with --input sparse", arguments: ["--augment", "shift", "--input", "sparse"], message: "--augment distorts the images batch by batch, which --input sparse cannot read; use --input dense or auto"),
            Case(description: "metrics folder missing", arguments: ["--metrics", aFile.path + "/metrics.jsonl"], message: "cannot write --metrics \(aFile.path)/metrics.jsonl: folder \(aFile.path) does not exist"),
            Case(description: "checkpoint folder is a file", arguments: ["--checkpoint", aFile.path], message: "--checkpoint \(aFile.path) is a file, not a folder; choose another --checkpoint folder"),
            Case(description: "checkpoint folder cannot be created", arguments: ["--checkpoint", aFile.path + "/checkpoints"], message: "cannot create the --checkpoint folder"),
        ]
    }()

    private func check(_ result: RunResult, _ expected: Case, ranks: Int) {
        #expect(!result.timedOut, "\(expected): the job did not end")
        #expect(result.status != 0, "\(expected): exit status 0")
        let lines = errorLines(result)
        #expect(lines.count == 1, "\(expected), \(ranks) rank(s): expected one error line, got:\n\(result.stderr)")
        #expect(lines.first?.contains(expected.message) == true, "\(expected): \(result.stderr)")
        #expect(result.stderr.hasPrefix("mpitrain: error:"), "\(expected): the error is not the first thing printed:\n\(result.stderr)")
        #expect(!result.stdout.contains("epoch 1/"), "\(expected): training started")
    }

    @Test(arguments: cases)
    func singleProcess(_ expected: Case) throws {
        let result = try mpitrain(["--model", "single", "--epochs", "1"] + expected.arguments, timeout: 60)
        check(result, expected, ranks: 1)
    }

    @Test(arguments: cases)
    func twoRanks(_ expected: Case) throws {
        let result = try mpirun(ranks: 2, ["--model", "single", "--epochs", "1"] + expected.arguments, timeout: 60)
        check(result, expected, ranks: 2)
    }

    @Test func moreRanksThanTheBatchSplits() throws {
        let result = try mpirun(ranks: 2, ["--model", "single", "--batch-size", "1"], timeout: 60)
        check(result, Case(description: "batch 1 over 2 ranks", arguments: [],
                           message: "--batch-size 1 cannot be split over 2 ranks; use a batch of at least 2 or fewer ranks"), ranks: 2)
    }

    @Test func reportSaysWhatASeedIs() throws {
        let result = try mpitrain(["report", "--seed", "-1", "--epochs", "1"], timeout: 60)
        #expect(result.status == 64)
        #expect(errorLines(result) == ["mpitrain: error: The value '-1' is invalid for '--seed <seed>': --seed takes a whole number from 0 to 18446744073709551615 (see mpitrain --help)"],
                "\(result.stderr)")
    }

    private static let canMeasureBombs = ["/usr/bin/time", "/usr/bin/python3"].allSatisfy(FileManager.default.isExecutableFile)

    /// A 4.7 MB .gz whose IDX header describes 60,000 images of 28×28 (47 MB) but which inflates to
    /// 1 GiB: the load stops just past 47 MB (it took over 1 GB of memory before the error).
    @Test(.enabled(if: canMeasureBombs, "needs /usr/bin/time and /usr/bin/python3"))
    func aGzipBombStopsAtTheSizeItsHeaderDescribes() throws {
        let folder = try DataFolders.make("bomb", [MNIST.trainImages: nil])
        defer { try? FileManager.default.removeItem(at: folder) }
        let bomb = folder.appendingPathComponent(MNIST.trainImages + ".gz")
        let script = """
            import gzip, struct, sys
            with gzip.open(sys.argv[1], 'wb', compresslevel=1) as out:
                out.write(struct.pack('>IIII', 0x803, 60000, 28, 28))
                zeros = bytes(1 << 20)
                for _ in range(1024): out.write(zeros)
            """
        let made = try run(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", script, bomb.path])
        try #require(made.status == 0, "\(made.stderr)")
        let result = try run(URL(fileURLWithPath: "/usr/bin/time"),
                             ["-f", "max-rss-kb %M", Project.binary.path, "--model", "single", "--data", folder.path], timeout: 60)
        #expect(!result.timedOut)
        #expect(errorLines(result) == ["mpitrain: error: \(bomb.path): inflates to more than the 47040016 bytes its IDX header describes (a damaged file or a gzip bomb); run scripts/fetch-mnist to restore it"],
                "\(result.stderr)")
        let rss = try #require(result.stderr.firstMatch(of: /max-rss-kb (\d+)/).flatMap { Int($0.1) }, "\(result.stderr)")
        #expect(rss < 400_000, "the bomb took \(rss / 1000) MB")
    }

    @Test func noMetricsFileIsLeftByAFailedRun() throws {
        let folder = try temporaryFolder("no-partial")
        let metrics = folder.appendingPathComponent("metrics.jsonl")
        let result = try mpirun(ranks: 2, ["--model", "single", "--data", "/nonexistent", "--metrics", metrics.path,
                                           "--checkpoint", folder.appendingPathComponent("ck").path], timeout: 60)
        #expect(result.status != 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != "ck" } == [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("ck").path) == [])
    }
}
