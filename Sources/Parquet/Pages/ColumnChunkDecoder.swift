import Codecs
import Columnar

/// Decodes the pages of one column chunk (the dictionary page, data pages v1 and v2) into a
/// ``DecodedLeaf``. Sans-I/O: it is handed the chunk's bytes.
struct ColumnChunkDecoder {
    enum LevelMode {
        /// Required or optional primitive at the top level: keep a validity bitmap.
        case flat
        /// Lists and nested fields: keep every definition and repetition level.
        case levels
    }

    let descriptor: ColumnDescriptor
    let metadata: ColumnMetaData
    let codec: CompressionCodec
    let options: ReadOptions
    let mode: LevelMode

    var leaf: DecodedLeaf
    /// The chunk's dictionary page, once read.
    var dictionaryPage: PhysicalValues?
    /// True while every data page so far was dictionary-encoded (values stay as indices).
    var usingIndices = true
    private var definitionScratch: [UInt16] = []
    private var repetitionScratch: [UInt16] = []
    var indexScratch: [UInt32] = []
    private var pageBuffer: [UInt8] = []

    init(descriptor: ColumnDescriptor, metadata: ColumnMetaData, options: ReadOptions, mode: LevelMode) throws {
        self.descriptor = descriptor
        self.metadata = metadata
        self.options = options
        self.mode = mode
        self.codec = try metadata.codec.implementation(column: descriptor.dottedPath)
        guard metadata.type == descriptor.physicalType else {
            throw ParquetError(.corruptMetadata, "column chunk type \(metadata.type) differs from the schema's \(descriptor.physicalType)")
        }
        guard metadata.numValues >= 0, metadata.numValues <= Int64(options.maxValuesPerColumnChunk) else {
            throw ParquetError(.corruptMetadata, "column chunk declares \(metadata.numValues) values (limit \(options.maxValuesPerColumnChunk))")
        }
        leaf = DecodedLeaf(values: PhysicalValues(type: descriptor.physicalType, width: descriptor.typeLength))
        // Reserve what the chunk's bytes can plausibly hold; arrays grow beyond it if needed.
        let bytesHint = Int(min(max(metadata.totalUncompressedSize, 0), Int64(options.decompressionLimits.maxOutputBytes)))
        let reserve = min(Int(metadata.numValues), max(1024, bytesHint))
        if metadata.encodings.contains(where: \.isDictionary) { leaf.indices.reserveCapacity(reserve) }
        leaf.values.reserve(reserve, bytesHint: bytesHint)
        if mode == .flat, descriptor.maxDefinitionLevel > 0 {
            leaf.validity = ValidityBitmap(reservingCapacity: Int(metadata.numValues))
        }
    }

    /// Decodes every page in `chunk`, whose first byte is at file offset `chunkOffset`.
    mutating func decode(_ chunk: UnsafeRawBufferPointer, chunkOffset: Int) throws -> DecodedLeaf {
        var position = 0
        let expected = Int(metadata.numValues)
        while leaf.slotCount < expected {
            guard position < chunk.count else {
                throw ParquetError(.truncated, "column chunk ends after \(leaf.slotCount) of \(expected) values", offset: chunkOffset + position)
            }
            let pageOffset = chunkOffset + position
            do {
                let (header, headerLength) = try PageHeader.decode(UnsafeRawBufferPointer(rebasing: chunk[position...]), fileOffset: pageOffset)
                position += headerLength
                let size = Int(header.compressedPageSize)
                guard size <= chunk.count - position else {
                    throw ParquetError(.corruptPage, "page of \(size) bytes runs past the end of the column chunk (\(chunk.count - position) left)")
                }
                let page = UnsafeRawBufferPointer(rebasing: chunk[position..<position + size])
                position += size
                if options.verifyChecksums, let crc = header.crc {
                    let actual = CRC32.checksum(page)
                    guard actual == UInt32(bitPattern: crc) else {
                        throw ParquetError(.checksumMismatch, "page CRC is \(String(actual, radix: 16)), header says \(String(UInt32(bitPattern: crc), radix: 16))")
                    }
                }
                try decodePage(header, page)
            } catch var error as ParquetError {
                error = error.with(column: descriptor.dottedPath, offset: pageOffset)
                throw error
            } catch let error as CodecError {
                throw ParquetError(.corruptPage, "\(error)", column: descriptor.dottedPath, offset: pageOffset, underlying: error)
            }
        }
        guard leaf.slotCount == expected else {
            throw ParquetError(.corruptPage, "pages hold \(leaf.slotCount) values, the column chunk declares \(expected)",
                               column: descriptor.dottedPath, offset: chunkOffset)
        }
        if usingIndices, let dictionaryPage { leaf.dictionary = dictionaryPage }
        if mode == .flat, let validity = leaf.validity, validity.nullCount > 0 {
            let present = validity.count - validity.nullCount
            let dense = leaf.dictionary == nil ? leaf.values.count : leaf.indices.count
            guard dense == present else {
                throw ParquetError(.corruptPage, "levels declare \(present) values, the pages hold \(dense)",
                                   column: descriptor.dottedPath, offset: chunkOffset)
            }
            if leaf.dictionary == nil { try leaf.values.spread(over: validity) } else { spreadInPlace(&leaf.indices, validity, placeholder: 0) }
        }
        return leaf
    }

