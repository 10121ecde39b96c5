/// The footer of a Parquet file, found without I/O: handed the last bytes of the file it either
/// decodes the `FileMetaData` or names the one larger range it needs (File format: `PAR1`, data,
/// footer, 4-byte footer length, `PAR1`).
public enum FooterDecoder {
    public enum Step: Sendable {
        /// Read this range (ending at the end of the file) and call again with it.
        case needs(Range<Int>)
        case metadata(FileMetaData, footerOffset: Int)
    }

    /// The range of the first, speculative read.
    public static func initialRange(fileSize: Int, readSize: Int) -> Range<Int> {
        max(0, fileSize - readSize)..<fileSize
    }

    /// - Parameters:
    ///   - fileSize: the file's total size.
    ///   - tail: the file's last `tail.count` bytes.
    /// - Throws: `.notParquet`, `.truncated`, `.unsupportedFeature` (encrypted footer) or
    ///   `.corruptMetadata`.
    public static func decode(fileSize: Int, tail: UnsafeRawBufferPointer) throws(ParquetError) -> Step {
        guard fileSize >= 12 else { throw ParquetError(.truncated, "file of \(fileSize) bytes is too small to be Parquet") }
        guard tail.count >= 8, tail.count <= fileSize else { throw ParquetError(.truncated, "tail read is shorter than 8 bytes") }
        let end = tail.count
        let magic = Array(tail[(end - 4)...])
        if magic == Array("PARE".utf8) {
            throw ParquetError(.unsupportedFeature, "the file uses an encrypted footer")
        }
        guard magic == Array("PAR1".utf8) else {
            throw ParquetError(.notParquet, "the file does not end with the PAR1 magic", offset: fileSize - 4)
        }
        let length = Int(UInt32(tail[end - 8]) | UInt32(tail[end - 7]) << 8 | UInt32(tail[end - 6]) << 16 | UInt32(tail[end - 5]) << 24)
        guard length + 12 <= fileSize else {
            throw ParquetError(.corruptMetadata, "footer length \(length) runs past the start of the file", offset: fileSize - 8)
        }
        let footerOffset = fileSize - 8 - length
        guard length + 8 <= tail.count else { return .needs(footerOffset..<fileSize) }
        let metadata = try FileMetaData.decode(UnsafeRawBufferPointer(rebasing: tail[(end - 8 - length)..<(end - 8)]), fileOffset: footerOffset)
            .checkedAgainst(fileSize: fileSize, footerOffset: footerOffset)
        return .metadata(metadata, footerOffset: footerOffset)
    }
}

extension FileMetaData {
    /// Sanity checks that keep later stages from acting on impossible numbers.
    fileprivate func checkedAgainst(fileSize: Int, footerOffset: Int) throws(ParquetError) -> FileMetaData {
        guard numRows >= 0 else { throw ParquetError(.corruptMetadata, "num_rows is negative (\(numRows))") }
        var total: Int64 = 0
        for rowGroup in rowGroups {
            let (sum, overflow) = total.addingReportingOverflow(rowGroup.numRows)
            guard !overflow else { throw ParquetError(.corruptMetadata, "row group row counts overflow") }
            total = sum
        }
        for (index, rowGroup) in rowGroups.enumerated() {
            guard rowGroup.numRows >= 0 else {
                throw ParquetError(.corruptMetadata, "row group has \(rowGroup.numRows) rows", rowGroup: index)
            }
            for chunk in rowGroup.columns {
                if let meta = chunk.metaData, meta.numValues < 0 {
                    throw ParquetError(.corruptMetadata, "column chunk declares \(meta.numValues) values",
                                       rowGroup: index, column: meta.pathInSchema.joined(separator: "."))
                }
                guard let meta = chunk.metaData, meta.numValues > 0 else { continue }
                let start = meta.chunkStart
                guard start >= 4, meta.totalCompressedSize >= 0,
                      start <= Int64(footerOffset), meta.totalCompressedSize <= Int64(footerOffset) - start else {
                    throw ParquetError(.corruptMetadata,
                        "column chunk at \(start) of \(meta.totalCompressedSize) bytes lies outside the data (footer at \(footerOffset))",
                        rowGroup: index, column: meta.pathInSchema.joined(separator: "."))
                }
            }
        }
        return self
    }
}

extension ColumnMetaData {
    /// Where the chunk's first page starts: the dictionary page if it has one (writers that
    /// record `dictionary_page_offset` as 0 are treated as not recording it).
    var chunkStart: Int64 {
        if let dictionary = dictionaryPageOffset, dictionary > 0, dictionary < dataPageOffset { return dictionary }
        return dataPageOffset
    }

    var chunkRange: Range<Int> { Int(chunkStart)..<Int(chunkStart + totalCompressedSize) }
}
