import Codecs
import Testing
import TestSupport

func sampleData(_ size: Int, seed: UInt64) -> [UInt8] {
    var generator = SeededGenerator(seed: seed)
    // Compressible: runs and a small alphabet, with some noise.
    return (0..<size).map { i in i % 97 < 60 ? UInt8(i / 13 % 7) : UInt8.random(in: 0...255, using: &generator) }
}

@Suite("codecs")
struct CodecRoundTripTests {
    static let writable: [CompressionCodec] = [.uncompressed, .snappy, .gzip, .deflate, .zstd, .lz4Raw]

    @Test("compress then decompress gives the input back", arguments: writable, [0, 1, 100, 65_536, 1_000_003])
    func roundTrip(codec: CompressionCodec, size: Int) throws {
        let input = sampleData(size, seed: UInt64(size) &+ 7)
        let compressed = try input.withUnsafeBytes { try Compressor.compress(codec, $0) }
        let output = try compressed.withUnsafeBytes { try Decompressor.decompress(codec, $0, expectedSize: size) }
        #expect(output == input, "codec \(codec), size \(size), seed \(UInt64(size) &+ 7)")
    }

    @Test("a declared size that differs from the stream is refused", arguments: writable)
    func sizeMismatch(codec: CompressionCodec) throws {
        let input = sampleData(10_000, seed: 3)
        let compressed = try input.withUnsafeBytes { try Compressor.compress(codec, $0) }
        for declared in [9_999, 10_001] {
            #expect(throws: CodecError.self, "\(codec) declared \(declared)") {
                _ = try compressed.withUnsafeBytes { try Decompressor.decompress(codec, $0, expectedSize: declared) }
            }
        }
    }

    @Test("a size above the limit is refused before allocating")
    func decompressionBombGuard() throws {
        let limits = DecompressionLimits(maxOutputBytes: 1 << 20)
        let error = #expect(throws: CodecError.self) {
            _ = try [UInt8](repeating: 0, count: 16).withUnsafeBytes {
                try Decompressor.decompress(.zstd, $0, expectedSize: 1 << 40, limits: limits)
            }
        }
        #expect(error?.code == .sizeLimitExceeded)
    }

    @Test("corrupt compressed data is an error, not a crash", arguments: [CompressionCodec.snappy, .gzip, .deflate, .zstd, .lz4Raw])
    func corruptData(codec: CompressionCodec) throws {
        let input = sampleData(50_000, seed: 11)
        var compressed = try input.withUnsafeBytes { try Compressor.compress(codec, $0) }
        var generator = SeededGenerator(seed: 99)
        var failures = 0
        for _ in 0..<200 {
            var damaged = compressed
            let index = Int.random(in: 0..<damaged.count, using: &generator)
            damaged[index] ^= UInt8.random(in: 1...255, using: &generator)
            if Bool.random(using: &generator) { damaged.removeLast(Int.random(in: 0..<damaged.count, using: &generator)) }
            do {
                let output = try damaged.withUnsafeBytes { try Decompressor.decompress(codec, $0, expectedSize: input.count) }
                #expect(output.count == input.count)
            } catch {
                failures += 1
            }
        }
        compressed.removeAll()
        #expect(failures > 0, "\(codec): no damaged stream was detected (\(generator))")
    }

    @Test("gzip reads every concatenated member")
    func concatenatedGzipMembers() throws {
        let first = sampleData(3_000, seed: 1)
        let second = sampleData(5_000, seed: 2)
        let stream = try first.withUnsafeBytes { try Compressor.compress(.gzip, $0) }
            + second.withUnsafeBytes { try Compressor.compress(.gzip, $0) }
        let output = try stream.withUnsafeBytes { try Decompressor.decompress(.gzip, $0, expectedSize: 8_000) }
        #expect(output == first + second)
    }

    @Test("Hadoop-framed LZ4 and bare LZ4 blocks both decode")
    func hadoopLZ4() throws {
        let input = sampleData(20_000, seed: 5)
        let block = try input.withUnsafeBytes { try Compressor.compress(.lz4Raw, $0) }
        func bigEndian(_ value: Int) -> [UInt8] { [UInt8(value >> 24 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }
        let framed = bigEndian(input.count) + bigEndian(block.count) + block
        #expect(try framed.withUnsafeBytes { try Decompressor.decompress(.lz4Hadoop, $0, expectedSize: input.count) } == input)
        #expect(try block.withUnsafeBytes { try Decompressor.decompress(.lz4Hadoop, $0, expectedSize: input.count) } == input)
    }

    @Test("an empty zstd frame decodes to zero bytes")
    func emptyZstdFrame() throws {
        let frame = try [UInt8]().withUnsafeBytes { try Compressor.compress(.zstd, $0) }
        #expect(!frame.isEmpty)
        #expect(try frame.withUnsafeBytes { try Decompressor.decompress(.zstd, $0, expectedSize: 0) } == [])
    }

    @Test("CRC-32 matches the standard check value")
    func crc32() {
        let bytes = Array("123456789".utf8)
        #expect(bytes.withUnsafeBytes { CRC32.checksum($0) } == 0xCBF4_3926)
    }
}
