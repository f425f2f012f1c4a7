import Foundation

/// A safetensors file (https://github.com/huggingface/safetensors), the format numpy, PyTorch and
/// JAX users open with `safetensors.safe_open` or a few lines of code:
///
/// - 8 bytes: the header's length N, an unsigned little-endian 64-bit integer;
/// - N bytes: a JSON object mapping each tensor's name to `{"dtype", "shape", "data_offsets"}` and
///   the optional `"__metadata__"` to a string-to-string map (padded with spaces to 8 bytes);
/// - the tensors' raw little-endian data, back to back; `data_offsets` are [begin, end) in it.
public struct SafeTensors: Equatable, Sendable {
    /// One tensor: element type, shape and raw little-endian bytes.
    public struct Tensor: Equatable, Sendable {
        public var dtype: DType
        public var shape: [Int]
        /// The elements, row-major, little-endian: [product(shape) × dtype.size].
        public var bytes: [UInt8]

        /// A tensor from its raw bytes (which must hold exactly product(shape) elements of `dtype`).
        public init(dtype: DType, shape: [Int], bytes: [UInt8]) {
            precondition(bytes.count == shape.reduce(1, *) * dtype.size, "bytes do not match dtype and shape")
            self.dtype = dtype
            self.shape = shape
            self.bytes = bytes
        }

        /// An F32 tensor of `values` with `shape`.
        public init(_ values: [Float], shape: [Int]) {
            var bytes = [UInt8]()
            bytes.reserveCapacity(values.count * 4)
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
            self.init(dtype: .f32, shape: shape, bytes: bytes)
        }

        /// The elements as Floats, or nil unless the tensor is F32.
        public var floats: [Float]? {
            guard dtype == .f32 else { return nil }
            return stride(from: 0, to: bytes.count, by: 4).map { start in
                Float(bitPattern: bytes[start..<start + 4].reversed().reduce(0) { $0 << 8 | UInt32($1) })
            }
        }
    }

