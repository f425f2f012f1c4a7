/// Why a data set could not be loaded, as one line that names the file, says what is wrong
/// and what to do, e.g. `…/train-images-idx3-ubyte.gz: truncated: header says 60000 images of
/// 28×28 (47040016 bytes) but the file has 1000 bytes; run scripts/fetch-mnist to restore it`.
public struct DataError: Error, CustomStringConvertible {
    /// The file or folder concerned.
    public let path: String
    /// What is wrong with it.
    public let problem: String
    /// What to do about it.
    public let remedy: String

    /// The one-line message: `path: problem; remedy`.
    public var description: String { "\(path): \(problem); \(remedy)" }

    init(path: String, problem: String, remedy: String = DataError.restore) {
        self.path = path
        self.problem = problem
        self.remedy = remedy
    }

    /// For a file that is there but damaged.
    static let restore = "run scripts/fetch-mnist to restore it"
    /// For a file or folder that is not there.
    static let fetch = "run scripts/fetch-mnist or pass --data DIR"
}
