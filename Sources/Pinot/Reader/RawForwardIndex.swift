import Columnar

/// Raw (no-dictionary) forward indexes (spec §8): fixed-width chunks (versions 2–4), the
/// version 2/3 var-byte chunks, and version 4 var-byte chunks (also all raw multi-value columns).
struct RawForwardIndex {
    let column: ColumnMetadata
    let totalDocs: Int
    let context: String

    func fail(_ message: String) -> SegmentError { SegmentError(.corrupt, "\(context): \(message)", column: column.name) }

    func read(_ bytes: ArraySlice<UInt8>) throws(SegmentError) -> [Value] {
        let reader = BigEndianReader(bytes: bytes, context: context)
        let version = try reader.int32(0)
        if let width = StoredValue.fixedWidth(column.dataType), column.singleValue {
            return try readFixed(reader, version: version, width: width)
        }
        if version >= 4 { return try readVarV4(reader) }
        return try readVarV2(reader, version: version)
    }

    /// Header: version, numChunks, docsPerChunk, valueSize, totalDocs, compression, dataStart;
    /// chunk offsets (int32 in v2, int64 after); big-endian values per chunk.
    private func readFixed(_ reader: BigEndianReader, version: Int32, width: Int) throws(SegmentError) -> [Value] {
        let chunks = Int(try reader.int32(4))
        let docsPerChunk = Int(try reader.int32(8))
        let valueSize = Int(try reader.int32(12))
        let compression = try reader.int32(20)
        let offsetsStart = Int(try reader.int32(24))
        guard valueSize == width, chunks >= 0, docsPerChunk > 0 else { throw fail("fixed-width header is inconsistent") }
        let offsetSize = version == 2 ? 4 : 8
        var values: [Value] = []
        for chunk in 0..<chunks {
            let (start, end) = try chunkBounds(reader, offsetsStart: offsetsStart, offsetSize: offsetSize, chunk: chunk, chunks: chunks)
            let docs = try docsIn(chunk, docsPerChunk: docsPerChunk)
            let plain = try StoredValue.decompress(try reader.slice(start, end - start), type: compression, expectedSize: docs * width, littleEndianTrailer: false)
            let chunkReader = BigEndianReader(bytes: plain[...], context: context)
            for i in 0..<docs { values.append(try StoredValue.decodeFixed(column.dataType, chunkReader, at: i * width)) }
        }
        guard values.count == totalDocs else { throw fail("holds \(values.count) values for \(totalDocs) docs") }
        return values
    }

    /// Version 2/3 var-byte: the fixed header, chunk offsets, then chunks of `docsPerChunk`
    /// int32 row offsets (relative to the chunk) followed by the row bytes.
    private func readVarV2(_ reader: BigEndianReader, version: Int32) throws(SegmentError) -> [Value] {
        let chunks = Int(try reader.int32(4))
        let docsPerChunk = Int(try reader.int32(8))
        let longest = Int(try reader.int32(12))
        let compression = try reader.int32(20)
        let offsetsStart = Int(try reader.int32(24))
        guard chunks >= 0, docsPerChunk > 0 else { throw fail("var-byte header is inconsistent") }
        let offsetSize = version == 2 ? 4 : 8
        var values: [Value] = []
        for chunk in 0..<chunks {
            let (start, end) = try chunkBounds(reader, offsetsStart: offsetsStart, offsetSize: offsetSize, chunk: chunk, chunks: chunks)
            let docs = try docsIn(chunk, docsPerChunk: docsPerChunk)
            let plain = try StoredValue.decompress(try reader.slice(start, end - start), type: compression,
                                                   expectedSize: docsPerChunk * (4 + longest), littleEndianTrailer: false)
            let chunkReader = BigEndianReader(bytes: plain[...], context: context)
            for i in 0..<docs {
                let from = Int(try chunkReader.int32(4 * i))
                let to = i + 1 < docs ? Int(try chunkReader.int32(4 * (i + 1))) : plain.count
                guard from <= to else { throw fail("row offsets decrease in chunk \(chunk)") }
                values.append(try decodeRow(try chunkReader.slice(from, to - from)))
            }
        }
        guard values.count == totalDocs else { throw fail("holds \(values.count) values for \(totalDocs) docs") }
        return values
    }