    /// The element types of the format, with their names in the header.
    public enum DType: String, Codable, Sendable, CaseIterable {
        case bool = "BOOL", u8 = "U8", i8 = "I8", u16 = "U16", i16 = "I16", f16 = "F16", bf16 = "BF16"
        case u32 = "U32", i32 = "I32", f32 = "F32", u64 = "U64", i64 = "I64", f64 = "F64"

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .bool, .u8, .i8: 1
            case .u16, .i16, .f16, .bf16: 2
            case .u32, .i32, .f32: 4
            case .u64, .i64, .f64: 8
            }
        }
    }

    /// The tensors by name; the file lays out their data in name order.
    public var tensors: [String: Tensor]
    /// Free-form string pairs stored under `"__metadata__"`.
    public var metadata: [String: String]

    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    // MARK: - Writing

    /// The file's bytes: header length, JSON header (keys sorted, space-padded to 8 bytes), data.
    public func encoded() -> [UInt8] {
        var header: [String: HeaderEntry] = metadata.isEmpty ? [:] : ["__metadata__": .metadata(metadata)]
        var data = [UInt8]()
        for name in tensors.keys.sorted() {
            let tensor = tensors[name]!
            header[name] = .tensor(TensorEntry(dtype: tensor.dtype, shape: tensor.shape,
                                               dataOffsets: [data.count, data.count + tensor.bytes.count]))
            data += tensor.bytes
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var json = [UInt8](try! encoder.encode(header))  // String keys and values: cannot fail.
        json += [UInt8](repeating: UInt8(ascii: " "), count: (8 - json.count % 8) % 8)
        var bytes = [UInt8]()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes += $0 }
        return bytes + json + data
    }

    // MARK: - Reading

    /// What a file's header describes, checked against the file's size: its metadata and each
    /// tensor's dtype, shape and bytes within the data section.
    public struct Header: Sendable {
        /// One tensor's entry.
        public struct Entry: Sendable {
            public var dtype: DType
            public var shape: [Int]
            /// Its bytes in the data section.
            public var range: Range<Int>
        }
        /// The `"__metadata__"` pairs.
        public var metadata: [String: String]
        /// The tensors by name.
        public var entries: [String: Entry]
        /// Where the data section starts in the file (8 + the header's length).
        public var dataStart: Int
    }

    /// The longest header read (the format's reference implementation allows 100 MB).
    static let maximumHeaderLength: UInt64 = 100_000_000

    /// Parses and checks a file's header: its length, the JSON, every tensor's dtype, shape and
    /// offsets (inside the data, matching the shape, together covering the data without gaps or
    /// overlaps), with checked arithmetic throughout, without reading the data.
    public static func header(of bytes: UnsafeRawBufferPointer) throws(SafeTensorsError) -> Header {
        guard bytes.count >= 8 else { throw .init("\(bytes.count) bytes, too short for the 8-byte header length") }
        let length = (0..<8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[$1]) }
        guard length <= UInt64(bytes.count - 8) else {
            throw .init("the header length \(length) exceeds the file's \(bytes.count) bytes (truncated or not safetensors)")
        }
        guard length <= maximumHeaderLength else {
            throw .init("the header length \(length) exceeds the \(maximumHeaderLength) bytes a safetensors header may have")
        }
        let headerEnd = 8 + Int(length)
        guard length >= 2, bytes[8] == UInt8(ascii: "{") else { throw .init("the header is not a JSON object") }
        let json: [String: HeaderEntry]
        do {
            json = try JSONDecoder().decode([String: HeaderEntry].self, from: Data(bytes[8..<headerEnd]))
        } catch {
            throw .init("the header is not valid safetensors JSON")
        }
        let dataCount = bytes.count - headerEnd
        var entries: [String: Header.Entry] = [:], metadata: [String: String] = [:]
        for (name, entry) in json {
            switch entry {
            case .metadata(let values) where name == "__metadata__":
                metadata = values
            case .metadata:
                throw .init("entry \"\(name)\" is not a tensor")
            case .tensor(let tensor):
                guard tensor.dataOffsets.count == 2, tensor.shape.allSatisfy({ $0 >= 0 }) else {
                    throw .init("tensor \"\(name)\" has a malformed shape or data_offsets")
                }
                let (begin, end) = (tensor.dataOffsets[0], tensor.dataOffsets[1])
                let (elements, overflow) = tensor.shape.reduce((1, false)) {
                    let product = $0.0.multipliedReportingOverflow(by: $1)
                    return (product.partialValue, $0.1 || product.overflow)
                }
                guard 0 <= begin, begin <= end, end <= dataCount else {
                    throw .init("tensor \"\(name)\" lies outside the file's \(dataCount) data bytes (truncated?)")
                }
                let (size, sizeOverflow) = elements.multipliedReportingOverflow(by: tensor.dtype.size)
                guard !overflow, !sizeOverflow else {
                    throw .init("tensor \"\(name)\" has the shape \(tensor.dtype.rawValue) \(tensor.shape), more bytes than any file holds")
                }
                guard end - begin == size else {
                    throw .init("tensor \"\(name)\" has \(end - begin) bytes, but \(tensor.dtype.rawValue) \(tensor.shape) needs \(size)")
                }
                entries[name] = Header.Entry(dtype: tensor.dtype, shape: tensor.shape, range: begin..<end)
            }
        }
        var next = 0
        for range in entries.values.map(\.range).sorted(by: { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) }) {
            guard range.lowerBound == next else { throw .init("the tensors' data overlap or leave a gap at byte \(min(range.lowerBound, next))") }
            next = range.upperBound
        }
        guard next == dataCount else { throw .init("\(dataCount - next) data bytes belong to no tensor") }
        return Header(metadata: metadata, entries: entries, dataStart: headerEnd)
    }

    /// The tensors `header` describes, copied out of the file's `bytes` (each byte once).
    public init(header: Header, bytes: UnsafeRawBufferPointer) {
        var tensors: [String: Tensor] = [:]
        for (name, entry) in header.entries {
            let data = UnsafeRawBufferPointer(rebasing: bytes[header.dataStart + entry.range.lowerBound..<header.dataStart + entry.range.upperBound])
            tensors[name] = Tensor(dtype: entry.dtype, shape: entry.shape, bytes: [UInt8](data))
        }
        self.init(tensors: tensors, metadata: header.metadata)
    }

    /// Parses and checks a whole file (see `header(of:)`).
    public init(decoding bytes: [UInt8]) throws(SafeTensorsError) {
        let result: Result<SafeTensors, SafeTensorsError> = bytes.withUnsafeBytes { raw in
            Result { () throws(SafeTensorsError) in SafeTensors(header: try Self.header(of: raw), bytes: raw) }
        }
        self = try result.get()
    }

    // MARK: - Header JSON

    private struct TensorEntry: Codable {
        var dtype: DType
        var shape: [Int]
        var dataOffsets: [Int]

        enum CodingKeys: String, CodingKey {
            case dtype, shape
            case dataOffsets = "data_offsets"
        }
    }

    /// A header value: a tensor's description, or the metadata map.
    private enum HeaderEntry: Codable {
        case tensor(TensorEntry)
        case metadata([String: String])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let tensor = try? container.decode(TensorEntry.self) {
                self = .tensor(tensor)
            } else {
                self = .metadata(try container.decode([String: String].self))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .tensor(let tensor): try container.encode(tensor)
            case .metadata(let values): try container.encode(values)
            }
        }
    }
}

/// Why bytes are not a valid safetensors file.
public struct SafeTensorsError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, e.g. "the header is not valid safetensors JSON".
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
