import Parquet

/// A whole Parquet file: footer, schema, then every column chunk's pages of every row group
/// (dictionary, data v1/v2, levels, every codec and encoding the decoder has).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let file = Array(UnsafeBufferPointer(start: data, count: size))
    let step = file.withUnsafeBytes { try? FooterDecoder.decode(fileSize: file.count, tail: $0) }
    guard case .metadata(let metadata, let footerOffset)? = step, let schema = try? ParquetSchema(elements: metadata.schema) else { return 0 }
    let fields = Array(schema.fields.indices)
    for group in metadata.rowGroups.indices.prefix(8) {
        guard let decoder = try? RowGroupDecoder(metadata: metadata, schema: schema, rowGroup: group, fields: fields,
                                                 dataEnd: footerOffset, options: ReadOptions()),
              let ranges = try? decoder.chunkRanges() else { continue }
        var chunks: [Int: [UInt8]] = [:]
        for (leaf, range) in ranges where range.lowerBound >= 0 && range.upperBound <= file.count {
            chunks[leaf] = Array(file[range])
        }
        _ = try? decoder.decode(chunks: chunks)
    }
    return 0
}
