import Codecs
import Foundation
import Testing
import TestSupport

@Suite("stream compressor")
struct StreamCompressorTests {
    /// Compresses `input` fed in uneven pieces.
    static func compress(_ input: [UInt8], _ format: StreamCompressor.Format, workers: Int) throws -> [UInt8] {
        let compressor = try StreamCompressor(format, level: 1, workers: workers)
        var output: [UInt8] = []
        var offset = 0
        var piece = 1
        try input.withUnsafeBytes { raw in
            while offset < raw.count {
                let end = min(raw.count, offset + piece)
                try compressor.write(UnsafeRawBufferPointer(rebasing: raw[offset..<end])) { output.append(contentsOf: $0) }
                offset = end
                piece = piece * 7 + 13
            }
        }
        try compressor.finish { output.append(contentsOf: $0) }
        return output
    }

    // Around the parallel gzip's 1 MiB blocks: none, one partial, exactly one, one and a byte, several.
    static let sizes = [0, 1, 100_000, 1 << 20, (1 << 20) + 1, 3_500_000]

    @Test("gzip and zstd streams decompress to the input, with and without worker threads",
          arguments: [StreamCompressor.Format.gzip, .zstd], sizes)
    func roundTrip(format: StreamCompressor.Format, size: Int) throws {
        let input = sampleData(size, seed: UInt64(size) &+ 5)
        let codec: CompressionCodec = format == .gzip ? .gzip : .zstd
        var outputs: [Int: [UInt8]] = [:]
        for workers in [0, 1, 3] {
            let compressed = try Self.compress(input, format, workers: workers)
            let back = try compressed.withUnsafeBytes { try Decompressor.decompress(codec, $0, expectedSize: size) }
            #expect(back == input, "\(format), \(size) bytes, \(workers) workers")
            outputs[workers] = compressed
        }
        #expect(outputs[1] == outputs[3], "\(format): the bytes do not depend on the number of worker threads")
    }

    @Test("parallel gzip is one member that gzip itself checks (CRC-32 and length in the trailer)")
    func gzipToolReadsParallelOutput() throws {
        let input = sampleData(3_500_000, seed: 17)
        let compressed = try Self.compress(input, .gzip, workers: 2)
        #expect(compressed.prefix(3) == [0x1F, 0x8B, 8])
        let gzip = try withTemporaryFolder("parallel-gzip") { folder in
            try Data(compressed).write(to: URL(fileURLWithPath: folder + "/data.gz"))
            return try ProcessRunner.run("/bin/sh", ["-c", "gzip -dc \"$0\"", folder + "/data.gz"])
        }
        #expect(gzip.status == 0)
        #expect(gzip.outputBytes == input)

        // A flipped byte in the trailer's CRC is caught.
        var corrupt = compressed
        corrupt[corrupt.count - 6] ^= 0x40
        #expect(throws: CodecError.self) {
            _ = try corrupt.withUnsafeBytes { try Decompressor.decompress(.gzip, $0, expectedSize: input.count) }
        }
    }
}