    private mutating func decodePage(_ header: PageHeader, _ page: UnsafeRawBufferPointer) throws {
        switch header.type {
        case .dictionaryPage:
            guard let dictionaryHeader = header.dictionaryPage else { throw ParquetError(.corruptMetadata, "dictionary page without its header") }
            guard dictionaryPage == nil, leaf.slotCount == 0 else { throw ParquetError(.corruptPage, "a second dictionary page, or one after data pages") }
            guard dictionaryHeader.encoding == .plain || dictionaryHeader.encoding == .plainDictionary else {
                throw ParquetError(.unsupportedEncoding, "dictionary page encoding \(dictionaryHeader.encoding)")
            }
            var dictionary = PhysicalValues(type: descriptor.physicalType, width: descriptor.typeLength)
            try withDecompressed(page, uncompressedSize: Int(header.uncompressedPageSize)) { _, bytes in
                guard Int(dictionaryHeader.numValues) <= max(bytes.count, 1) * 8 else {
                    throw ParquetError(.corruptPage, "dictionary declares \(dictionaryHeader.numValues) values in \(bytes.count) bytes")
                }
                _ = try PlainDecoder.decode(bytes, count: Int(dictionaryHeader.numValues), into: &dictionary)
            }
            dictionaryPage = dictionary
        case .dataPage:
            guard let dataHeader = header.dataPage else { throw ParquetError(.corruptMetadata, "data page without its header") }
            let count = Int(dataHeader.numValues)
            try checkCount(count)
            try withDecompressed(page, uncompressedSize: Int(header.uncompressedPageSize)) { this, bytes in
                try this.decodeDataPageV1(dataHeader, bytes, count: count)
            }
        case .dataPageV2:
            guard let v2 = header.dataPageV2 else { throw ParquetError(.corruptMetadata, "data page v2 without its header") }
            let count = Int(v2.numValues)
            try checkCount(count)
            let repetitionLength = Int(v2.repetitionLevelsByteLength)
            let definitionLength = Int(v2.definitionLevelsByteLength)
            guard repetitionLength + definitionLength <= page.count else {
                throw ParquetError(.corruptPage, "v2 level lengths \(repetitionLength) + \(definitionLength) exceed the page's \(page.count) bytes")
            }
            ensureScratch(count)
            if descriptor.maxRepetitionLevel > 0 {
                try repetitionScratch.withUnsafeMutableBufferPointer { output in
                    try LevelDecoder.decodeRLE(UnsafeRawBufferPointer(rebasing: page[0..<repetitionLength]),
                                               bitWidth: LevelDecoder.bitWidth(descriptor.maxRepetitionLevel),
                                               maxLevel: descriptor.maxRepetitionLevel, count: count, into: output.baseAddress!)
                }
            }
            if descriptor.maxDefinitionLevel > 0 {
                try definitionScratch.withUnsafeMutableBufferPointer { output in
                    try LevelDecoder.decodeRLE(UnsafeRawBufferPointer(rebasing: page[repetitionLength..<repetitionLength + definitionLength]),
                                               bitWidth: LevelDecoder.bitWidth(descriptor.maxDefinitionLevel),
                                               maxLevel: descriptor.maxDefinitionLevel, count: count, into: output.baseAddress!)
                }
            }
            let present = appendLevels(count: count)
            let stored = UnsafeRawBufferPointer(rebasing: page[(repetitionLength + definitionLength)...])
            let valuesSize = Int(header.uncompressedPageSize) - repetitionLength - definitionLength
            guard valuesSize >= 0 else { throw ParquetError(.corruptPage, "v2 uncompressed size is smaller than its levels") }
            if v2.isCompressed && codec != .uncompressed && !(stored.isEmpty && valuesSize == 0) {
                try withDecompressed(stored, uncompressedSize: valuesSize) { this, bytes in
                    try this.decodeValues(v2.encoding, bytes, count: present)
                }
            } else {
                try decodeValues(v2.encoding, stored, count: present)
            }
        case .indexPage, nil:
            break
        }
    }

