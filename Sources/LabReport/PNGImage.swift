import Foundation
import CZlib

/// A small RGB image encoded as PNG (8 bits per channel, zlib-compressed rows), to inline pixel
/// pictures (weights, test images) in the SVG figures as `data:` URIs instead of one rectangle per pixel.
struct PNGImage {
    /// Width and height in pixels.
    let width: Int, height: Int
    /// Red, green, blue per pixel, row by row: [height, width, 3].
    let rgb: [UInt8]

    /// The PNG file's bytes.
    var data: Data {
        var file = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func chunk(_ type: String, _ body: Data) {
            var length = UInt32(body.count).bigEndian
            file.append(Data(bytes: &length, count: 4))
            let typed = Data(type.utf8) + body
            file.append(typed)
            var crc = typed.withUnsafeBytes { UInt32(crc32_z(0, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), $0.count)) }.bigEndian
            file.append(Data(bytes: &crc, count: 4))
        }
        var header = Data()
        for value in [UInt32(width), UInt32(height)] { var big = value.bigEndian; header.append(Data(bytes: &big, count: 4)) }
        header.append(contentsOf: [8, 2, 0, 0, 0])    // 8 bits, RGB, deflate, no filter method, no interlace
        chunk("IHDR", header)
        var rows = [UInt8]()
        rows.reserveCapacity(height * (width * 3 + 1))
        for row in 0..<height {
            rows.append(0)    // filter: none
            rows += rgb[(row * width * 3)..<((row + 1) * width * 3)]
        }
        var size = compressBound(uLong(rows.count))
        var compressed = [UInt8](repeating: 0, count: Int(size))
        let status = compress2(&compressed, &size, rows, uLong(rows.count), 9)
        precondition(status == Z_OK, "zlib compress2 failed (\(status))")
        chunk("IDAT", Data(compressed[0..<Int(size)]))
        chunk("IEND", Data())
        return file
    }

    /// The image as a `data:image/png;base64,…` URI.
    var dataURI: String { "data:image/png;base64," + data.base64EncodedString() }
}
