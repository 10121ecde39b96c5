/// The compression formats LakeIngest reads (Parquet pages, Avro blocks) and writes (Pinot chunks,
/// test fixtures).
public enum CompressionCodec: String, Sendable, CaseIterable, CustomStringConvertible {
    case uncompressed = "UNCOMPRESSED"
    /// Snappy raw block format (no framing), as Parquet and Avro use it.
    case snappy = "SNAPPY"
    /// One or more concatenated gzip members (RFC 1952).
    case gzip = "GZIP"
    /// Raw DEFLATE without zlib or gzip framing (RFC 1951), as Avro's `deflate` codec uses it.
    case deflate = "DEFLATE"
    /// Zstandard frames.
    case zstd = "ZSTD"
    /// An LZ4 block without framing (Parquet's LZ4_RAW).
    case lz4Raw = "LZ4_RAW"
    /// Parquet's deprecated LZ4 codec id: Hadoop's framing (big-endian sizes before each block),
    /// or, as some writers produced it, a bare LZ4 block.
    case lz4Hadoop = "LZ4"

    public var description: String { rawValue }
}

/// Limits that protect a reader from hostile input.
public struct DecompressionLimits: Sendable {
    /// The largest decompressed size a single buffer (page, block) may declare.
    public var maxOutputBytes: Int

    public init(maxOutputBytes: Int = 1 << 30) {
        self.maxOutputBytes = maxOutputBytes
    }

    public static let `default` = DecompressionLimits()
}
