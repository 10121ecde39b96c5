import CLZ4
import CSnappy
import CZlib
import CZstd

/// Decompression into caller-owned buffers.
///
/// Every call knows the exact size the data must decompress to (Parquet page headers and
/// Pinot chunk headers declare it); a stream that yields more or fewer bytes is an error, so a
/// lying header can never make the caller read uninitialised memory.
public enum Decompressor {
    /// Decompresses `input` into exactly `output.count` bytes.
    /// - Throws: `CodecError` with `.corruptData`, `.sizeMismatch` or `.unsupportedCodec`.
    public static func decompress(
        _ codec: CompressionCodec,
        _ input: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws(CodecError) {
        switch codec {
        case .uncompressed:
            guard input.count == output.count else {
                throw CodecError(.sizeMismatch, codec: codec, "stored \(input.count) bytes, declared \(output.count)")
            }
            if input.count > 0 { output.baseAddress!.copyMemory(from: input.baseAddress!, byteCount: input.count) }
        case .snappy:
            try snappy(input, into: output)
        case .zstd:
            try zstd(input, into: output)
        case .gzip:
            try inflate(input, into: output, windowBits: 31, codec: .gzip)
        case .deflate:
            try inflate(input, into: output, windowBits: -15, codec: .deflate)
        case .lz4Raw:
            try lz4Block(input, into: output, codec: .lz4Raw)
        case .lz4Hadoop:
            try lz4Hadoop(input, into: output)
        }
    }

    /// Allocates a buffer of `expectedSize` bytes (after checking it against `limits`) and
    /// decompresses `input` into it.
    /// - Throws: `CodecError` with `.sizeLimitExceeded` before allocating, or any code of
    ///   ``decompress(_:_:into:)``.
    public static func decompress(
        _ codec: CompressionCodec,
        _ input: UnsafeRawBufferPointer,
        expectedSize: Int,
        limits: DecompressionLimits = .default
    ) throws(CodecError) -> [UInt8] {
        guard expectedSize >= 0, expectedSize <= limits.maxOutputBytes else {
            throw CodecError(
                .sizeLimitExceeded, codec: codec,
                "declared size \(expectedSize) is outside 0...\(limits.maxOutputBytes)")
        }
        var result = [UInt8](repeating: 0, count: expectedSize)
        var failure: CodecError?
        result.withUnsafeMutableBytes { out in
            do throws(CodecError) { try decompress(codec, input, into: out) } catch { failure = error }
        }
        if let failure { throw failure }
        return result
    }

    private static func snappy(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(CodecError) {
        guard let src = input.baseAddress, input.count > 0 else {
            guard output.isEmpty else { throw CodecError(.corruptData, codec: .snappy, "empty input, \(output.count) bytes declared") }
            return
        }
        let csrc = src.assumingMemoryBound(to: CChar.self)
        var declared = 0
        guard snappy_uncompressed_length(csrc, input.count, &declared) == SNAPPY_OK else {
            throw CodecError(.corruptData, codec: .snappy, "unreadable length preamble")
        }
        guard declared == output.count else {
            throw CodecError(.sizeMismatch, codec: .snappy, "stream holds \(declared) bytes, declared \(output.count)")
        }
        if declared == 0 { return }
        var length = output.count
        let status = snappy_uncompress(csrc, input.count, output.baseAddress!.assumingMemoryBound(to: CChar.self), &length)
        guard status == SNAPPY_OK, length == output.count else {
            throw CodecError(.corruptData, codec: .snappy, "invalid compressed block")
        }
    }

    private static func zstd(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(CodecError) {
        guard let src = input.baseAddress, input.count > 0 else {
            guard output.isEmpty else { throw CodecError(.corruptData, codec: .zstd, "empty input, \(output.count) bytes declared") }
            return
        }
        // ZSTD_decompress needs a non-null destination even for empty frames.
        var scratch: UInt8 = 0
        let status: Int = withUnsafeMutablePointer(to: &scratch) { scratchPointer in
            let dst = output.baseAddress ?? UnsafeMutableRawPointer(scratchPointer)
            return ZSTD_decompress(dst, output.count, src, input.count)
        }
        if ZSTD_isError(status) != 0 {
            let name = String(cString: ZSTD_getErrorName(status))
            throw CodecError(.corruptData, codec: .zstd, name)
        }
        guard status == output.count else {
            throw CodecError(.sizeMismatch, codec: .zstd, "frame held \(status) bytes, declared \(output.count)")
        }
    }

    /// zlib inflate; `windowBits` 31 = gzip (members concatenated are all read), -15 = raw deflate.
    private static func inflate(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
        windowBits: Int32, codec: CompressionCodec
    ) throws(CodecError) {
        var stream = z_stream()
        guard czlib_inflate_init2(&stream, windowBits) == Z_OK else {
            throw CodecError(.corruptData, codec: codec, "inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        var scratch: UInt8 = 0
        var produced = 0
        var consumed = 0
        while true {
            let status: Int32 = withUnsafeMutablePointer(to: &scratch) { scratchPointer in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.advanced(by: consumed).assumingMemoryBound(to: Bytef.self))
                stream.avail_in = UInt32(min(input.count - consumed, Int(UInt32.max)))
                if let out = output.baseAddress, produced < output.count {
                    stream.next_out = out.advanced(by: produced).assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = UInt32(min(output.count - produced, Int(UInt32.max)))
                } else {
                    // A spare byte: any output landing here means the stream is longer than declared.
                    stream.next_out = scratchPointer
                    stream.avail_out = 1
                }
                let before = (Int(stream.avail_in), Int(stream.avail_out))
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                consumed += before.0 - Int(stream.avail_in)
                produced += before.1 - Int(stream.avail_out)
                return status
            }
            if produced > output.count {
                throw CodecError(.sizeMismatch, codec: codec, "stream holds more than the declared \(output.count) bytes")
            }
            switch status {
            case Z_STREAM_END:
                // gzip allows several members back to back; read them all.
                if windowBits > 15, consumed < input.count, input[consumed] == 0x1f {
                    guard inflateReset(&stream) == Z_OK else {
                        throw CodecError(.corruptData, codec: codec, "inflateReset failed")
                    }
                    continue
                }
                guard produced == output.count else {
                    throw CodecError(.sizeMismatch, codec: codec, "stream held \(produced) bytes, declared \(output.count)")
                }
                return
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                throw CodecError(.corruptData, codec: codec, "stream is truncated after \(produced) bytes")
            default:
                let detail = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                throw CodecError(.corruptData, codec: codec, detail)
            }
        }
    }

    private static func lz4Block(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, codec: CompressionCodec
    ) throws(CodecError) {
        if input.isEmpty && output.isEmpty { return }
        guard let src = input.baseAddress, let dst = output.baseAddress,
              input.count <= Int(Int32.max), output.count <= Int(Int32.max) else {
            throw CodecError(.corruptData, codec: codec, "empty or oversized block")
        }
        let written = LZ4_decompress_safe(
            src.assumingMemoryBound(to: CChar.self), dst.assumingMemoryBound(to: CChar.self),
            Int32(input.count), Int32(output.count))
        guard written >= 0 else { throw CodecError(.corruptData, codec: codec, "invalid LZ4 block") }
        guard Int(written) == output.count else {
            throw CodecError(.sizeMismatch, codec: codec, "block held \(written) bytes, declared \(output.count)")
        }
    }

    /// Hadoop's LZ4 framing: repeated [decompressed size BE32][compressed size BE32][LZ4 block].
    /// Files exist whose "LZ4" pages are bare blocks; like other readers, fall back to that.
    private static func lz4Hadoop(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(CodecError) {
        if (try? lz4HadoopFramed(input, into: output)) == true { return }
        try lz4Block(input, into: output, codec: .lz4Hadoop)
    }

    private static func lz4HadoopFramed(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(CodecError) -> Bool {
        func bigEndian32(_ offset: Int) -> Int {
            Int(input[offset]) << 24 | Int(input[offset + 1]) << 16 | Int(input[offset + 2]) << 8 | Int(input[offset + 3])
        }
        var inOffset = 0
        var outOffset = 0
        while inOffset < input.count {
            guard input.count - inOffset >= 8 else { return false }
            let rawSize = bigEndian32(inOffset)
            let blockSize = bigEndian32(inOffset + 4)
            inOffset += 8
            guard blockSize <= input.count - inOffset, rawSize <= output.count - outOffset else { return false }
            try lz4Block(
                UnsafeRawBufferPointer(rebasing: input[inOffset..<inOffset + blockSize]),
                into: UnsafeMutableRawBufferPointer(rebasing: output[outOffset..<outOffset + rawSize]),
                codec: .lz4Hadoop)
            inOffset += blockSize
            outOffset += rawSize
        }
        return outOffset == output.count
    }
}
