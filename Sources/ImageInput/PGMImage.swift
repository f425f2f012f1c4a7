/// Netpbm grey maps: P2 (the samples as decimal text) and P5 (binary: one byte per sample, or two
/// big-endian bytes when the maximum value exceeds 255). The header is the magic, the width, the
/// height and the maximum value, separated by whitespace, with `#` comments to the end of a line.
/// Samples are scaled from 0…maximum to 0…255 (0 is black).
public enum PGMImage {
    /// Whether `bytes` begin like a PGM file ("P2" or "P5" and whitespace).
    public static func matches(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 3 && bytes[0] == UInt8(ascii: "P") && (bytes[1] == UInt8(ascii: "2") || bytes[1] == UInt8(ascii: "5"))
            && isSpace(bytes[2])
    }

    /// Decodes a whole PGM file's `bytes`.
    public static func decode(_ bytes: [UInt8]) throws(ImageError) -> GreyImage {
        guard matches(bytes) else { throw ImageError(problem: "is not a PGM file (it does not start with P2 or P5)") }
        var reader = Reader(bytes: bytes, position: 2)
        guard let width = reader.number(), let height = reader.number(), let maximum = reader.number() else {
            throw ImageError(problem: "has a damaged PGM header (expected width, height and maximum value)")
        }
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        guard width > 0, height > 0, !overflow, count <= PNGImage.maximumPixels, (1...65535).contains(maximum) else {
            throw ImageError(problem: "has a PGM header of \(width)×\(height), maximum \(maximum), which is not a usable image")
        }
        var samples: [Int] = []
        samples.reserveCapacity(count)
        if bytes[1] == UInt8(ascii: "2") {
            while samples.count < count, let value = reader.number() { samples.append(value) }
        } else {
            let start = reader.position + 1, size = maximum > 255 ? 2 : 1   // one whitespace byte after the header
            guard bytes.count >= start + count * size else {
                throw ImageError(problem: "is truncated: \(width)×\(height) samples need \(count * size) bytes, the file has \(max(0, bytes.count - start))")
            }
            for index in 0..<count {
                let at = start + index * size
                samples.append(size == 2 ? Int(bytes[at]) << 8 | Int(bytes[at + 1]) : Int(bytes[at]))
            }
        }
        guard samples.count == count else {
            throw ImageError(problem: "holds \(samples.count) samples, expected \(width)×\(height) = \(count)")
        }
        if let bad = samples.first(where: { $0 > maximum }) {
            throw ImageError(problem: "holds the sample \(bad), above its maximum value \(maximum)")
        }
        return GreyImage(width: width, height: height, pixels: samples.map { UInt8(($0 * 255 + maximum / 2) / maximum) })
    }

    private static func isSpace(_ byte: UInt8) -> Bool { [9, 10, 11, 12, 13, 32].contains(byte) }

    /// Reads the header's and P2's decimal numbers, skipping whitespace and comments.
    private struct Reader {
        let bytes: [UInt8]
        var position: Int

        mutating func number() -> Int? {
            while position < bytes.count {
                if bytes[position] == UInt8(ascii: "#") {
                    while position < bytes.count, bytes[position] != 10, bytes[position] != 13 { position += 1 }
                } else if isSpace(bytes[position]) {
                    position += 1
                } else {
                    break
                }
            }
            var value = 0, digits = 0
            while position < bytes.count, (48...57).contains(bytes[position]), value < 1 << 40 {
                value = value * 10 + Int(bytes[position] - 48)
                digits += 1
                position += 1
            }
            return digits > 0 ? value : nil
        }
    }
}
