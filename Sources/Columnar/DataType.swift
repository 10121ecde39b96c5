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
    /// Time since the epoch, UTC, stored as `Int64` in `unit`: the unit the file wrote, so a
    /// field in microseconds or nanoseconds keeps every digit. Pinot's TIMESTAMP is
    /// milliseconds; ``Column/value(at:)`` gives those (floored).
    case timestamp(TimestampUnit)
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

    /// Whether values are time since the epoch, in whatever unit.
    public var isTimestamp: Bool {
        if case .timestamp = self { return true }
        return false
    }

    /// The unit of a timestamp column's values; nil for other types.
    public var timestampUnit: TimestampUnit? {
        if case .timestamp(let unit) = self { return unit }
        return nil
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
        case .timestamp(let unit) where unit != .milliseconds: "timestamp(\(unit))"
        default: "\(pinotTypeName.lowercased())\(self == .date ? "(date)" : self == .time ? "(time)" : "")"
        }
    }
}

/// The unit of a ``DataType/timestamp(_:)`` column's values.
public enum TimestampUnit: Hashable, Sendable, CustomStringConvertible {
    case milliseconds, microseconds, nanoseconds

    /// Values of this unit in one millisecond.
    public var perMillisecond: Int64 {
        switch self {
        case .milliseconds: 1
        case .microseconds: 1000
        case .nanoseconds: 1_000_000
        }
    }

    /// A value of this unit as milliseconds since the epoch, floored.
    @inline(__always)
    public func millis(_ value: Int64) -> Int64 {
        let divisor = perMillisecond
        guard divisor != 1 else { return value }
        let quotient = value / divisor
        return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient
    }

    public var description: String {
        switch self {
        case .milliseconds: "ms"
        case .microseconds: "us"
        case .nanoseconds: "ns"
        }
    }
}
