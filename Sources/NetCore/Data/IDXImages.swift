import Foundation

/// An IDX images file on its own, without labels (what `predict` classifies): [count, rows, columns]
/// unsigned bytes, gzip-compressed or not.
public struct IDXImages: Sendable {
    public let count: Int
    public let rows: Int, columns: Int
    /// [count, rows × columns], 0 = background.
    public let pixels: [UInt8]

    /// Whether a file starting with `bytes` is an IDX images file (magic 0x00000803) or gzip data.
    public static func matches(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0, 0, 8, 3]) || bytes.starts(with: [0x1F, 0x8B])
    }

    /// Reads and checks the IDX images file at `url`.
    public init(contentsOf url: URL) throws(DataError) {
        let file = try IDXFile(url, kind: .images)
        (count, rows, columns) = (file.dimensions[0], file.dimensions[1], file.dimensions[2])
        pixels = file.elements()
    }
}
