/// How an image of any size becomes a model's input: a square field of `side` × `side` values in
/// 0…1, bright ink on a dark ground, as in MNIST (whose pixels are 255 − the scanned grey).
///
/// Both fits first set the polarity and contrast: an image whose border is light on average (dark
/// ink on paper) is inverted; then its median (the ground) maps to 0 and its brightest pixel to 1.
public enum DigitFit: String, CaseIterable, Sendable {
    /// MNIST's own preparation (LeCun et al.): the digit's bounding box — the pixels brighter than
    /// a quarter of the brightest — is scaled, keeping its aspect ratio and averaging the pixels
    /// it covers, so that its longer side is 20 of 28 (`side` × 20/28); the result is placed in the
    /// field so that its centre of mass falls on the field's centre.
    case mnist
    /// The whole image scaled to the field, averaging the pixels each one covers; nothing is
    /// cropped, moved or kept in proportion (for images already framed like the training data).
    case stretch

    /// `image` as `side` × `side` inputs, row-major.
    public func input(_ image: GreyImage, side: Int) -> [Float] {
        let ink = Self.ink(image)
        switch self {
        case .stretch:
            return Self.resample(ink, width: image.width, x: 0, y: 0, columns: image.width, rows: image.height,
                                 toWidth: side, toHeight: side)
        case .mnist:
            return Self.centred(ink, width: image.width, height: image.height, side: side)
        }
    }

    // MARK: - Steps

    /// Ink in 0…1, bright on dark: inverted when the border is light, ground (median) to 0, brightest to 1.
    static func ink(_ image: GreyImage) -> [Float] {
        let (width, height) = (image.width, image.height)
        var border = 0, count = 0
        for y in 0..<height {
            for x in 0..<width where y == 0 || y == height - 1 || x == 0 || x == width - 1 {
                border += Int(image.pixels[y * width + x])
                count += 1
            }
        }
        let inverted = border > 127 * count
        let values = inverted ? image.pixels.map { 255 - $0 } : image.pixels
        var histogram = [Int](repeating: 0, count: 256)
        for value in values { histogram[Int(value)] += 1 }
        var seen = 0
        let median = histogram.indices.first { seen += histogram[$0]; return 2 * seen >= values.count }!
        let brightest = histogram.indices.last { histogram[$0] > 0 }!
        guard brightest > median else { return [Float](repeating: 0, count: values.count) }
        let range = Float(brightest - median)
        return values.map { Float(max(0, Int($0) - median)) / range }
    }

    /// MNIST's fit of `ink` [height, width] into a `side` × `side` field (see `mnist`).
    static func centred(_ ink: [Float], width: Int, height: Int, side: Int) -> [Float] {
        var field = [Float](repeating: 0, count: side * side)
        var (left, right, top, bottom) = (width, -1, height, -1)
        for y in 0..<height {
            for x in 0..<width where ink[y * width + x] > 0.25 {
                (left, right, top, bottom) = (min(left, x), max(right, x), min(top, y), max(bottom, y))
            }
        }
        guard right >= 0 else { return field }   // a blank image
        let (columns, rows) = (right - left + 1, bottom - top + 1)
        let box = Double(side) * 20 / 28, scale = box / Double(max(columns, rows))
        let (boxWidth, boxHeight) = (max(1, Int((Double(columns) * scale).rounded())),
                                     max(1, Int((Double(rows) * scale).rounded())))
        let digit = resample(ink, width: width, x: left, y: top, columns: columns, rows: rows,
                             toWidth: boxWidth, toHeight: boxHeight)
        var mass = 0.0, sumX = 0.0, sumY = 0.0
        for y in 0..<boxHeight {
            for x in 0..<boxWidth {
                let value = Double(digit[y * boxWidth + x])
                mass += value
                sumX += value * (Double(x) + 0.5)
                sumY += value * (Double(y) + 0.5)
            }
        }
        let centre = Double(side) / 2
        let offsetX = Int((centre - sumX / mass).rounded()), offsetY = Int((centre - sumY / mass).rounded())
        for y in 0..<boxHeight {
            for x in 0..<boxWidth {
                let (fieldX, fieldY) = (x + offsetX, y + offsetY)
                guard (0..<side).contains(fieldX), (0..<side).contains(fieldY) else { continue }
                field[fieldY * side + fieldX] = digit[y * boxWidth + x]
            }
        }
        return field
    }

    /// The region (`x`, `y`, `columns` × `rows`) of `values` [_, width] scaled to `toWidth` ×
    /// `toHeight`: each new pixel is the mean of the old ones it covers, weighted by the area covered.
    static func resample(_ values: [Float], width: Int, x: Int, y: Int, columns: Int, rows: Int,
                         toWidth: Int, toHeight: Int) -> [Float] {
        let horizontal = coverage(from: columns, to: toWidth), vertical = coverage(from: rows, to: toHeight)
        var result = [Float](repeating: 0, count: toWidth * toHeight)
        for (row, rowWeights) in vertical.enumerated() {
            for (column, columnWeights) in horizontal.enumerated() {
                var sum: Float = 0
                for (sourceRow, rowWeight) in rowWeights {
                    let line = (y + sourceRow) * width + x
                    for (sourceColumn, columnWeight) in columnWeights {
                        sum += values[line + sourceColumn] * rowWeight * columnWeight
                    }
                }
                result[row * toWidth + column] = sum
            }
        }
        return result
    }

    /// For each of `count` new pixels along one axis, the old pixels (of `source`) it covers and
    /// the share of it each covers (summing to 1).
    static func coverage(from source: Int, to count: Int) -> [[(Int, Float)]] {
        let step = Double(source) / Double(count)
        return (0..<count).map { index in
            let (start, end) = (Double(index) * step, Double(index + 1) * step)
            return (Int(start)..<min(source, Int(end.rounded(.up)))).compactMap { old in
                let covered = min(end, Double(old + 1)) - max(start, Double(old))
                return covered > 0 ? (old, Float(covered / step)) : nil
            }
        }
    }
}
