import CPNG
import Foundation
import NetCore

/// Image files for the `predict` tests: PNG written through libpng, PGM by hand, and MNIST's own
/// test digits to draw them from.
enum Pictures {
    /// Writes a PNG through libpng's simplified API: `format` PNG_FORMAT_GRAY, _RGB or _RGBA (colour | alpha flags),
    /// `pixels` [height, width, channels].
    static func writePNG(_ url: URL, width: Int, height: Int, format: Int32, pixels: [UInt8]) throws {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(width)
        image.height = png_uint_32(height)
        image.format = png_uint_32(format)
        let written = pixels.withUnsafeBytes { png_image_write_to_file(&image, url.path, 0, $0.baseAddress, 0, nil) }
        guard written != 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// A binary (P5) or text (P2) PGM file of 8-bit `pixels` [height, width].
    static func pgm(width: Int, height: Int, pixels: [UInt8], binary: Bool) -> [UInt8] {
        let header = "\(binary ? "P5" : "P2")\n# written by a test\n\(width) \(height)\n255\n"
        return Array(header.utf8) + (binary ? pixels : Array(pixels.map(String.init).joined(separator: " ").utf8))
    }

    /// MNIST's test image `index`: 28 × 28 bytes, 0 = background, 255 = ink.
    static func mnistDigit(_ index: Int) throws -> [UInt8] {
        let file = try IDXImages(contentsOf: Project.root.appendingPathComponent("data/\(MNIST.testImages)"))
        return Array(file.pixels[index * 784..<(index + 1) * 784])
    }

    /// `pixels` [28, 28] as a photo of paper would show them: dark ink on white, `scale` times
    /// larger, at (`left`, `top`) on a white `width` × `height` page.
    static func onPaper(_ pixels: [UInt8], scale: Int, left: Int, top: Int, width: Int, height: Int) -> [UInt8] {
        var page = [UInt8](repeating: 255, count: width * height)
        for y in 0..<28 * scale {
            for x in 0..<28 * scale { page[(top + y) * width + left + x] = 255 - pixels[(y / scale) * 28 + x / scale] }
        }
        return page
    }
}
