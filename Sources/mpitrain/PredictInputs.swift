import Foundation
import ImageInput
import NetCore

/// The model inputs in one file: an IDX images file's images, or one PNG/PGM image fitted.
enum PredictInputs {
    /// `values` [images, inputs] in 0…1; `indices` the image numbers within an IDX file (nil for one image).
    static func read(_ path: String, inputs: Int, fit: DigitFit) throws -> (indices: [Int?], values: [Float]) {
        let url = URL(fileURLWithPath: path)
        let handle = try? FileHandle(forReadingFrom: url)
        let head = (try? handle?.read(upToCount: 8)).flatMap { $0 }.map { [UInt8]($0) } ?? []
        try? handle?.close()
        let side = Int(Double(inputs).squareRoot().rounded())
        if IDXImages.matches(head) {
            let file = try IDXImages(contentsOf: url)
            let size = file.rows * file.columns
            if size == inputs { return (Array(0..<file.count), file.pixels.map { Float($0) / 255 }) }
            try checkSquare(side, inputs: inputs, path: path)
            var values: [Float] = []
            for index in 0..<file.count {
                let image = GreyImage(width: file.columns, height: file.rows,
                                      pixels: Array(file.pixels[index * size..<(index + 1) * size]))   // light ink on black
                values += fit.input(image, side: side)
            }
            return (Array(0..<file.count), values)
        }
        let image = try ImageFile.read(url)
        try checkSquare(side, inputs: inputs, path: path)
        return ([nil], fit.input(image, side: side))
    }

    /// A PNG or PGM image is fitted to a square field: the model must take side × side inputs.
    private static func checkSquare(_ side: Int, inputs: Int, path: String) throws {
        guard side * side == inputs else {
            throw JobError.invalid("\(path) cannot be fitted to the checkpoint's model: its \(inputs) inputs are not a square image; pass an IDX images file of the data set it was trained on")
        }
    }
}
