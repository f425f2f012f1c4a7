/// An 8-bit grey image as files store it: 0 is black, 255 white.
public struct GreyImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major, [height, width].
    public let pixels: [UInt8]

    /// An image of `width` × `height` `pixels` (which must hold exactly that many).
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height, "pixels do not match the size")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

/// Why an image file cannot be used: one line naming the file, the problem and what to do.
public struct ImageError: Error, CustomStringConvertible, Sendable {
    /// The file concerned.
    public var path: String
    /// What is wrong with it.
    public let problem: String
    /// What to do about it.
    public let remedy: String

    public var description: String { "\(path) \(problem); \(remedy)" }

    public init(path: String = "", problem: String, remedy: String = ImageError.supportedFiles) {
        self.path = path
        self.problem = problem
        self.remedy = remedy
    }

    /// The usual remedy: the kinds of file `ImageFile` reads.
    public static let supportedFiles = "pass a PNG or PGM (P2/P5) image, or an IDX images file"

    func at(_ path: String) -> ImageError { ImageError(path: path, problem: problem, remedy: remedy) }
}
