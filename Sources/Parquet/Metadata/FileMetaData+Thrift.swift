/// Decoding of the footer structs from the Thrift compact protocol. Required fields that are
/// missing are reported as corrupt metadata; unknown fields are skipped.

extension FileMetaData {
    /// Decodes a serialized `FileMetaData` (the footer between the data and the length + magic)
    /// that starts at `fileOffset` in its file (errors give offsets in the file).
    public static func decode(_ bytes: UnsafeRawBufferPointer, fileOffset: Int = 0) throws(ParquetError) -> FileMetaData {
        var reader = CompactProtocolReader(bytes, base: fileOffset)
        try reader.beginStruct()
        return try decode(&reader)
    }

    static func decode(_ r: inout CompactProtocolReader) throws(ParquetError) -> FileMetaData {
        var version: Int32 = 1
        var schema: [SchemaElement]?
        var numRows: Int64?
        var rowGroups: [RowGroup]?
        var keyValues: [KeyValue] = []
        var createdBy: String?
        while let field = try r.nextField() {
            switch field.id {
            case 1: version = try r.readI32(field.type)
            case 2: schema = try r.readList(field.type) { (r: inout CompactProtocolReader) throws(ParquetError) in try SchemaElement.decode(&r) }
            case 3: numRows = try r.readI64(field.type)
            case 4: rowGroups = try r.readList(field.type) { (r: inout CompactProtocolReader) throws(ParquetError) in try RowGroup.decode(&r) }
            case 5: keyValues = try r.readList(field.type) { (r: inout CompactProtocolReader) throws(ParquetError) in try KeyValue.decode(&r) }
            case 6: createdBy = try r.readString(field.type)
            default: try r.skip(field.type)
            }
        }
        guard let schema, let numRows, let rowGroups else {
            throw r.fail("FileMetaData lacks schema, num_rows or row_groups")
        }
        return FileMetaData(
            version: version, schema: schema, numRows: numRows, rowGroups: rowGroups,
            keyValueMetadata: keyValues, createdBy: createdBy)
    }
}

extension SchemaElement {
    static func decode(_ r: inout CompactProtocolReader) throws(ParquetError) -> SchemaElement {
        var element = SchemaElement(name: "")
        var hasName = false
        while let field = try r.nextField() {
            switch field.id {
            case 1:
                let raw = try r.readI32(field.type)
                guard let type = PhysicalType(rawValue: raw) else { throw r.fail("unknown physical type \(raw)") }
                element.type = type
            case 2: element.typeLength = try r.readI32(field.type)
            case 3:
                let raw = try r.readI32(field.type)
                guard let repetition = Repetition(rawValue: raw) else { throw r.fail("unknown repetition \(raw)") }
                element.repetition = repetition
            case 4:
                element.name = try r.readString(field.type)
                hasName = true
            case 5: element.numChildren = try r.readI32(field.type)
            case 6: element.convertedType = ConvertedType(rawValue: try r.readI32(field.type))
            case 7: element.scale = try r.readI32(field.type)
            case 8: element.precision = try r.readI32(field.type)
            case 9: element.fieldId = try r.readI32(field.type)
            case 10:
                guard field.type == .structure else { try r.skip(field.type); continue }
                try r.beginStruct()
                element.logicalType = try LogicalType.decode(&r)
            default: try r.skip(field.type)
            }
        }
        guard hasName else { throw r.fail("SchemaElement without a name") }
        return element
    }

    init(name: String) {
        self.name = name
    }
}

extension LogicalType {
    /// Decodes the union; the struct has been begun by the caller.
    static func decode(_ r: inout CompactProtocolReader) throws(ParquetError) -> LogicalType? {
        var result: LogicalType?
        while let field = try r.nextField() {
            guard field.type == .structure else { try r.skip(field.type); continue }
            try r.beginStruct()
            switch field.id {
            case 1: result = .string; try r.skipRestOfStruct()
            case 2: result = .map; try r.skipRestOfStruct()
            case 3: result = .list; try r.skipRestOfStruct()
            case 4: result = .enumeration; try r.skipRestOfStruct()
            case 5:
                var scale: Int32 = 0
                var precision: Int32 = 0
                while let inner = try r.nextField() {
                    switch inner.id {
                    case 1: scale = try r.readI32(inner.type)
                    case 2: precision = try r.readI32(inner.type)
                    default: try r.skip(inner.type)
                    }
                }
                result = .decimal(scale: scale, precision: precision)
            case 6: result = .date; try r.skipRestOfStruct()
            case 7, 8:
                var adjusted = false
                var unit: TimeUnit = .millis
                while let inner = try r.nextField() {
                    switch inner.id {
                    case 1: adjusted = try r.readBool(inner.type)
                    case 2:
                        guard inner.type == .structure else { try r.skip(inner.type); continue }
                        try r.beginStruct()
                        while let unitField = try r.nextField() {
                            switch unitField.id {
                            case 1: unit = .millis
                            case 2: unit = .micros
                            case 3: unit = .nanos
                            default: break
                            }
                            try r.skip(unitField.type)
                        }
                    default: try r.skip(inner.type)
                    }
                }
                result = field.id == 7 ? .time(isAdjustedToUTC: adjusted, unit: unit) : .timestamp(isAdjustedToUTC: adjusted, unit: unit)
            case 10:
                var bitWidth: Int8 = 64
                var signed = true
                while let inner = try r.nextField() {
                    switch inner.id {
                    case 1: bitWidth = Int8(truncatingIfNeeded: try r.readI32(inner.type))
                    case 2: signed = try r.readBool(inner.type)
                    default: try r.skip(inner.type)
                    }
                }
                result = .integer(bitWidth: bitWidth, isSigned: signed)
            case 11: result = .unknown; try r.skipRestOfStruct()
            case 12: result = .json; try r.skipRestOfStruct()
            case 13: result = .bson; try r.skipRestOfStruct()
            case 14: result = .uuid; try r.skipRestOfStruct()
            case 15: result = .float16; try r.skipRestOfStruct()
            case 16: result = .variant; try r.skipRestOfStruct()
            case 17: result = .geometry; try r.skipRestOfStruct()
            case 18: result = .geography; try r.skipRestOfStruct()
            default: result = .unrecognized(field.id); try r.skipRestOfStruct()
            }
        }
        return result
    }
}

