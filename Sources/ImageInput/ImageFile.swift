import Foundation

/// An image file by its content, not its name: PNG (its signature) or PGM (P2/P5).
public enum ImageFile {
    /// Reads and decodes the image at `url`.
    public static func read(_ url: URL) throws(ImageError) -> GreyImage {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            let exists = FileManager.default.fileExists(atPath: url.path)
            throw ImageError(path: url.path, problem: exists ? "is not readable" : "does not exist", remedy: "check the path")
        }
        return try decode([UInt8](data), path: url.path)
    }

    /// Decodes a file's `bytes`, naming `path` in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(ImageError) -> GreyImage {
        do {
            if bytes.starts(with: PNGImage.signature) { return try PNGImage.decode(bytes) }
            if PGMImage.matches(bytes) { return try PGMImage.decode(bytes) }
        } catch {
            throw error.at(path)
        }
        throw ImageError(path: path, problem: "is neither PNG nor PGM")
    }
}
