/// DEFLATE decompression (RFC 1951): stored, fixed-Huffman and dynamic-Huffman blocks.
enum Inflate {
    /// Decompresses the DEFLATE stream that starts at `input[start]`, appending to `output`;
    /// returns the position of the first byte after the stream.
    static func decompress(
        into output: inout ByteSink, from input: UnsafeRawBufferPointer, start: Int
    ) throws(GzipError) -> Int {
        let tables = Tables()
        defer { tables.deallocate() }
        let bytes = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var reader = BitReader(bytes, count: input.count, position: start)
        let streamStart = output.count
        var isFinal = false
        repeat {
            let header = try reader.bits(3)
            isFinal = header & 1 == 1
            switch header >> 1 {
            case 0:
                try copyStoredBlock(into: &output, from: input, reader: &reader)
            case 1:
                try tables.useFixedCodes()
                try inflateBlock(into: &output, reader: &reader, tables: tables, streamStart: streamStart)
            case 2:
                try tables.readDynamicCodes(&reader)
                try inflateBlock(into: &output, reader: &reader, tables: tables, streamStart: streamStart)
            default:
                throw GzipError("corrupt deflate data: invalid block type 3")
            }
        } while !isFinal
        return reader.alignToByte()
    }

    // MARK: - Blocks

    /// A stored block: LEN, NLEN (its complement), then LEN bytes as they are.
    private static func copyStoredBlock(
        into output: inout ByteSink, from input: UnsafeRawBufferPointer, reader: inout BitReader
    ) throws(GzipError) {
        let position = reader.alignToByte()
        guard position + 4 <= input.count else { throw GzipError.truncated }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard length ^ complement == 0xFFFF else {
            throw GzipError("corrupt deflate data: stored block length \(length) does not match its complement")
        }
        guard position + 4 + length <= input.count else { throw GzipError.truncated }
        try output.reserve(length)
        (output.base + output.count).initialize(
            from: input.baseAddress!.assumingMemoryBound(to: UInt8.self) + position + 4, count: length)
        output.count += length
        reader.skip(to: position + 4 + length)
    }

    /// A Huffman-coded block: literals, and (length, distance) references to earlier output.
    private static func inflateBlock(
        into output: inout ByteSink, reader: inout BitReader, tables: Tables, streamStart: Int
    ) throws(GzipError) {
        let literals = tables.literals, distances = tables.distances
        let lengthBase = tables.lengthBase, lengthExtra = tables.lengthExtra
        let distanceBase = tables.distanceBase, distanceExtra = tables.distanceExtra
        var sink = output
        defer { output = sink }
        while true {
            let symbol = try reader.decode(literals)
            if symbol < 256 {
                if sink.count == sink.capacity { try sink.reserve(1) }
                sink.base[sink.count] = UInt8(truncatingIfNeeded: symbol)
                sink.count += 1
                continue
            }
            if symbol == 256 { return }
            let lengthCode = symbol - 257
            guard lengthCode < 29 else { throw GzipError("corrupt deflate data: invalid length symbol \(symbol)") }
            let length = Int(lengthBase[lengthCode]) + (try reader.bits(Int(lengthExtra[lengthCode])))
            let distanceCode = try reader.decode(distances)
            guard distanceCode < 30 else {
                throw GzipError("corrupt deflate data: invalid distance symbol \(distanceCode)")
            }
            let distance = Int(distanceBase[distanceCode]) + (try reader.bits(Int(distanceExtra[distanceCode])))
            guard distance <= sink.count - streamStart else {
                throw GzipError("corrupt deflate data: a reference \(distance) bytes back, before the start")
            }
            try sink.reserve(length)
            let target = sink.base + sink.count
            let source = target - distance
            if distance >= length {
                target.initialize(from: source, count: length)
            } else if distance == 1 {
                target.initialize(repeating: source.pointee, count: length)
            } else {
                for i in 0..<length { target[i] = source[i] }
            }
            sink.count += length
        }
    }
}

// MARK: - Code tables

extension Inflate {
    /// The Huffman codes of the current block and the constant length/distance tables,
    /// in one allocation per stream.
    struct Tables {
        static let lengthBases: [UInt16] = [
            3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
            35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
        ]
        static let lengthExtras: [UInt16] = [
            0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
        ]
        static let distanceBases: [UInt16] = [
            1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
            257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
        ]
        static let distanceExtras: [UInt16] = [
            0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
        ]
        /// The order in which a dynamic block sends the code lengths of the code-length code.
        static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

