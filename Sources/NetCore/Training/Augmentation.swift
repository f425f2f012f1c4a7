import Foundation

/// How training images are distorted as they are gathered: every example gets a fresh
/// distortion in every epoch, drawn from (seed, epoch, example) alone, so it is the same on every
/// rank and for any number of threads. Test and validation images are never distorted.
public enum Augmentation: String, CaseIterable, Codable, Sendable {
    /// A random translation by −2…2 pixels across and down (25 equally likely shifts), the
    /// uncovered border black.
    case shift
    /// Simard et al. 2003's elastic distortion: per-pixel displacement fields uniform in [−1, 1],
    /// smoothed by a Gaussian of σ = 4 px and scaled by α = 34 px (for 28 × 28 images; σ and α
    /// scale with the image's width for other sizes), the image resampled bilinearly.
    case elastic

    /// The stream of `SeededRandom` the distortions are drawn from (other randomness uses others).
    static let stream: UInt64 = 0xA060_3E47_0000_0000

    /// The generator of `example`'s distortion in `epoch`.
    static func generator(seed: UInt64, epoch: Int, example: Int) -> SeededRandom {
        SeededRandom(seed: seed, stream: stream ^ (UInt64(epoch) << 32) ^ UInt64(example))
    }

    /// Writes `example`'s distortion in `epoch` of `image` [rows, columns] into `output` [rows, columns].
    public func distort(_ output: UnsafeMutablePointer<UInt8>, image: UnsafePointer<UInt8>, rows: Int, columns: Int,
                        seed: UInt64, epoch: Int, example: Int) {
        var generator = Self.generator(seed: seed, epoch: epoch, example: example)
        switch self {
        case .shift:
            let across = generator.nextIndex(below: 5) - 2, down = generator.nextIndex(below: 5) - 2
            for row in 0..<rows {
                for column in 0..<columns {
                    let (from, to) = (row - down, column - across)
                    output[row * columns + column] = (0..<rows).contains(from) && (0..<columns).contains(to)
                        ? image[from * columns + to] : 0
                }
            }
        case .elastic:
            elasticDistortion(output, image: image, rows: rows, columns: columns, generator: &generator)
        }
    }

    /// Simard's distortion: smooth random displacement fields, then bilinear resampling.
    private func elasticDistortion(_ output: UnsafeMutablePointer<UInt8>, image: UnsafePointer<UInt8>,
                                   rows: Int, columns: Int, generator: inout SeededRandom) {
        let scale = Double(columns) / 28
        let sigma = 4 * scale, alpha = Float(34 * scale)
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        var kernel = (-radius...radius).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        let count = rows * columns
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * count) { buffer in
            let across = buffer.baseAddress!, down = across + count, smoothing = down + count
            for i in 0..<(2 * count) { across[i] = 2 * generator.nextUnitFloat() - 1 }
            for field in [across, down] {
                Self.smooth(field, scratch: smoothing, rows: rows, columns: columns, kernel: kernel, radius: radius,
                            scale: alpha)
            }
            for row in 0..<rows {
                for column in 0..<columns {
                    let i = row * columns + column
                    let x = Float(column) + across[i], y = Float(row) + down[i]
                    let value = Self.bilinear(image, rows: rows, columns: columns, x: x, y: y)
                    output[i] = UInt8(min(255, max(0, value.rounded())))
                }
            }
        }
    }

    /// Convolves `field` [rows, columns] with the normalised Gaussian `kernel` along rows, then
    /// columns (zero outside the image), and multiplies it by `scale`, in place.
    private static func smooth(_ field: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                               rows: Int, columns: Int, kernel: [Float], radius: Int, scale: Float) {
        kernel.withUnsafeBufferPointer { kernel in
            for row in 0..<rows {
                for column in 0..<columns {
                    var sum: Float = 0
                    for tap in max(-radius, -column)...min(radius, columns - 1 - column) {
                        sum += kernel[tap + radius] * field[row * columns + column + tap]
                    }
                    scratch[row * columns + column] = sum
                }
            }
            for row in 0..<rows {
                for column in 0..<columns {
                    var sum: Float = 0
                    for tap in max(-radius, -row)...min(radius, rows - 1 - row) {
                        sum += kernel[tap + radius] * scratch[(row + tap) * columns + column]
                    }
                    field[row * columns + column] = scale * sum
                }
            }
        }
    }

    /// `image` at the point (x, y), interpolated between its four nearest pixels; black outside.
    private static func bilinear(_ image: UnsafePointer<UInt8>, rows: Int, columns: Int, x: Float, y: Float) -> Float {
        let left = Int(x.rounded(.down)), top = Int(y.rounded(.down))
        let dx = x - Float(left), dy = y - Float(top)
        func pixel(_ row: Int, _ column: Int) -> Float {
            (0..<rows).contains(row) && (0..<columns).contains(column) ? Float(image[row * columns + column]) : 0
        }
        let upper = pixel(top, left) * (1 - dx) + pixel(top, left + 1) * dx
        let lower = pixel(top + 1, left) * (1 - dx) + pixel(top + 1, left + 1) * dx
        return upper * (1 - dy) + lower * dy
    }
}
