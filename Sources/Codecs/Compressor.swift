import CLZ4
import CSnappy
import CZlib
import CZstd

/// Compression, for Pinot's raw forward-index chunks and segment tarballs, and for tests.
public enum Compressor {
    /// Compresses `input` with `codec`. `level` applies to gzip, deflate (0–9) and zstd (1–22).
    /// - Throws: `CodecError` `.unsupportedCodec` for `.lz4Hadoop`, `.corruptData` if the library fails.
    public static func compress(_ codec: CompressionCodec, _ input: UnsafeRawBufferPointer, level: Int32? = nil) throws(CodecError) -> [UInt8] {
        switch codec {
        case .uncompressed:
            return Array(input)
        case .snappy:
            var length = snappy_max_compressed_length(input.count)
            var out = [UInt8](repeating: 0, count: length)
            var empty: CChar = 0
            let status = withUnsafePointer(to: &empty) { emptyPointer in
                out.withUnsafeMutableBytes { dst in
                    snappy_compress(
                        input.baseAddress?.assumingMemoryBound(to: CChar.self) ?? emptyPointer, input.count,
                        dst.baseAddress!.assumingMemoryBound(to: CChar.self), &length)
                }
            }
            guard status == SNAPPY_OK else { throw CodecError(.corruptData, codec: codec, "snappy_compress failed") }
            out.removeLast(out.count - length)
            return out
        case .zstd:
            let bound = ZSTD_compressBound(input.count)
            var out = [UInt8](repeating: 0, count: bound)
            let written = out.withUnsafeMutableBytes { dst in
                ZSTD_compress(dst.baseAddress!, bound, input.baseAddress, input.count, level ?? 3)
            }
            guard ZSTD_isError(written) == 0 else { throw CodecError(.corruptData, codec: codec, "ZSTD_compress failed") }
            out.removeLast(out.count - written)
            return out
        case .gzip:
            return try deflate(input, windowBits: 31, level: level ?? 6, codec: codec)
        case .deflate:
            return try deflate(input, windowBits: -15, level: level ?? 6, codec: codec)
        case .lz4Raw:
            guard input.count <= Int(LZ4_MAX_INPUT_SIZE) else {
                throw CodecError(.sizeLimitExceeded, codec: codec, "input of \(input.count) bytes is too large for one LZ4 block")
            }
            let bound = Int(LZ4_compressBound(Int32(input.count)))
            var out = [UInt8](repeating: 0, count: max(bound, 1))
            let written = out.withUnsafeMutableBytes { dst in
                LZ4_compress_default(
                    input.baseAddress?.assumingMemoryBound(to: CChar.self), dst.baseAddress!.assumingMemoryBound(to: CChar.self),
                    Int32(input.count), Int32(bound))
            }
            guard written > 0 || input.isEmpty else { throw CodecError(.corruptData, codec: codec, "LZ4_compress_default failed") }
            out.removeLast(out.count - Int(written))
            return out
        case .lz4Hadoop:
            throw CodecError(.unsupportedCodec, codec: codec, "writing Hadoop-framed LZ4 is not supported")
        }
    }

    private static func deflate(_ input: UnsafeRawBufferPointer, windowBits: Int32, level: Int32, codec: CompressionCodec) throws(CodecError) -> [UInt8] {
        guard input.count < Int(UInt32.max) / 2 else {
            throw CodecError(.sizeLimitExceeded, codec: codec, "input of \(input.count) bytes is too large to deflate in one call")
        }
        var stream = z_stream()
        guard czlib_deflate_init2(&stream, level, windowBits) == Z_OK else {
            throw CodecError(.corruptData, codec: codec, "deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(input.count))) + 32
        var out = [UInt8](repeating: 0, count: bound)
        let status: Int32 = out.withUnsafeMutableBytes { dst in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = UInt32(input.count)
            stream.next_out = dst.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = UInt32(bound)
            return CZlib.deflate(&stream, Z_FINISH)
        }
        guard status == Z_STREAM_END else { throw CodecError(.corruptData, codec: codec, "deflate failed with status \(status)") }
        out.removeLast(out.count - Int(stream.total_out))
        return out
    }
}
