import Foundation

/// MNIST, or any data set laid out like it (Fashion-MNIST, KMNIST...): four IDX files with the
/// standard names in one folder.
public struct MNIST: Sendable {
    public let train: LabeledImages
    public let test: LabeledImages
    /// Training images held out to choose the epoch and stop early (`holdingOut(_:seed:)`), never trained on.
    public let validation: LabeledImages?
    /// Classes of the data set: the largest training label + 1.
    public let classes: Int
    /// The CRC-32 of the four files as read (decompressed; training images, training labels, test
    /// images, test labels, in that order), which ranks compare to be sure they train on the same
    /// data; nil for a data set made in memory.
    public let filesCRC32: UInt32?

    /// The two sets of one data set.
    public init(train: LabeledImages, test: LabeledImages) {
        self.init(train: train, test: test, validation: nil, classes: train.classes, filesCRC32: nil)
    }

    init(train: LabeledImages, test: LabeledImages, validation: LabeledImages?, classes: Int, filesCRC32: UInt32?) {
        self.train = train
        self.test = test
        self.validation = validation
        self.classes = classes
        self.filesCRC32 = filesCRC32
    }

    /// The standard file name of the training images, without ".gz".
    public static let trainImages = "train-images-idx3-ubyte"
    /// The standard file name of the training labels, without ".gz".
    public static let trainLabels = "train-labels-idx1-ubyte"
    /// The standard file name of the test images, without ".gz".
    public static let testImages = "t10k-images-idx3-ubyte"
    /// The standard file name of the test labels, without ".gz".
    public static let testLabels = "t10k-labels-idx1-ubyte"

    /// The four standard file names, each found with or without ".gz" (the uncompressed one is
    /// preferred: it loads several times faster).
    public static func load(from directory: URL) throws(DataError) -> MNIST {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory)
        guard exists && isDirectory.boolValue else {
            throw DataError(path: directory.path, problem: exists ? "not a folder" : "no such folder", remedy: DataError.fetch)
        }
        func file(_ name: String) throws(DataError) -> URL {
            for candidate in [name, name + ".gz"] {
                let url = directory.appendingPathComponent(candidate)
                if FileManager.default.fileExists(atPath: url.path) { return url }
            }
            throw DataError(
                path: directory.appendingPathComponent(name).path,
                problem: "not found (nor \(name).gz)", remedy: DataError.fetch)
        }
        var crc32: UInt32 = 0
        let trainImagesURL = try file(trainImages)
        let train = try LabeledImages.load(images: trainImagesURL, labels: try file(trainLabels), crc32: &crc32)
        let testImagesURL = try file(testImages)
        let test = try LabeledImages.load(images: testImagesURL, labels: try file(testLabels), crc32: &crc32)
        for (set, url, what) in [(train, trainImagesURL, "training"), (test, testImagesURL, "test")] where set.count == 0 {
            throw DataError(path: url.path, problem: "holds 0 images; a \(what) set needs at least one",
                            remedy: "run scripts/fetch-mnist to restore it, or pass --data DIR with a complete data set")
        }
        guard (test.rows, test.columns) == (train.rows, train.columns) else {
            throw DataError(
                path: testImagesURL.path,
                problem: "images are \(test.rows)×\(test.columns) but the training images are \(train.rows)×\(train.columns)",
                remedy: "put the test and training files of one data set together")
        }
        let data = MNIST(train: train, test: test, validation: nil, classes: train.classes, filesCRC32: crc32), classes = data.classes
        guard classes >= 2 else {
            throw DataError(path: directory.appendingPathComponent(trainLabels).path,
                            problem: "names \(classes) class\(classes == 1 ? "" : "es"); a classifier needs at least 2",
                            remedy: "use the labels of a classification data set")
        }
        var trained = [Bool](repeating: false, count: 256)
        for label in train.labels { trained[Int(label)] = true }
        if let index = test.labels.firstIndex(where: { !trained[Int($0)] }) {
            let missing = (0..<classes).filter { !trained[$0] }
            let labels = "its labels are 0–\(classes - 1)" + (missing.isEmpty ? "" : " without \(missing.prefix(5).map(String.init).joined(separator: ", "))\(missing.count > 5 ? ", …" : "")")
            throw DataError(path: directory.appendingPathComponent(testLabels).path,
                            problem: "label \(test.labels[index]) at index \(index) is a class the training set never has (\(labels))",
                            remedy: "put the test and training files of one data set together")
        }
        return data
    }


    /// Where the data lives: `option` (--data DIR) if given, else $MPITRAIN_DATA, else the
    /// project's data folder.
    public static func locate(option: String?) -> URL {
        locate(option: option, environment: ProcessInfo.processInfo.environment)
    }

    static func locate(option: String?, environment: [String: String]) -> URL {
        if let option, !option.isEmpty { return URL(fileURLWithPath: option, isDirectory: true) }
        if let variable = environment["MPITRAIN_DATA"], !variable.isEmpty {
            return URL(fileURLWithPath: variable, isDirectory: true)
        }
        return projectDataDirectory
    }

    /// `<package root>/data`, where scripts/fetch-mnist puts the files. The root is found from
    /// this source file's path (Sources/NetCore/Data/MNIST.swift), right for a clone built in place.
    public static let projectDataDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Data
        .deletingLastPathComponent()  // NetCore
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()  // the package root
        .appendingPathComponent("data", isDirectory: true)
}
