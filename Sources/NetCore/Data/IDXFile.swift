import Foundation

/// One IDX file (the format of MNIST), read whole and checked: a big-endian header of two zero
/// bytes, the element type (0x08 = unsigned byte) and the number of dimensions, then each
/// dimension as a UInt32, then the elements in row-major order. gzip-compressed files are
/// recognised by their magic number, whatever their name.
struct IDXFile {
    /// What the file is expected to hold; each kind has its own magic number.
    enum Kind {
        /// Dimensions [count, rows, columns], magic 0x00000803.
        case images
        /// Dimensions [count], magic 0x00000801.
        case labels

        var dimensionCount: Int { self == .images ? 3 : 1 }
        var magic: UInt32 { 0x0800 | UInt32(dimensionCount) }
        var name: String { self == .images ? "images" : "labels" }
    }

    let path: String
    /// [count, rows, columns] for images, [count] for labels.
    let dimensions: [Int]
    /// The whole (decompressed) file; the elements start at `headerSize`.
    let contents: FileBytes
    var headerSize: Int { 4 + 4 * dimensions.count }
    var count: Int { dimensions[0] }

    /// Reads and checks the file at `url`: magic number, element type, dimensions and exact size.
    init(_ url: URL, kind: Kind) throws(DataError) {
        let path = url.path, contents = try FileBytes(path: url.path) { Self.declaredSize($0, kind: kind) }
        dimensions = try contents.withBytes { bytes throws(DataError) in
            try Self.checkedDimensions(bytes, kind: kind, path: path, compressed: contents.wasCompressed)
        }
        self.path = path
        self.contents = contents
    }

    /// The elements (after the header), copied out of the file.
    func elements() -> [UInt8] {
        var crc32: UInt32 = 0
        return elements(crc32: &crc32)
    }

    /// The elements, carrying `crc32` on over the whole file (header and elements, as decompressed).
    func elements(crc32: inout UInt32) -> [UInt8] {
        contents.array(from: headerSize, crc32: &crc32)
    }

    // MARK: - Checks

    /// The file size the header at the start of `contents` describes, or nil if it is not a
    /// valid header of `kind`.
    private static func declaredSize(_ contents: UnsafeRawBufferPointer, kind: Kind) -> Int? {
        let headerSize = 4 + 4 * kind.dimensionCount
        guard contents.count >= headerSize else { return nil }
        let words = (0...kind.dimensionCount).map { index in
            contents[4 * index..<4 * index + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }
        guard words[0] == kind.magic else { return nil }
        var elements = 1
        for dimension in words.dropFirst() {
            let (product, overflow) = elements.multipliedReportingOverflow(by: Int(dimension))
            guard !overflow else { return nil }
            elements = product
        }
        return elements <= Int.max - headerSize ? headerSize + elements : nil
    }

    private static func checkedDimensions(
        _ contents: UnsafeRawBufferPointer, kind: Kind, path: String, compressed: Bool
    ) throws(DataError) -> [Int] {
        let fileHas = compressed ? "it decompresses to \(contents.count) bytes" : "the file has \(contents.count) bytes"
        let headerSize = 4 + 4 * kind.dimensionCount
        func word(_ index: Int) -> UInt32 {
            contents[4 * index..<4 * index + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
        guard contents.count >= 4 else {
            throw DataError(path: path, problem: "truncated: \(fileHas), too few for an IDX header")
        }
        let magic = word(0)
        guard magic == kind.magic else {
            let problem: String
            if magic & 0xFFFF_00FF == UInt32(kind.dimensionCount) {
                problem = "element type 0x\(hex((magic >> 8) & 0xFF, digits: 2)) is not unsigned byte (0x08)"
            } else {
                let other: Kind = kind == .images ? .labels : .images
                let holds = magic == other.magic ? "holds \(other.name), not \(kind.name)" : "not an IDX \(kind.name) file"
                problem = "\(holds): magic number 0x\(hex(magic, digits: 8)), expected 0x\(hex(kind.magic, digits: 8))"
            }
            throw DataError(path: path, problem: problem)
        }
        guard contents.count >= headerSize else {
            throw DataError(path: path, problem: "truncated: \(fileHas), too few for the \(headerSize)-byte IDX header")
        }
        let dimensions = (1...kind.dimensionCount).map { Int(word($0)) }
        let header: String
        if kind == .images {
            header = "header says \(dimensions[0]) images of \(dimensions[1])×\(dimensions[2])"
            guard dimensions[1] > 0, dimensions[2] > 0 else {
                throw DataError(path: path, problem: "\(header), which are empty")
            }
        } else {
            header = "header says \(dimensions[0]) labels"
        }
        let (elements, overflow) = dimensions.reduce((1, false)) { product, dimension in
            let (value, overflow) = product.0.multipliedReportingOverflow(by: dimension)
            return (value, product.1 || overflow)
        }
        guard !overflow, elements <= Int.max - headerSize else {
            throw DataError(path: path, problem: "truncated: \(header), more than any file holds")
        }
        let expected = headerSize + elements
        if contents.count < expected {
            throw DataError(path: path, problem: "truncated: \(header) (\(expected) bytes) but \(fileHas)")
        }
        if contents.count > expected {
            throw DataError(path: path, problem: "trailing bytes: \(header) (\(expected) bytes) but \(fileHas)")
        }
        return dimensions
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