        let literals: HuffmanCode, distances: HuffmanCode, codeLengths: HuffmanCode
        let lengthBase: UnsafeMutablePointer<UInt16>, lengthExtra: UnsafeMutablePointer<UInt16>
        let distanceBase: UnsafeMutablePointer<UInt16>, distanceExtra: UnsafeMutablePointer<UInt16>
        /// Code lengths of literals/lengths followed by distances, as read from a block header.
        let lengths: UnsafeMutablePointer<UInt8>   // [288 + 32]
        private let storage: UnsafeMutablePointer<UInt16>

        init() {
            let codeSize = HuffmanCode.fastSize + HuffmanCode.maxLength + 1
            let size = 3 * codeSize + 288 + 32 + 19 + 2 * 29 + 2 * 30
            storage = .allocate(capacity: size)
            storage.initialize(repeating: 0, count: size)
            var next = storage
            func take(_ count: Int) -> UnsafeMutablePointer<UInt16> {
                defer { next += count }
                return next
            }
            func code(symbols: Int) -> HuffmanCode {
                HuffmanCode(fast: take(HuffmanCode.fastSize), counts: take(HuffmanCode.maxLength + 1),
                            symbols: take(symbols))
            }
            literals = code(symbols: 288)
            distances = code(symbols: 32)
            codeLengths = code(symbols: 19)
            lengthBase = take(29)
            lengthBase.update(from: Self.lengthBases, count: 29)
            lengthExtra = take(29)
            lengthExtra.update(from: Self.lengthExtras, count: 29)
            distanceBase = take(30)
            distanceBase.update(from: Self.distanceBases, count: 30)
            distanceExtra = take(30)
            distanceExtra.update(from: Self.distanceExtras, count: 30)
            lengths = .allocate(capacity: 288 + 32)
            lengths.initialize(repeating: 0, count: 288 + 32)
        }

        func deallocate() {
            storage.deallocate()
            lengths.deallocate()
        }

        /// The fixed codes of RFC 1951 §3.2.6 (symbols 286, 287 and distances 30, 31 are invalid
        /// but take part in the code).
        func useFixedCodes() throws(GzipError) {
            lengths.update(repeating: 8, count: 144)
            (lengths + 144).update(repeating: 9, count: 112)
            (lengths + 256).update(repeating: 7, count: 24)
            (lengths + 280).update(repeating: 8, count: 8)
            (lengths + 288).update(repeating: 5, count: 32)
            try literals.build(lengths: lengths, count: 288, incompleteAllowed: false)
            try distances.build(lengths: lengths + 288, count: 32, incompleteAllowed: false)
        }

        /// Reads the code-length code and then the literal/length and distance codes
        /// of a dynamic block (RFC 1951 §3.2.7).
        func readDynamicCodes(_ reader: inout BitReader) throws(GzipError) {
            let literalCount = try reader.bits(5) + 257
            let distanceCount = try reader.bits(5) + 1
            let codeLengthCount = try reader.bits(4) + 4
            guard literalCount <= 286, distanceCount <= 30 else {
                throw GzipError("corrupt deflate data: too many length or distance symbols")
            }
            lengths.update(repeating: 0, count: 19)
            for i in 0..<codeLengthCount {
                lengths[Self.codeLengthOrder[i]] = UInt8(try reader.bits(3))
            }
            try codeLengths.build(lengths: lengths, count: 19, incompleteAllowed: false)

            let total = literalCount + distanceCount
            var index = 0
            while index < total {
                let symbol = try reader.decode(codeLengths)
                if symbol < 16 {
                    lengths[index] = UInt8(symbol)
                    index += 1
                    continue
                }
                var value: UInt8 = 0
                let repeats: Int
                switch symbol {
                case 16:
                    guard index > 0 else {
                        throw GzipError("corrupt deflate data: repeated code length with no previous length")
                    }
                    value = lengths[index - 1]
                    repeats = 3 + (try reader.bits(2))
                case 17: repeats = 3 + (try reader.bits(3))
                default: repeats = 11 + (try reader.bits(7))
                }
                guard index + repeats <= total else {
                    throw GzipError("corrupt deflate data: code lengths run past the end of the table")
                }
                (lengths + index).update(repeating: value, count: repeats)
                index += repeats
            }
            guard lengths[256] != 0 else { throw GzipError("corrupt deflate data: no end-of-block code") }
            try literals.build(lengths: lengths, count: literalCount, incompleteAllowed: true)
            try distances.build(lengths: lengths + literalCount, count: distanceCount, incompleteAllowed: true)
        }
    }
}
