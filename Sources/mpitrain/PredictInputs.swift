import Foundation
import ImageInput
import NetCore

/// The model inputs in one file: an IDX images file's images, or one PNG/PGM image fitted.
enum PredictInputs {
    /// `values` [images, inputs] in 0…1; `indices` the image numbers within an IDX file (nil for one image).
    /// A FIFO or a pipe (`<(cat digit.png)`) is read as a stream of at most `streamLimit` bytes
    /// holding one PNG or PGM image; a FIFO that no process writes is empty, never waited for.
    static func read(_ path: String, inputs: Int, fit: DigitFit) throws -> (indices: [Int?], values: [Float]) {
        let url = URL(fileURLWithPath: path)
        let side = Int(Double(inputs).squareRoot().rounded())
        if FileKind(path: path) == .fifo {
            let bytes = try InputFile.read(path, limit: streamLimit, what: path)
            guard !bytes.isEmpty else { throw JobError.invalid("\(path) is a FIFO or pipe that gave no data; write a PNG or PGM image into it, or pass the image file") }
            guard !IDXImages.matches(bytes) else {
                throw JobError.invalid("\(path) streams IDX or gzip data, which predict reads from files only; pass the IDX file itself")
            }
            let image = try ImageFile.decode(bytes, path: path)
            try checkSquare(side, inputs: inputs, path: path)
            return ([nil], fit.input(image, side: side))
        }
        let kind = FileKind(path: path)
        guard kind == .regular || kind == .missing else {
            throw JobError.invalid("\(path) is \(kind), not an image file; pass a PNG, PGM or IDX images file")
        }
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        var head = [UInt8](repeating: 0, count: 8)
        head.removeLast(8 - max(0, descriptor >= 0 ? Foundation.read(descriptor, &head, 8) : 0))
        if descriptor >= 0 { close(descriptor) }
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

    /// The most bytes read from a FIFO or pipe: a large photo's PNG.
    static let streamLimit = 64 << 20

    /// A PNG or PGM image is fitted to a square field: the model must take side × side inputs.
    private static func checkSquare(_ side: Int, inputs: Int, path: String) throws {
        guard side * side == inputs else {
            throw JobError.invalid("\(path) cannot be fitted to the checkpoint's model: its \(inputs) inputs are not a square image; pass an IDX images file of the data set it was trained on")
        }
    }
}
