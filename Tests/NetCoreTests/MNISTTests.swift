import Foundation
import Testing
@testable import NetCore

/// IDX files made in a temporary folder: a small valid set, and damaged ones that must be refused
/// with a message naming the file and the problem.
@Suite struct IDXTests {
    static func imagesFile(count: Int, rows: Int, columns: Int, magic: UInt32 = 0x0803, pixels: [UInt8]? = nil) -> [UInt8] {
        bigEndian([magic, UInt32(count), UInt32(rows), UInt32(columns)])
            + (pixels ?? (0..<count * rows * columns).map { UInt8(truncatingIfNeeded: $0 * 37) })
    }

    static func labelsFile(_ labels: [UInt8], count: Int? = nil) -> [UInt8] {
        bigEndian([0x0801, UInt32(count ?? labels.count)]) + labels
    }

    static func bigEndian(_ words: [UInt32]) -> [UInt8] {
        words.flatMap { word in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: word >> $0) } }
    }

    /// A folder with the four standard names: 3 training and 2 test images of 2×2.
    static func writeSet(_ files: TestFiles) throws {
        try files.write(MNIST.trainImages, imagesFile(count: 3, rows: 2, columns: 2))
        try files.write(MNIST.trainLabels, labelsFile([5, 0, 7]))
        try files.write(MNIST.testImages, imagesFile(count: 2, rows: 2, columns: 2))
        try files.write(MNIST.testLabels, labelsFile([7, 0]))
    }

    /// The message `MNIST.load` gives for the folder, or "loaded".
    static func loadProblem(_ files: TestFiles) -> String {
        do {
            _ = try MNIST.load(from: files.directory)
            return "loaded"
        } catch {
            return error.description
        }
    }

    @Test func smallSetLoads() throws {
        let files = try TestFiles()
        defer { files.remove() }
        try Self.writeSet(files)
        let mnist = try MNIST.load(from: files.directory)
        #expect(mnist.train.count == 3 && mnist.train.rows == 2 && mnist.train.columns == 2)
        #expect(mnist.train.pixelsPerImage == 4)
        #expect(mnist.train.labels == [5, 0, 7])
        #expect(mnist.test.labels == [7, 0])
        #expect(mnist.classes == 8, "the largest training label + 1")
        let bytes = (0..<12).map { UInt8(truncatingIfNeeded: $0 * 37) }
        #expect(mnist.train.pixels == bytes, "the images' bytes as they are in the file")
    }

    @Test func gzipFilesAreFoundAndRecognisedByContent() throws {
        let files = try TestFiles()
        defer { files.remove() }
        try Self.writeSet(files)
        let plain = try MNIST.load(from: files.directory)
        // train images only as .gz; test labels gzip-compressed under the plain name.
        let trainImages = files.directory.appendingPathComponent(MNIST.trainImages)
        try files.write(MNIST.trainImages + ".gz", files.gzip(try [UInt8](Data(contentsOf: trainImages))))
        try FileManager.default.removeItem(at: trainImages)
        let testLabels = files.directory.appendingPathComponent(MNIST.testLabels)
        try files.write(MNIST.testLabels, files.gzip(try [UInt8](Data(contentsOf: testLabels))))
        let mixed = try MNIST.load(from: files.directory)
        #expect(mixed.train.pixels == plain.train.pixels)
        #expect(mixed.test.labels == plain.test.labels)
    }

    @Test func theUncompressedFileIsPreferred() throws {
        let files = try TestFiles()
        defer { files.remove() }
        try Self.writeSet(files)
        try files.write(MNIST.trainLabels + ".gz", files.gzip(Self.labelsFile([1, 1, 1])))
        #expect(try MNIST.load(from: files.directory).train.labels == [5, 0, 7])
    }

    @Test func truncatedFile() throws {
        let files = try TestFiles()
        defer { files.remove() }
        try Self.writeSet(files)
        let path = try files.write(MNIST.trainImages, Array(Self.imagesFile(count: 3, rows: 2, columns: 2)[..<20])).path
        #expect(Self.loadProblem(files) == """
            \(path): truncated: header says 3 images of 2×2 (28 bytes) but the file has 20 bytes; \
            run scripts/fetch-mnist to restore it
            """)
        try files.write(MNIST.trainImages, [0, 0, 8, 3, 0, 0])
        #expect(Self.loadProblem(files) == """
            \(path): truncated: the file has 6 bytes, too few for the 16-byte IDX header; \
            run scripts/fetch-mnist to restore it
            """)
    }

    @Test func truncatedInsideGzip() throws {
        let files = try TestFiles()
        defer { files.remove() }
        try Self.writeSet(files)
        let compressed = try files.gzip(Self.imagesFile(count: 3, rows: 2, columns: 2))
        let path = try files.write(MNIST.trainImages, Array(compressed[..<(compressed.count - 5)])).path
        #expect(Self.loadProblem(files) == """
            \(path): corrupt gzip file: truncated gzip data: the stream ends early; run scripts/fetch-mnist to restore it
            """)
        // A complete gzip stream of an incomplete IDX file.
        try files.write(MNIST.trainImages, files.gzip(Array(Self.imagesFile(count: 3, rows: 2, columns: 2)[..<27])))
        #expect(Self.loadProblem(files).hasPrefix("\(path): truncated: header says 3 images of 2×2 (28 bytes) but it decompresses to 27 bytes"))
    }

    @Test func corruptGzip() throws {
        let files = try TestFiles()
        defer { files.remove() }
        try Self.writeSet(files)
        var compressed = try files.gzip(Self.labelsFile([5, 0, 4]))
        compressed[compressed.count - 8] ^= 0xFF  // the stored CRC-32
        let path = try files.write(MNIST.trainLabels, compressed).path
        #expect(Self.loadProblem(files) == "\(path): corrupt gzip file: incorrect data check (its CRC-32 does not match); run scripts/fetch-mnist to restore it")
    }

    @Test func aGzipBombStopsPastTheSizeItsHeaderDescribes() throws {
        let files = try TestFiles()
        defer { files.remove() }
        try Self.writeSet(files)
        try FileManager.default.removeItem(at: files.directory.appendingPathComponent(MNIST.trainImages))
        let bomb = Self.imagesFile(count: 3, rows: 2, columns: 2) + [UInt8](repeating: 0, count: 4 << 20)
        try files.write(MNIST.trainImages + ".gz", try files.gzip(bomb))
        #expect(Self.loadProblem(files).contains("train-images-idx3-ubyte.gz: inflates to more than the 28 bytes its IDX header describes"),
                "\(Self.loadProblem(files))")
    }

    @Test func trailingBytes() throws {
        let files = try TestFiles()
        defer { files.remove() }
        try Self.writeSet(files)
        let path = try files.write(MNIST.testLabels, Self.labelsFile([7, 2]) + [0, 0]).path
        #expect(Self.loadProblem(files) == """
            \(path): trailing bytes: header says 2 labels (10 bytes) but the file has 12 bytes; \
            run scripts/fetch-mnist to restore it
            """)
    }

    @Test func wrongMagicNumbers() throws {
        let files = try TestFiles()
        defer { files.remove() }
        try Self.writeSet(files)
        let path = try files.write(MNIST.trainImages, Self.imagesFile(count: 3, rows: 2, columns: 2, magic: 0x8950_4E47)).path
        #expect(Self.loadProblem(files) == """
            \(path): not an IDX images file: magic number 0x89504E47, expected 0x00000803; \
            run scripts/fetch-mnist to restore it
            """)
        try files.write(MNIST.trainImages, Self.imagesFile(count: 3, rows: 2, columns: 2, magic: 0x0D03))
        #expect(Self.loadProblem(files).hasPrefix("\(path): element type 0x0D is not unsigned byte (0x08)"))
        try files.write(MNIST.trainImages, Self.labelsFile([5, 0, 4]))
        #expect(Self.loadProblem(files).hasPrefix("\(path): holds labels, not images: magic number 0x00000801"))
    }

    @Test func imagesAndLabelsDisagreeInCount() throws {
        let files = try TestFiles()
        defer { files.remove() }
        try Self.writeSet(files)
        let path = try files.write(MNIST.testLabels, Self.labelsFile([7, 2, 1])).path
        #expect(Self.loadProblem(files) == """
            \(path): holds 3 labels but t10k-images-idx3-ubyte holds 2 images; run scripts/fetch-mnist to restore them
            """)
    }

    @Test func labelsBeyondTheDigitsMakeMoreClasses() throws {
        let files = try TestFiles()
        defer { files.remove() }
        try Self.writeSet(files)
        try files.write(MNIST.trainLabels, Self.labelsFile([0, 25, 7]))
        #expect(try MNIST.load(from: files.directory).classes == 26)
    }

    @Test func aTestLabelTheTrainingSetNeverHasIsRefused() throws {
        let files = try TestFiles()
        defer { files.remove() }
        try Self.writeSet(files)
        try files.write(MNIST.trainLabels, Self.labelsFile([5, 0, 4]))
        #expect(Self.loadProblem(files) == """
            \(files.directory.appendingPathComponent(MNIST.testLabels).path): label 7 at index 0 is a class the training set never has (its labels are 0–5 without 1, 2, 3); put the test and training files of one data set together
            """)
        // Within the classes' range but in a gap of the training labels: refused too (the README says so).
        try files.write(MNIST.trainLabels, Self.labelsFile([5, 0, 7]))
        try files.write(MNIST.testLabels, Self.labelsFile([7, 3]))
        #expect(Self.loadProblem(files).contains("label 3 at index 1 is a class the training set never has (its labels are 0–7 without 1, 2, 3, 4, 6)"))
    }

    @Test func aSingleClassIsRefused() throws {
        let files = try TestFiles()
        defer { files.remove() }
        try Self.writeSet(files)
        try files.write(MNIST.trainLabels, Self.labelsFile([0, 0, 0]))
        try files.write(MNIST.testLabels, Self.labelsFile([0, 0]))
        #expect(Self.loadProblem(files).contains("names 1 class; a classifier needs at least 2"))
    }

    @Test func testImagesOfAnotherSize() throws {
        let files = try TestFiles()
        defer { files.remove() }
        try Self.writeSet(files)
        try files.write(MNIST.testImages, Self.imagesFile(count: 2, rows: 3, columns: 3))
        #expect(Self.loadProblem(files).contains("images are 3×3 but the training images are 2×2"))
    }

    @Test func missingFolderAndFile() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let folder = files.directory.appendingPathComponent("nowhere")
        #expect(throws: DataError.self) { try MNIST.load(from: folder) }
        do {
            _ = try MNIST.load(from: folder)
        } catch {
            #expect(error.description == "\(folder.path): no such folder; run scripts/fetch-mnist or pass --data DIR")
        }
        try Self.writeSet(files)
        let file = files.directory.appendingPathComponent(MNIST.trainLabels)
        #expect(throws: DataError.self) { try MNIST.load(from: file) }
        do {
            _ = try MNIST.load(from: file)
        } catch {
            #expect(error.description == "\(file.path): not a folder; run scripts/fetch-mnist or pass --data DIR")
        }
        try FileManager.default.removeItem(at: files.directory.appendingPathComponent(MNIST.testImages))
        #expect(Self.loadProblem(files) == """
            \(files.directory.appendingPathComponent(MNIST.testImages).path): not found (nor t10k-images-idx3-ubyte.gz); \
            run scripts/fetch-mnist or pass --data DIR
            """)
    }

    @Test func locateFollowsOptionThenEnvironmentThenProject() {
        #expect(MNIST.locate(option: "/somewhere/fashion", environment: ["MPITRAIN_DATA": "/env"]).path == "/somewhere/fashion")
        #expect(MNIST.locate(option: nil, environment: ["MPITRAIN_DATA": "/env"]).path == "/env")
        #expect(MNIST.locate(option: nil, environment: [:]) == MNIST.projectDataDirectory)
        #expect(MNIST.projectDataDirectory.path == TestFiles.packageRoot.appendingPathComponent("data").path)
    }
}

/// The real MNIST files: uncompressed in the project's data folder (after scripts/fetch-mnist),
/// and gzip-compressed in ../shared/data/mnist.
@Suite struct MNISTTests {
    static let dataFolderIsFilled = TestFiles.exists(MNIST.projectDataDirectory.appendingPathComponent(MNIST.trainImages))

    static func checkStandardMNIST(_ mnist: MNIST) {
        #expect(mnist.train.count == 60_000 && mnist.test.count == 10_000)
        #expect(mnist.train.rows == 28 && mnist.train.columns == 28)
        #expect(mnist.test.rows == 28 && mnist.test.columns == 28)
        #expect(mnist.train.pixels.count == 60_000 * 784 && mnist.test.pixels.count == 10_000 * 784)
        #expect(mnist.train.labels.prefix(5) == [5, 0, 4, 1, 9])
        #expect(mnist.test.labels.prefix(5) == [7, 2, 1, 0, 4])
        #expect(mnist.test.labels.count(where: { $0 == 5 }) == 892)
        // The first training image (a 5): dark corner, saturated strokes.
        let first = mnist.train.pixels[0..<784]
        #expect(first[first.startIndex] == 0 && first.max() == 255 && first.min() == 0)
    }

    @Test(.enabled(if: dataFolderIsFilled, "data/ has no MNIST files: run scripts/fetch-mnist"))
    func uncompressedFromTheDataFolder() throws {
        Self.checkStandardMNIST(try MNIST.load(from: MNIST.locate(option: nil, environment: [:])))
    }

    @Test(.enabled(if: TestFiles.exists(TestFiles.sharedMNIST), "no ../shared/data/mnist beside the clone"))
    func gzipFromTheSharedFolder() throws {
        let mnist = try MNIST.load(from: TestFiles.sharedMNIST)
        Self.checkStandardMNIST(mnist)
        if Self.dataFolderIsFilled {
            let plain = try LabeledImages.load(
                images: MNIST.projectDataDirectory.appendingPathComponent(MNIST.testImages),
                labels: MNIST.projectDataDirectory.appendingPathComponent(MNIST.testLabels))
            #expect(plain.pixels == mnist.test.pixels && plain.labels == mnist.test.labels)
        }
    }
}
