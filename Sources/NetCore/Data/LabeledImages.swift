import Foundation

/// One IDX image/label pair, e.g. the 60,000 training images.
public struct LabeledImages: Sendable {
    public let count: Int
    public let rows: Int, columns: Int
    public var pixelsPerImage: Int { rows * columns }
    /// Each image's pixels, row by row, as the IDX file's bytes; the network reads byte / 255.
    public let pixels: [UInt8]   // [count, rows*columns]
    public let labels: [UInt8]   // [count]

    /// Classes the labels name: the largest label + 1 (0 for an empty set).
    public var classes: Int { labels.max().map { Int($0) + 1 } ?? 0 }

    /// A set made in memory (e.g. a small synthetic one for a test).
    public init(rows: Int, columns: Int, pixels: [UInt8], labels: [UInt8]) {
        precondition(pixels.count == labels.count * rows * columns, "pixels must be [count, rows*columns]")
        self.count = labels.count
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
        self.labels = labels
    }

    /// Reads an IDX images file and its IDX labels file (each gzip-compressed or not), checks them
    /// and that they agree in count. Labels are class numbers 0…255.
    public static func load(images imagesURL: URL, labels labelsURL: URL) throws(DataError) -> LabeledImages {
        var crc32: UInt32 = 0
        return try load(images: imagesURL, labels: labelsURL, crc32: &crc32)
    }

    /// `load(images:labels:)`, carrying `crc32` on over the images file, then the labels file (as decompressed).
    static func load(images imagesURL: URL, labels labelsURL: URL, crc32: inout UInt32) throws(DataError) -> LabeledImages {
        let images = try IDXFile(imagesURL, kind: .images)
        let labels = try IDXFile(labelsURL, kind: .labels)
        guard labels.count == images.count else {
            throw DataError(
                path: labels.path,
                problem: "holds \(labels.count) labels but \(imagesURL.lastPathComponent) holds \(images.count) images",
                remedy: "run scripts/fetch-mnist to restore them")
        }
        let pixels = images.elements(crc32: &crc32)
        return LabeledImages(
            rows: images.dimensions[1], columns: images.dimensions[2],
            pixels: pixels, labels: labels.elements(crc32: &crc32))
    }
}
