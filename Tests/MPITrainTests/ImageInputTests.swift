import CPNG
import Foundation
import ImageInput
import Testing

/// The ImageInput library: PNG through libpng, PGM P2/P5, and the fits to a model's input.
struct ImageInputTests {
    @Test func pngInGreyColourAndWithAlphaReadsAsGrey() throws {
        let folder = try temporaryFolder("png")
        defer { try? FileManager.default.removeItem(at: folder) }
        let grey: [UInt8] = [0, 64, 128, 255, 10, 20]   // 3 × 2
        let url = folder.appendingPathComponent("grey.png")
        try Pictures.writePNG(url, width: 3, height: 2, format: Int32(PNG_FORMAT_GRAY), pixels: grey)
        #expect(try ImageFile.read(url) == GreyImage(width: 3, height: 2, pixels: grey))

        // Pure colours: white, black, and grey 128 in RGB; then a transparent pixel over white.
        let colour = folder.appendingPathComponent("colour.png")
        try Pictures.writePNG(colour, width: 3, height: 1, format: Int32(PNG_FORMAT_RGB),
                              pixels: [255, 255, 255, 0, 0, 0, 128, 128, 128])
        #expect(try ImageFile.read(colour).pixels == [255, 0, 128])
        let alpha = folder.appendingPathComponent("alpha.png")
        try Pictures.writePNG(alpha, width: 2, height: 1, format: Int32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA), pixels: [0, 0, 0, 0, 0, 0, 0, 255])
        #expect(try ImageFile.read(alpha).pixels == [255, 0])

        let red = folder.appendingPathComponent("red.png")
        try Pictures.writePNG(red, width: 1, height: 1, format: Int32(PNG_FORMAT_RGB), pixels: [255, 0, 0])
        let redGrey = try ImageFile.read(red).pixels[0]
        #expect(redGrey > 60 && redGrey < 160, "sRGB luminance of pure red, \(redGrey)")
    }

    @Test func pgmTextBinaryAndSixteenBit() throws {
        let pixels: [UInt8] = [0, 1, 2, 3, 250, 255]
        for binary in [false, true] {
            let bytes = Pictures.pgm(width: 2, height: 3, pixels: pixels, binary: binary)
            #expect(try ImageFile.decode(bytes, path: "a.pgm") == GreyImage(width: 2, height: 3, pixels: pixels))
        }
        let sixteen = Array("P5 2 1 65535\n".utf8) + [0xFF, 0xFF, 0x80, 0x00]
        #expect(try ImageFile.decode(sixteen, path: "b.pgm").pixels == [255, 128])
    }

    @Test func damagedFilesAreRefusedWithOneLine() {
        let truncated = Array("P5\n4 4\n255\n".utf8) + [1, 2, 3]
        let cases: [([UInt8], String)] = [
            (truncated, "t.pgm is truncated: 4×4 samples need 16 bytes, the file has 3"),
            (Array("P2 2 1 255 3".utf8), "s.pgm holds 1 samples, expected 2×1 = 2"),
            (Array("P2 1 1 15 16".utf8), "m.pgm holds the sample 16, above its maximum value 15"),
            (PNGImage.signature + [0, 0, 0, 13], "p.png is not a readable PNG"),
            (Array("GIF89a".utf8), "g.gif is neither PNG nor PGM"),
        ]
        for (bytes, message) in cases {
            let path = String(message.prefix { $0 != " " })
            #expect(throws: ImageError.self) { try ImageFile.decode(bytes, path: path) }
            do { _ = try ImageFile.decode(bytes, path: path) } catch {
                #expect(error.description.hasPrefix(message) && !error.description.contains("\n"), "\(error)")
            }
        }
    }

    @Test func mnistFitScalesTheDigitsBoxTo20AndCentresItsMass() {
        // Dark ink on light paper: an L, 30 wide and 60 tall (its mass low and right of its box's
        // centre), far from the centre of a 120 × 100 page.
        var pixels = [UInt8](repeating: 230, count: 120 * 100)
        for y in 10..<70 { for x in 90..<100 { pixels[y * 120 + x] = 20 } }
        for y in 60..<70 { for x in 70..<90 { pixels[y * 120 + x] = 20 } }
        let field = DigitFit.mnist.input(GreyImage(width: 120, height: 100, pixels: pixels), side: 28)
        #expect(field.count == 784)
        let inked = field.indices.filter { field[$0] > 0.5 }
        let rows = Set(inked.map { $0 / 28 }), columns = Set(inked.map { $0 % 28 })
        #expect(rows.max()! - rows.min()! + 1 == 20, "the longer side (the 60-pixel height) becomes 20")
        #expect(columns.max()! - columns.min()! + 1 == 10, "the 30-pixel-wide box, 20 × 30/60")
        let mass = field.reduce(0, +)
        let centreX = field.indices.reduce(Float(0)) { $0 + field[$1] * (Float($1 % 28) + 0.5) } / mass
        let centreY = field.indices.reduce(Float(0)) { $0 + field[$1] * (Float($1 / 28) + 0.5) } / mass
        #expect(abs(centreX - 14) <= 0.5 && abs(centreY - 14) <= 0.5, "centre of mass (\(centreX), \(centreY))")
        #expect(field.max() == 1 && field.min() == 0, "ink bright on a dark ground")
    }

    @Test func stretchOfAnImageOfTheFieldsSizeIsTheImage() throws {
        let digit = try Pictures.mnistDigit(0)
        let field = DigitFit.stretch.input(GreyImage(width: 28, height: 28, pixels: digit), side: 28)
        #expect(field == digit.map { Float($0) / 255 })
        let halved = DigitFit.stretch.input(GreyImage(width: 2, height: 2, pixels: [0, 255, 255, 0]), side: 1)
        #expect(halved == [0.5])
    }
}
