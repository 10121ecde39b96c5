/// parquet.thrift `SchemaElement`: one node of the flattened (depth-first) schema tree.
public struct SchemaElement: Sendable {
    public var type: PhysicalType?
    public var typeLength: Int32?
    public var repetition: Repetition?
    public var name: String
    public var numChildren: Int32?
    public var convertedType: ConvertedType?
    public var scale: Int32?
    public var precision: Int32?
    public var fieldId: Int32?
    public var logicalType: LogicalType?
}

/// parquet.thrift `KeyValue`.
public struct KeyValue: Sendable, Equatable {
    public var key: String
    public var value: String?
}

/// parquet.thrift `ColumnMetaData`.
public struct ColumnMetaData: Sendable {
    public var type: PhysicalType
    public var encodings: [Encoding]
    public var pathInSchema: [String]
    public var codec: ParquetCodec
    public var numValues: Int64
    public var totalUncompressedSize: Int64
    public var totalCompressedSize: Int64
    public var keyValueMetadata: [KeyValue]
    public var dataPageOffset: Int64
    public var indexPageOffset: Int64?
    public var dictionaryPageOffset: Int64?
}

/// parquet.thrift `ColumnChunk`.
public struct ColumnChunk: Sendable {
    public var filePath: String?
    public var fileOffset: Int64
    public var metaData: ColumnMetaData?
    /// Set when the column's metadata is encrypted (`encrypted_column_metadata`).
    public var isEncrypted: Bool
}

/// parquet.thrift `RowGroup`.
public struct RowGroup: Sendable {
    public var columns: [ColumnChunk]
    public var totalByteSize: Int64
    public var numRows: Int64
}

/// parquet.thrift `FileMetaData`: the footer.
public struct FileMetaData: Sendable {
    public var version: Int32
    public var schema: [SchemaElement]
    public var numRows: Int64
    public var rowGroups: [RowGroup]
    public var keyValueMetadata: [KeyValue]
    public var createdBy: String?
}
