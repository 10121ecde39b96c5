/// parquet.thrift `PageHeader` with the three page kinds this reader decodes.
struct PageHeader {
    var type: PageType?
    var rawType: Int32
    var uncompressedPageSize: Int32
    var compressedPageSize: Int32
    var crc: Int32?
    var dataPage: DataPageHeader?
    var dictionaryPage: DictionaryPageHeader?
    var dataPageV2: DataPageHeaderV2?
}

/// parquet.thrift `DataPageHeader` (data page v1).
struct DataPageHeader {
    var numValues: Int32
    var encoding: Encoding
    var definitionLevelEncoding: Encoding
    var repetitionLevelEncoding: Encoding
}

/// parquet.thrift `DictionaryPageHeader`.
struct DictionaryPageHeader {
    var numValues: Int32
    var encoding: Encoding
}

/// parquet.thrift `DataPageHeaderV2`: levels are stored uncompressed before the values.
struct DataPageHeaderV2 {
    var numValues: Int32
    var numNulls: Int32
    var numRows: Int32
    var encoding: Encoding
    var definitionLevelsByteLength: Int32
    var repetitionLevelsByteLength: Int32
    var isCompressed: Bool
}

extension PageHeader {
    /// Decodes a page header at the start of `bytes` (at `fileOffset` in the file); returns it
    /// and its encoded length.
    static func decode(_ bytes: UnsafeRawBufferPointer, fileOffset: Int = 0) throws(ParquetError) -> (PageHeader, Int) {
        var r = CompactProtocolReader(bytes, base: fileOffset)
        try r.beginStruct()
        var rawType: Int32?
        var uncompressed: Int32?
        var compressed: Int32?
        var header = PageHeader(rawType: 0, uncompressedPageSize: 0, compressedPageSize: 0)
        while let field = try r.nextField() {
            switch field.id {
            case 1: rawType = try r.readI32(field.type)
            case 2: uncompressed = try r.readI32(field.type)
            case 3: compressed = try r.readI32(field.type)
            case 4: header.crc = try r.readI32(field.type)
            case 5:
                guard field.type == .structure else { throw r.fail("data_page_header is not a struct") }
                try r.beginStruct()
                header.dataPage = try DataPageHeader.decode(&r)
            case 7:
                guard field.type == .structure else { throw r.fail("dictionary_page_header is not a struct") }
                try r.beginStruct()
                header.dictionaryPage = try DictionaryPageHeader.decode(&r)
            case 8:
                guard field.type == .structure else { throw r.fail("data_page_header_v2 is not a struct") }
                try r.beginStruct()
                header.dataPageV2 = try DataPageHeaderV2.decode(&r)
            default: try r.skip(field.type)
            }
        }
        guard let rawType, let uncompressed, let compressed else {
            throw r.fail("PageHeader lacks type or sizes")
        }
        guard uncompressed >= 0, compressed >= 0 else {
            throw r.fail("negative page size (uncompressed \(uncompressed), compressed \(compressed))")
        }
        header.rawType = rawType
        header.type = PageType(rawValue: rawType)
        header.uncompressedPageSize = uncompressed
        header.compressedPageSize = compressed
        return (header, r.position)
    }

    private init(rawType: Int32, uncompressedPageSize: Int32, compressedPageSize: Int32) {
        self.rawType = rawType
        self.uncompressedPageSize = uncompressedPageSize
        self.compressedPageSize = compressedPageSize
    }
}

extension DataPageHeader {
    static func decode(_ r: inout CompactProtocolReader) throws(ParquetError) -> DataPageHeader {
        var numValues: Int32?
        var encoding: Int32?
        var defEncoding: Int32 = Encoding.rle.rawValue
        var repEncoding: Int32 = Encoding.rle.rawValue
        while let field = try r.nextField() {
            switch field.id {
            case 1: numValues = try r.readI32(field.type)
            case 2: encoding = try r.readI32(field.type)
            case 3: defEncoding = try r.readI32(field.type)
            case 4: repEncoding = try r.readI32(field.type)
            default: try r.skip(field.type)
            }
        }
        guard let numValues, let encoding, numValues >= 0 else { throw r.fail("DataPageHeader lacks num_values or encoding") }
        return DataPageHeader(
            numValues: numValues, encoding: Encoding(rawValue: encoding),
            definitionLevelEncoding: Encoding(rawValue: defEncoding), repetitionLevelEncoding: Encoding(rawValue: repEncoding))
    }
}

extension DictionaryPageHeader {
    static func decode(_ r: inout CompactProtocolReader) throws(ParquetError) -> DictionaryPageHeader {
        var numValues: Int32?
        var encoding: Int32 = Encoding.plain.rawValue
        while let field = try r.nextField() {
            switch field.id {
            case 1: numValues = try r.readI32(field.type)
            case 2: encoding = try r.readI32(field.type)
            default: try r.skip(field.type)
            }
        }
        guard let numValues, numValues >= 0 else { throw r.fail("DictionaryPageHeader lacks num_values") }
        return DictionaryPageHeader(numValues: numValues, encoding: Encoding(rawValue: encoding))
    }
}

extension DataPageHeaderV2 {
    static func decode(_ r: inout CompactProtocolReader) throws(ParquetError) -> DataPageHeaderV2 {
        var numValues: Int32?
        var numNulls: Int32 = 0
        var numRows: Int32?
        var encoding: Int32?
        var defLength: Int32?
        var repLength: Int32?
        var isCompressed = true
        while let field = try r.nextField() {
            switch field.id {
            case 1: numValues = try r.readI32(field.type)
            case 2: numNulls = try r.readI32(field.type)
            case 3: numRows = try r.readI32(field.type)
            case 4: encoding = try r.readI32(field.type)
            case 5: defLength = try r.readI32(field.type)
            case 6: repLength = try r.readI32(field.type)
            case 7: isCompressed = try r.readBool(field.type)
            default: try r.skip(field.type)
            }
        }
        guard let numValues, let numRows, let encoding, let defLength, let repLength,
              numValues >= 0, numRows >= 0, defLength >= 0, repLength >= 0, numNulls >= 0 else {
            throw r.fail("DataPageHeaderV2 lacks a required field or has a negative one")
        }
        return DataPageHeaderV2(
            numValues: numValues, numNulls: numNulls, numRows: numRows, encoding: Encoding(rawValue: encoding),
            definitionLevelsByteLength: defLength, repetitionLevelsByteLength: repLength, isCompressed: isCompressed)
    }
}