    private mutating func decodeDataPageV1(_ dataHeader: DataPageHeader, _ bytes: UnsafeRawBufferPointer, count: Int) throws {
        var position = 0
        ensureScratch(count)
        if descriptor.maxRepetitionLevel > 0 {
            position += try repetitionScratch.withUnsafeMutableBufferPointer { output in
                try LevelDecoder.decodeV1(bytes, encoding: dataHeader.repetitionLevelEncoding,
                                          maxLevel: descriptor.maxRepetitionLevel, count: count, into: output.baseAddress!)
            }
        }
        if descriptor.maxDefinitionLevel > 0 {
            position += try definitionScratch.withUnsafeMutableBufferPointer { output in
                try LevelDecoder.decodeV1(UnsafeRawBufferPointer(rebasing: bytes[position...]), encoding: dataHeader.definitionLevelEncoding,
                                          maxLevel: descriptor.maxDefinitionLevel, count: count, into: output.baseAddress!)
            }
        }
        let present = appendLevels(count: count)
        try decodeValues(dataHeader.encoding, UnsafeRawBufferPointer(rebasing: bytes[position...]), count: present)
    }

    private func checkCount(_ count: Int) throws {
        guard count <= Int(metadata.numValues) - leaf.slotCount else {
            throw ParquetError(.corruptPage, "page declares \(count) values, the chunk has \(Int(metadata.numValues) - leaf.slotCount) left")
        }
    }

    private mutating func ensureScratch(_ count: Int) {
        if definitionScratch.count < count { definitionScratch = [UInt16](repeating: 0, count: count) }
        if descriptor.maxRepetitionLevel > 0, repetitionScratch.count < count {
            repetitionScratch = [UInt16](repeating: 0, count: count)
        }
    }

    /// Calls `body` with the page's decompressed bytes: the stored bytes themselves when the
    /// chunk is uncompressed, else a buffer reused from page to page.
    private mutating func withDecompressed(
        _ page: UnsafeRawBufferPointer, uncompressedSize: Int, _ body: (inout Self, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        if codec == .uncompressed {
            guard page.count == uncompressedSize else {
                throw ParquetError(.corruptPage, "uncompressed page stores \(page.count) bytes, header says \(uncompressedSize)")
            }
            try body(&self, page)
            return
        }
        guard uncompressedSize >= 0, uncompressedSize <= options.decompressionLimits.maxOutputBytes else {
            throw ParquetError(.corruptPage, "page declares \(uncompressedSize) decompressed bytes (limit \(options.decompressionLimits.maxOutputBytes))")
        }
        var buffer = pageBuffer
        pageBuffer = []
        defer { pageBuffer = buffer }
        if buffer.count < uncompressedSize { buffer = [UInt8](repeating: 0, count: max(uncompressedSize, buffer.count * 2)) }
        try buffer.withUnsafeMutableBytes { raw in
            let output = UnsafeMutableRawBufferPointer(rebasing: raw[0..<uncompressedSize])
            try Decompressor.decompress(codec, page, into: output)
            try body(&self, UnsafeRawBufferPointer(output))
        }
    }

    /// Records the page's levels; returns how many slots hold a value.
    private mutating func appendLevels(count: Int) -> Int {
        leaf.slotCount += count
        let maxDefinition = UInt16(descriptor.maxDefinitionLevel)
        if mode == .levels {
            if descriptor.maxRepetitionLevel > 0 {
                leaf.repetitionLevels.append(contentsOf: repetitionScratch[0..<count])
            } else {
                leaf.repetitionLevels.append(contentsOf: repeatElement(0, count: count))
            }
            if maxDefinition == 0 {
                leaf.definitionLevels.append(contentsOf: repeatElement(0, count: count))
                return count
            }
            leaf.definitionLevels.append(contentsOf: definitionScratch[0..<count])
        }
        guard maxDefinition > 0 else { return count }
        var present = 0
        definitionScratch.withUnsafeBufferPointer { levels in
            for i in 0..<count where levels[i] == maxDefinition { present += 1 }
        }
        guard mode == .flat else { return present }
        if present == count {
            leaf.validity?.append(repeating: true, count: count)
        } else {
            definitionScratch.withUnsafeBufferPointer { levels in
                leaf.validity?.append(codes: UnsafeBufferPointer(rebasing: levels[0..<count]), validCode: maxDefinition)
            }
        }
        return present
    }
}
