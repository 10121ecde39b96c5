/// How a column's values are laid out in memory.
///
/// Null slots hold an arbitrary placeholder value (zero, empty); the column's validity bitmap
/// says which slots are null.
public indirect enum ColumnStorage: Sendable, Equatable {
    case boolean([Bool])
    case int32([Int32])
    case int64([Int64])
    case float32([Float])
    case float64([Double])
    /// Unscaled decimal values.
    case int128([Int128])
    case byteArrays(ByteArrays)
    /// The fast path: values kept as the dictionary the writer built and an index per slot, so a
    /// segment builder can merge dictionaries instead of hashing every value.
    case dictionary(values: ColumnStorage, indices: [Int32])
    /// A list column: row `i` holds `child[offsets[i] ..< offsets[i + 1]]`.
    case list(offsets: [Int32], child: Column)

    /// The number of slots.
    public var count: Int {
        switch self {
        case .boolean(let v): v.count
        case .int32(let v): v.count
        case .int64(let v): v.count
        case .float32(let v): v.count
        case .float64(let v): v.count
        case .int128(let v): v.count
        case .byteArrays(let v): v.count
        case .dictionary(_, let indices): indices.count
        case .list(let offsets, _): offsets.count - 1
        }
    }
}

/// One typed column of a ``RecordBatch``: its values, and where it has nulls a validity bitmap.
public struct Column: Sendable, Equatable {
    public var type: DataType
    public var storage: ColumnStorage
    /// `nil` when no slot is null.
    public var validity: ValidityBitmap?

    public init(type: DataType, storage: ColumnStorage, validity: ValidityBitmap? = nil) {
        if let validity { precondition(validity.count == storage.count, "validity must cover every slot") }
        self.type = type
        self.storage = storage
        self.validity = validity?.nullCount == 0 ? nil : validity
    }

    public var count: Int { storage.count }
    public var nullCount: Int { validity?.nullCount ?? 0 }

    public func isNull(_ index: Int) -> Bool {
        guard let validity else { return false }
        return !validity.isValid(index)
    }
}

/// A named, typed column slot of a batch's schema.
public struct Field: Sendable, Equatable {
    public var name: String
    public var type: DataType
    public var nullable: Bool
    /// The Iceberg / Parquet field id, when the writer recorded one.
    public var fieldId: Int?
    /// The writer declared the column without a type, because it only ever holds nulls
    /// (Parquet's UNKNOWN logical type: pyarrow's all-`None` and empty columns). `type` is then
    /// only the physical stand-in; the column fits a column of any type.
    public var isNullType: Bool

    public init(name: String, type: DataType, nullable: Bool, fieldId: Int? = nil, isNullType: Bool = false) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self.fieldId = fieldId
        self.isNullType = isNullType
    }
}

/// Columns of equal length: the unit of work between decoding and segment building.
public struct RecordBatch: Sendable, Equatable {
    public var fields: [Field]
    public var columns: [Column]
    public var rowCount: Int

    public init(fields: [Field], columns: [Column], rowCount: Int) {
        precondition(fields.count == columns.count, "one column per field")
        precondition(columns.allSatisfy { $0.count == rowCount }, "columns must have rowCount slots")
        self.fields = fields
        self.columns = columns
        self.rowCount = rowCount
    }
}
