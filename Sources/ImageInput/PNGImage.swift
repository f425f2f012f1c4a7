internal import CPNG

/// PNG files through libpng's simplified API: any bit depth, palette, grey or colour, with or
/// without alpha, read as 8-bit grey. Colour becomes grey by libpng's sRGB-correct luminance;
/// transparent pixels are composited onto white (as viewers show them).
public enum PNGImage {
    /// PNG files begin with these eight bytes.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The most pixels an image may have (a 16k × 16k image; a larger one is most likely not a digit).
    static let maximumPixels = 1 << 28

    /// Decodes a whole PNG file's `bytes` into grey pixels.
    public static func decode(_ bytes: [UInt8]) throws(ImageError) -> GreyImage {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        let begun = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard begun != 0 else { throw ImageError(problem: "is not a readable PNG: \(message(image))") }
        let width = Int(image.width), height = Int(image.height)
        guard width * height <= maximumPixels else {
            png_image_free(&image)
            throw ImageError(problem: "is \(width)×\(height) pixels, more than \(maximumPixels) in all",
                             remedy: "scale it down first")
        }
        image.format = png_uint_32(PNG_FORMAT_GRAY)
        var pixels = [UInt8](repeating: 0, count: width * height)
        var white = png_color(red: 255, green: 255, blue: 255)
        let finished = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, &white, $0.baseAddress, 0, nil) }
        guard finished != 0 else { throw ImageError(problem: "is a damaged PNG: \(message(image))") }
        return GreyImage(width: width, height: height, pixels: pixels)
    }

    /// libpng's message for the last failure (it frees its state on failure).
    private static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
