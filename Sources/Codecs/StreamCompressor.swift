import CZlib
import CZstd

/// Compresses a stream piece by piece (gzip or zstd), handing compressed output to a sink as it
/// is produced, so that a segment tarball of any size is compressed on its way to disk without
/// being held in memory.
///
/// Not thread-safe: one owner feeds it, then calls ``finish(_:)`` exactly once.
public final class StreamCompressor {
    public enum Format: Sendable { case gzip, zstd }

    public let format: Format
    private var zlib = z_stream()
    private var zstd: OpaquePointer?
    private var parallelGzip: ParallelGzip?
    private var output: [UInt8]
    private var finished = false

    /// - Parameters:
    ///   - level: gzip 0–9, zstd 1–22.
    ///   - workers: threads compressing at once besides the caller's (0: none). zstd's are
    ///     libzstd's own, and its bytes are the same for any count above 0; gzip's are
    ///     ``ParallelGzip``'s blocks, the same bytes for any count above 0.
    /// - Throws: `CodecError.corruptData` when the library cannot be initialised.
    public init(_ format: Format, level: Int32, workers: Int = 0) throws(CodecError) {
        self.format = format
        output = [UInt8](repeating: 0, count: 1 << 17)
        switch format {
        case .gzip where workers > 0:
            parallelGzip = ParallelGzip(level: level, workers: workers)
        case .gzip:
            guard czlib_deflate_init2(&zlib, level, 31) == Z_OK else { throw CodecError(.corruptData, codec: .gzip, "deflateInit2 failed") }
        case .zstd:
            guard let context = ZSTD_createCCtx() else { throw CodecError(.corruptData, codec: .zstd, "ZSTD_createCCtx failed") }
            zstd = context
            ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
            // A library built without threads refuses this and compresses on the caller's thread.
            if workers > 0 { _ = ZSTD_CCtx_setParameter(context, ZSTD_c_nbWorkers, Int32(workers)) }
        }
    }

    deinit {
        switch format {
        case .gzip: if parallelGzip == nil { deflateEnd(&zlib) }
        case .zstd: ZSTD_freeCCtx(zstd)
        }
    }

    /// Compresses `input`, calling `sink` with each piece of output.
    public func write(_ input: UnsafeRawBufferPointer, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        precondition(!finished, "write after finish")
        if let parallelGzip { return try parallelGzip.write(input, to: sink) }
        try run(input, end: false, sink)
    }

    /// Flushes everything and ends the stream (gzip trailer, zstd epilogue).
    public func finish(_ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        precondition(!finished, "finish called twice")
        finished = true
        if let parallelGzip { return try parallelGzip.finish(sink) }
        try run(UnsafeRawBufferPointer(start: nil, count: 0), end: true, sink)
    }

    private func run(_ input: UnsafeRawBufferPointer, end: Bool, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch format {
        case .gzip:
            var remaining = input
            repeat {
                // zlib's counters are 32-bit: feed at most 1 GiB per call.
                let piece = UnsafeRawBufferPointer(rebasing: remaining.prefix(1 << 30))
                remaining = UnsafeRawBufferPointer(rebasing: remaining.dropFirst(piece.count))
                let last = end && remaining.isEmpty
                zlib.next_in = UnsafeMutablePointer(mutating: piece.baseAddress?.assumingMemoryBound(to: Bytef.self))
                zlib.avail_in = UInt32(piece.count)
                var status: Int32 = Z_OK
                repeat {
                    let produced: Int = output.withUnsafeMutableBytes { out in
                        zlib.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                        zlib.avail_out = UInt32(out.count)
                        status = CZlib.deflate(&zlib, last ? Z_FINISH : Z_NO_FLUSH)
                        return out.count - Int(zlib.avail_out)
                    }
                    guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                        throw CodecError(.corruptData, codec: .gzip, "deflate failed with status \(status)")
                    }
                    if produced > 0 { try output.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0.prefix(produced))) } }
                } while zlib.avail_in > 0 || (last && status != Z_STREAM_END)
            } while !remaining.isEmpty
        case .zstd:
            var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
            while true {
                var produced = 0
                var left = 0
                try output.withUnsafeMutableBytes { out in
                    var target = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                    left = ZSTD_compressStream2(zstd, &target, &source, end ? ZSTD_e_end : ZSTD_e_continue)
                    guard ZSTD_isError(left) == 0 else { throw CodecError(.corruptData, codec: .zstd, "ZSTD_compressStream2 failed") }
                    produced = target.pos
                }
                if produced > 0 { try output.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0.prefix(produced))) } }
                if end ? left == 0 : source.pos == source.size { break }
            }
        }
    }
}
