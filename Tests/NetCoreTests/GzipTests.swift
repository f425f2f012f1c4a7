import Foundation
import Testing
@testable import NetCore

@Suite struct GzipTests {
    /// CRC-32 bit by bit (RFC 1952), the reference for headers the tests write.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc = ~UInt32(0)
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    @Test(arguments: 1...9)
    func systemGzipAtEveryLevel(level: Int) throws {
        let files = try TestFiles()
        defer { files.remove() }
        for original in [randomBytes(70_000, seed: UInt64(level)), textBytes(300_000, seed: UInt64(level))] {
            let compressed = try files.gzip(original, ["-\(level)"])
            #expect(try Gzip.decompress(compressed) == original)
        }
    }

    @Test func theReferenceCRCOfTheCheckString() {
        #expect(Self.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func theOutputStopsAtTheLimitTheHeaderGives() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let original = textBytes(300_000, seed: 4), compressed = try files.gzip(original)
        var probed: [UInt8] = []
        let whole = try compressed.withUnsafeBytes { bytes in
            try Gzip.inflate(bytes, probe: 100) { probed = Array($0); return 300_000 }
        }
        defer { free(whole.baseAddress) }
        #expect(Array(whole) == original && probed == Array(original[..<100]))
        #expect(throws: GzipError.overLimit(299_999)) {
            try compressed.withUnsafeBytes { bytes in free(try Gzip.inflate(bytes, probe: 100) { _ in 299_999 }.baseAddress) }
        }
        let header = try compressed.withUnsafeBytes { bytes in try Gzip.inflate(bytes, probe: 100) { _ in nil } }
        defer { free(header.baseAddress) }
        #expect(Array(header) == Array(original[..<100]), "nil: just the probed bytes")
    }

    /// Stored (random data), fixed-Huffman (a short phrase) and dynamic-Huffman (long text) blocks.
    @Test func everyBlockType() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let inputs: [(bytes: [UInt8], blockType: UInt8)] = [
            (randomBytes(100_000, seed: 9), 0), (Array("hello, hello, hello world".utf8), 1), (textBytes(50_000, seed: 9), 2),
        ]
        for input in inputs {
            let compressed = try files.gzip(input.bytes, ["-n"])  // no name: the deflate data starts at byte 10
            #expect(compressed[10] >> 1 & 3 == input.blockType)
            #expect(try Gzip.decompress(compressed) == input.bytes)
        }
    }

    @Test func emptyAndTinyInputs() throws {
        let files = try TestFiles()
        defer { files.remove() }
        for original in [[], [42], Array("hello, hello, hello world".utf8)] as [[UInt8]] {
            #expect(try Gzip.decompress(try files.gzip(original)) == original)
        }
    }

    @Test func headerWithEveryOptionalField() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let original = textBytes(5_000, seed: 7)
        let plain = try files.gzip(original, ["-n"])  // no name: the flags byte is 0
        #expect(plain[3] == 0)
        var header: [UInt8] = Array(plain[0..<10])
        header[3] = 0x02 | 0x04 | 0x08 | 0x10  // FHCRC, FEXTRA, FNAME, FCOMMENT
        header += [4, 0, 0xAA, 0xBB, 0xCC, 0xDD]  // FEXTRA: XLEN = 4, then 4 bytes
        header += Array("weights.idx".utf8) + [0]
        header += Array("a comment".utf8) + [0]
        let headerCRC = Self.crc32(header)
        header += [UInt8(headerCRC & 0xFF), UInt8(headerCRC >> 8 & 0xFF)]
        #expect(try Gzip.decompress(header + plain[10...]) == original)

        var badHeaderCRC = header + plain[10...]
        badHeaderCRC[header.count - 1] ^= 0xFF
        #expect(throws: GzipError("header crc mismatch")) { try Gzip.decompress(badHeaderCRC) }
    }

    @Test func concatenatedMembers() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let first = textBytes(40_000, seed: 1), second = randomBytes(1_000, seed: 2)
        let joined = try files.gzip(first) + files.gzip(second, ["-1"])
        #expect(try Gzip.decompress(joined) == first + second)
    }

    @Test func corruptStreamsAreRefused() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let good = try files.gzip(textBytes(100_000, seed: 3))
        func problem(_ bytes: [UInt8]) -> String {
            do {
                _ = try Gzip.decompress(bytes)
                return "accepted"
            } catch {
                return error.description
            }
        }
        var badCRC = good
        badCRC[good.count - 6] ^= 0x01
        #expect(problem(badCRC) == "incorrect data check (its CRC-32 does not match)")
        var badLength = good
        badLength[good.count - 1] ^= 0x01
        #expect(problem(badLength) == "incorrect length check (its length does not match)")
        #expect(problem(Array(good[..<(good.count / 2)])) == GzipError.truncated.description)
        #expect(problem(Array(good[..<(good.count - 3)])) == GzipError.truncated.description)
        #expect(problem(good + [0, 0, 0]) == "3 bytes of trailing garbage after the gzip data")
        #expect(problem(Array("plain text".utf8)) == "not gzip data (no 1f 8b magic number)")
        var flipped = good
        flipped[good.count / 2] ^= 0x10  // somewhere in the deflate data: refused one way or another
        #expect(problem(flipped) != "accepted")

        let header: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3]
        #expect(problem(header + [0x07]) == "invalid block type")
        // A final stored block whose LEN (5) and NLEN (0) disagree.
        #expect(problem(header + [0x01, 5, 0, 0, 0]) == "invalid stored block lengths")
        #expect(problem([0x1F, 0x8B, 9] + header[3...]) == "unknown compression method")
    }

    /// The three smaller MNIST files against the system gzip (the 9.9 MB one is slow in debug
    /// builds; it is read whole by `MNISTTests`).
    @Test(.enabled(if: TestFiles.exists(TestFiles.sharedMNIST), "no ../shared/data/mnist beside the clone"),
          arguments: ["t10k-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"])
    func realMNISTFiles(name: String) throws {
        let url = TestFiles.sharedMNIST.appendingPathComponent(name)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let expected = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(try Gzip.decompress([UInt8](Data(contentsOf: url))) == [UInt8](expected))
    }
}

extension Gzip {
    /// The decompressed contents of a gzip file, as an array. Anything after the last member is refused.
    static func decompress(_ bytes: [UInt8]) throws(GzipError) -> [UInt8] {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(GzipError) in
                let output = try inflate(buffer)
                defer { free(output.baseAddress) }
                return Array(output)
            }
        }
        return try result.get()
    }
}