extension KeyValue {
    static func decode(_ r: inout CompactProtocolReader) throws(ParquetError) -> KeyValue {
        var key: String?
        var value: String?
        while let field = try r.nextField() {
            switch field.id {
            case 1: key = try r.readString(field.type)
            case 2: value = try r.readString(field.type)
            default: try r.skip(field.type)
            }
        }
        guard let key else { throw r.fail("KeyValue without a key") }
        return KeyValue(key: key, value: value)
    }
}

extension RowGroup {
    static func decode(_ r: inout CompactProtocolReader) throws(ParquetError) -> RowGroup {
        var columns: [ColumnChunk]?
        var totalByteSize: Int64 = 0
        var numRows: Int64?
        while let field = try r.nextField() {
            switch field.id {
            case 1: columns = try r.readList(field.type) { (r: inout CompactProtocolReader) throws(ParquetError) in try ColumnChunk.decode(&r) }
            case 2: totalByteSize = try r.readI64(field.type)
            case 3: numRows = try r.readI64(field.type)
            default: try r.skip(field.type)
            }
        }
        guard let columns, let numRows else { throw r.fail("RowGroup lacks columns or num_rows") }
        return RowGroup(columns: columns, totalByteSize: totalByteSize, numRows: numRows)
    }
}

extension ColumnChunk {
    static func decode(_ r: inout CompactProtocolReader) throws(ParquetError) -> ColumnChunk {
        var chunk = ColumnChunk(filePath: nil, fileOffset: 0, metaData: nil, isEncrypted: false)
        while let field = try r.nextField() {
            switch field.id {
            case 1: chunk.filePath = try r.readString(field.type)
            case 2: chunk.fileOffset = try r.readI64(field.type)
            case 3:
                guard field.type == .structure else { throw r.fail("ColumnChunk.meta_data is not a struct") }
                try r.beginStruct()
                chunk.metaData = try ColumnMetaData.decode(&r)
            case 8, 9:
                chunk.isEncrypted = true
                try r.skip(field.type)
            default: try r.skip(field.type)
            }
        }
        return chunk
    }
}

extension ColumnMetaData {
    static func decode(_ r: inout CompactProtocolReader) throws(ParquetError) -> ColumnMetaData {
        var type: PhysicalType?
        var encodings: [Encoding] = []
        var path: [String]?
        var codec: ParquetCodec?
        var numValues: Int64?
        var uncompressed: Int64 = 0
        var compressed: Int64?
        var keyValues: [KeyValue] = []
        var dataPageOffset: Int64?
        var indexPageOffset: Int64?
        var dictionaryPageOffset: Int64?
        while let field = try r.nextField() {
            switch field.id {
            case 1:
                let raw = try r.readI32(field.type)
                guard let physical = PhysicalType(rawValue: raw) else { throw r.fail("unknown physical type \(raw)") }
                type = physical
            case 2: encodings = try r.readI32List(field.type).map(Encoding.init(rawValue:))
            case 3: path = try r.readStringList(field.type)
            case 4: codec = ParquetCodec(rawValue: try r.readI32(field.type))
            case 5: numValues = try r.readI64(field.type)
            case 6: uncompressed = try r.readI64(field.type)
            case 7: compressed = try r.readI64(field.type)
            case 8: keyValues = try r.readList(field.type) { (r: inout CompactProtocolReader) throws(ParquetError) in try KeyValue.decode(&r) }
            case 9: dataPageOffset = try r.readI64(field.type)
            case 10: indexPageOffset = try r.readI64(field.type)
            case 11: dictionaryPageOffset = try r.readI64(field.type)
            default: try r.skip(field.type)
            }
        }
        guard let type, let path, let codec, let numValues, let compressed, let dataPageOffset else {
            throw r.fail("ColumnMetaData lacks a required field")
        }
        return ColumnMetaData(
            type: type, encodings: encodings, pathInSchema: path, codec: codec, numValues: numValues,
            totalUncompressedSize: uncompressed, totalCompressedSize: compressed, keyValueMetadata: keyValues,
            dataPageOffset: dataPageOffset, indexPageOffset: indexPageOffset, dictionaryPageOffset: dictionaryPageOffset)
    }
}
