import Codecs

/// Knobs for reading Parquet, chiefly the guards against hostile input.
public struct ReadOptions: Sendable {
    /// Verify page CRC-32s where the writer stored them (a mismatch is `.checksumMismatch`).
    public var verifyChecksums: Bool
    /// The largest decompressed page (or dictionary) size accepted.
    public var decompressionLimits: DecompressionLimits
    /// The most values (levels, nulls included) one column chunk may declare.
    public var maxValuesPerColumnChunk: Int
    /// The size of the speculative read at the end of the file that should hold the footer.
    public var footerReadSize: Int

    public init(
        verifyChecksums: Bool = true,
        decompressionLimits: DecompressionLimits = .default,
        maxValuesPerColumnChunk: Int = 1 << 28,
        footerReadSize: Int = 64 * 1024
    ) {
        self.verifyChecksums = verifyChecksums
        self.decompressionLimits = decompressionLimits
        self.maxValuesPerColumnChunk = maxValuesPerColumnChunk
        self.footerReadSize = footerReadSize
    }
}

extension ParquetCodec {
    /// The codec implementation for this Parquet codec id.
    /// - Throws: `.unsupportedCodec` for LZO, BROTLI and unknown ids.
    func implementation(column: String) throws(ParquetError) -> CompressionCodec {
        switch rawValue {
        case 0: return .uncompressed
        case 1: return .snappy
        case 2: return .gzip
        case 5: return .lz4Hadoop
        case 6: return .zstd
        case 7: return .lz4Raw
        default: throw ParquetError(.unsupportedCodec, "unsupported codec \(self) in column \(column)", column: column)
        }
    }
}
