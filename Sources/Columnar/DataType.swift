/// The type of a decoded column: what the value means once the Parquet (or Avro) physical and
/// logical types have been applied, following DESIGN.md's type mapping. It names the Pinot type
/// the column becomes (see ``pinotTypeName``).
public indirect enum DataType: Hashable, Sendable, CustomStringConvertible {
    case boolean
    case int32
    case int64
    case float32
    case float64
    /// An exact decimal: unscaled `Int128` values with a fixed scale.
    case decimal(precision: Int, scale: Int)
    /// UTF-8 text.
    case string
    /// JSON text (Parquet JSON columns, and structs, maps and nested lists rendered as JSON).
    case json
    /// Raw bytes.
    case bytes
    /// Days since 1970-01-01, stored as `Int32`.
    case date
    /// Microseconds since midnight, stored as `Int64`.
    case time
    /// Milliseconds since the epoch, UTC, stored as `Int64`.
    case timestamp
    /// A list of a primitive type: Pinot's multi-value column.
    case list(DataType)

    /// The Pinot data type name this column is stored as.
    public var pinotTypeName: String {
        switch self {
        case .boolean: "BOOLEAN"
        case .int32, .date: "INT"
        case .int64, .time: "LONG"
        case .float32: "FLOAT"
        case .float64: "DOUBLE"
        case .decimal: "BIG_DECIMAL"
        case .string: "STRING"
        case .json: "JSON"
        case .bytes: "BYTES"
        case .timestamp: "TIMESTAMP"
        case .list(let element): element.pinotTypeName
        }
    }

    /// Whether the column is a Pinot multi-value column.
    public var isMultiValue: Bool {
        if case .list = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .decimal(let precision, let scale): "decimal(\(precision),\(scale))"
        case .list(let element): "list<\(element)>"
        default: "\(pinotTypeName.lowercased())\(self == .date ? "(date)" : self == .time ? "(time)" : "")"
        }
    }
}
