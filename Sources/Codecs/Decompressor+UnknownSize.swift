import CSnappy
import CZlib
import CZstd

extension Decompressor {
    /// Decompresses a buffer whose decompressed size is not declared outside the stream (Avro
    /// blocks): Snappy and Zstd read it from the stream's own header, DEFLATE grows the output
    /// as it inflates. Output beyond `limits.maxOutputBytes` is refused.
    /// - Throws: `CodecError` with `.corruptData`, `.sizeLimitExceeded` or `.unsupportedCodec`.
    public static func decompress(
        _ codec: CompressionCodec, _ input: UnsafeRawBufferPointer, limits: DecompressionLimits = .default
    ) throws(CodecError) -> [UInt8] {
        switch codec {
        case .uncompressed:
            return Array(input)
        case .snappy:
            var length = 0
            guard let base = input.baseAddress,
                  snappy_uncompressed_length(base.assumingMemoryBound(to: CChar.self), input.count, &length) == SNAPPY_OK else {
                throw CodecError(.corruptData, codec: codec, "unreadable length preamble")
            }
            return try decompress(codec, input, expectedSize: length, limits: limits)
        case .zstd:
            guard let base = input.baseAddress else { throw CodecError(.corruptData, codec: codec, "empty input") }
            let size = ZSTD_getFrameContentSize(base, input.count)
            if size != ZSTD_CONTENTSIZE_UNKNOWN && size != ZSTD_CONTENTSIZE_ERROR {
                guard size <= UInt64(limits.maxOutputBytes) else {
                    throw CodecError(.sizeLimitExceeded, codec: codec, "frame declares \(size) bytes, limit \(limits.maxOutputBytes)")
                }
                return try decompress(codec, input, expectedSize: Int(size), limits: limits)
            }
            return try zstdStreaming(input, limits: limits)
        case .deflate, .gzip:
            return try inflateGrowing(input, windowBits: codec == .gzip ? 31 : -15, codec: codec, limits: limits)
        case .lz4Raw, .lz4Hadoop:
            throw CodecError(.unsupportedCodec, codec: codec, "LZ4 blocks need their decompressed size")
        }
    }

    private static func inflateGrowing(
        _ input: UnsafeRawBufferPointer, windowBits: Int32, codec: CompressionCodec, limits: DecompressionLimits
    ) throws(CodecError) -> [UInt8] {
        guard input.count < Int(UInt32.max) else {
            throw CodecError(.sizeLimitExceeded, codec: codec, "buffers over 4 GiB are not inflated in one call")
        }
        var stream = z_stream()
        guard czlib_inflate_init2(&stream, windowBits) == Z_OK else { throw CodecError(.corruptData, codec: codec, "inflateInit2 failed") }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: max(1024, min(input.count * 4, limits.maxOutputBytes)))
        var produced = 0
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = UInt32(input.count)
        while true {
            if produced == output.count {
                guard output.count < limits.maxOutputBytes else {
                    throw CodecError(.sizeLimitExceeded, codec: codec, "output exceeds \(limits.maxOutputBytes) bytes")
                }
                output.append(contentsOf: repeatElement(0, count: min(output.count, limits.maxOutputBytes - output.count)))
            }
            let status: Int32 = output.withUnsafeMutableBytes { out in
                stream.next_out = (out.baseAddress! + produced).assumingMemoryBound(to: Bytef.self)
                stream.avail_out = UInt32(min(out.count - produced, Int(UInt32.max)))
                let before = Int(stream.avail_out)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                produced += before - Int(stream.avail_out)
                return status
            }
            switch status {
            case Z_STREAM_END:
                output.removeLast(output.count - produced)
                return output
            case Z_OK:
                continue
            case Z_BUF_ERROR where stream.avail_in == 0:
                throw CodecError(.corruptData, codec: codec, "stream is truncated after \(produced) bytes")
            case Z_BUF_ERROR:
                continue
            default:
                throw CodecError(.corruptData, codec: codec, stream.msg.map { String(cString: $0) } ?? "status \(status)")
            }
        }
    }

    private static func zstdStreaming(_ input: UnsafeRawBufferPointer, limits: DecompressionLimits) throws(CodecError) -> [UInt8] {
        guard let context = ZSTD_createDStream() else { throw CodecError(.corruptData, codec: .zstd, "cannot create a stream") }
        defer { ZSTD_freeDStream(context) }
        ZSTD_initDStream(context)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 17)
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while true {
            let (status, written): (Int, Int) = chunk.withUnsafeMutableBytes { out in
                var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                let status = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
                return (status, outBuffer.pos)
            }
            if ZSTD_isError(status) != 0 { throw CodecError(.corruptData, codec: .zstd, String(cString: ZSTD_getErrorName(status))) }
            output.append(contentsOf: chunk[0..<written])
            guard output.count <= limits.maxOutputBytes else {
                throw CodecError(.sizeLimitExceeded, codec: .zstd, "output exceeds \(limits.maxOutputBytes) bytes")
            }
            if status == 0 && inBuffer.pos == inBuffer.size { return output }
            if written == 0 && inBuffer.pos == inBuffer.size {
                throw CodecError(.corruptData, codec: .zstd, "stream is truncated after \(output.count) bytes")
            }
        }
    }
}