    /// Version 4: header (version, target chunk size, compression, chunk data start), 8-byte
    /// little-endian (firstDocId, offset) entries, compressed chunks of little-endian row tables.
    private func readVarV4(_ reader: BigEndianReader) throws(SegmentError) -> [Value] {
        let compression = try reader.int32(8)
        let dataStart = Int(try reader.int32(12))
        guard dataStart >= 16, (dataStart - 16) % 8 == 0 else { throw fail("chunk data start \(dataStart) is invalid") }
        let chunks = (dataStart - 16) / 8
        var values: [Value] = []
        for chunk in 0..<chunks {
            let firstDoc = try reader.littleInt32(16 + 8 * chunk)
            let offset = Int(UInt32(bitPattern: try reader.littleInt32(16 + 8 * chunk + 4)))
            let next = chunk + 1 < chunks ? Int(UInt32(bitPattern: try reader.littleInt32(16 + 8 * (chunk + 1) + 4))) : reader.bytes.count - dataStart
            guard offset <= next else { throw fail("chunk offsets decrease at chunk \(chunk)") }
            let plain = try StoredValue.decompress(try reader.slice(dataStart + offset, next - offset), type: compression,
                                                   expectedSize: nil, littleEndianTrailer: true)
            if firstDoc < 0 {
                values.append(try decodeRow(plain[...]))
                continue
            }
            let chunkReader = BigEndianReader(bytes: plain[...], context: context)
            let docs = Int(try chunkReader.littleInt32(0))
            guard docs >= 0, docs <= plain.count / 4 else { throw fail("chunk \(chunk) declares \(docs) rows") }
            for i in 0..<docs {
                let from = Int(try chunkReader.littleInt32(4 + 4 * i))
                let to = i + 1 < docs ? Int(try chunkReader.littleInt32(4 + 4 * (i + 1))) : plain.count
                guard from <= to else { throw fail("row offsets decrease in chunk \(chunk)") }
                values.append(try decodeRow(try chunkReader.slice(from, to - from)))
            }
        }
        guard values.count == totalDocs else { throw fail("holds \(values.count) values for \(totalDocs) docs") }
        return values
    }

    /// The decompressed chunks (fixed-width and version 4 var-byte layouts), for comparing
    /// indexes whose compressed bytes may differ between compressor builds.
    func decompressedChunks(_ bytes: ArraySlice<UInt8>) throws(SegmentError) -> [[UInt8]] {
        let reader = BigEndianReader(bytes: bytes, context: context)
        var result: [[UInt8]] = []
        if let width = StoredValue.fixedWidth(column.dataType), column.singleValue {
            let chunks = Int(try reader.int32(4))
            let docsPerChunk = Int(try reader.int32(8))
            let compression = try reader.int32(20)
            let offsetsStart = Int(try reader.int32(24))
            for chunk in 0..<chunks {
                let (start, end) = try chunkBounds(reader, offsetsStart: offsetsStart, offsetSize: 8, chunk: chunk, chunks: chunks)
                let docs = try docsIn(chunk, docsPerChunk: docsPerChunk)
                result.append(try StoredValue.decompress(try reader.slice(start, end - start), type: compression, expectedSize: docs * width, littleEndianTrailer: false))
            }
            return result
        }
        let compression = try reader.int32(8)
        let dataStart = Int(try reader.int32(12))
        let chunks = (dataStart - 16) / 8
        for chunk in 0..<chunks {
            let offset = Int(UInt32(bitPattern: try reader.littleInt32(16 + 8 * chunk + 4)))
            let next = chunk + 1 < chunks ? Int(UInt32(bitPattern: try reader.littleInt32(16 + 8 * (chunk + 1) + 4))) : reader.bytes.count - dataStart
            result.append(try StoredValue.decompress(try reader.slice(dataStart + offset, next - offset), type: compression, expectedSize: nil, littleEndianTrailer: true))
        }
        return result
    }

    /// How many documents chunk `chunk` holds: `docsPerChunk`, fewer in the last.
    private func docsIn(_ chunk: Int, docsPerChunk: Int) throws(SegmentError) -> Int {
        let first = chunk * docsPerChunk
        guard first < totalDocs else { throw fail("chunk \(chunk) starts at doc \(first), past the segment's \(totalDocs) docs") }
        return min(docsPerChunk, totalDocs - first)
    }

    /// The byte range of chunk `chunk` from the offset table (int32 offsets in version 2, int64
    /// after); the last chunk ends where the buffer does.
    private func chunkBounds(
        _ reader: BigEndianReader, offsetsStart: Int, offsetSize: Int, chunk: Int, chunks: Int
    ) throws(SegmentError) -> (Int, Int) {
        func offset(_ index: Int) throws(SegmentError) -> Int {
            offsetSize == 4 ? Int(try reader.int32(offsetsStart + 4 * index)) : Int(try reader.int64(offsetsStart + 8 * index))
        }
        let start = try offset(chunk)
        let end = chunk + 1 < chunks ? try offset(chunk + 1) : reader.bytes.count
        guard start <= end else { throw fail("chunk offsets decrease at chunk \(chunk)") }
        return (start, end)
    }

    /// One row: a value for SV columns; for MV, a count then the values (fixed types) or a count,
    /// the lengths and the bytes (variable types), big-endian.
    private func decodeRow(_ bytes: ArraySlice<UInt8>) throws(SegmentError) -> Value {
        if column.singleValue { return try StoredValue.decodeVariable(column.dataType, bytes) }
        let reader = BigEndianReader(bytes: bytes, context: context)
        let count = Int(try reader.int32(0))
        guard count >= 0, count <= bytes.count else { throw fail("multi-value row declares \(count) values") }
        if let width = StoredValue.fixedWidth(column.dataType) {
            return .list(try (0..<count).map { (i) throws(SegmentError) in try StoredValue.decodeFixed(column.dataType, reader, at: 4 + i * width) })
        }
        var position = 4 + 4 * count
        var items: [Value] = []
        for i in 0..<count {
            let length = Int(try reader.int32(4 + 4 * i))
            items.append(try StoredValue.decodeVariable(column.dataType, try reader.slice(position, length)))
            position += length
        }
        return .list(items)
    }
}
