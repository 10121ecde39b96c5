/// An Iceberg type (Iceberg table spec, "Schemas and Data Types").
public indirect enum IcebergType: Sendable, Equatable, CustomStringConvertible {
    case boolean, int, long, float, double
    case decimal(precision: Int, scale: Int)
    case date, time, timestamp, timestamptz, timestampNs, timestamptzNs
    case string, uuid, binary
    case fixed(Int)
    case structure([NestedField])
    case list(elementId: Int, element: IcebergType, elementRequired: Bool)
    case map(keyId: Int, key: IcebergType, valueId: Int, value: IcebergType, valueRequired: Bool)
    /// A type this reader does not know (v3's variant, geometry, …), kept by name.
    case unknown(String)

    public var isPrimitive: Bool {
        switch self {
        case .structure, .list, .map: false
        default: true
        }
    }

    public var description: String {
        switch self {
        case .boolean: "boolean"
        case .int: "int"
        case .long: "long"
        case .float: "float"
        case .double: "double"
        case .decimal(let p, let s): "decimal(\(p), \(s))"
        case .date: "date"
        case .time: "time"
        case .timestamp: "timestamp"
        case .timestamptz: "timestamptz"
        case .timestampNs: "timestamp_ns"
        case .timestamptzNs: "timestamptz_ns"
        case .string: "string"
        case .uuid: "uuid"
        case .binary: "binary"
        case .fixed(let n): "fixed[\(n)]"
        case .structure(let fields): "struct<" + fields.map { "\($0.name): \($0.type)" }.joined(separator: ", ") + ">"
        case .list(_, let element, _): "list<\(element)>"
        case .map(_, let key, _, let value, _): "map<\(key), \(value)>"
        case .unknown(let name): name
        }
    }
}

/// A field of a struct or schema: id, name, whether it is required, its type.
public struct NestedField: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var required: Bool
    public var type: IcebergType
    public var doc: String?

    public init(id: Int, name: String, required: Bool, type: IcebergType, doc: String? = nil) {
        self.id = id
        self.name = name
        self.required = required
        self.type = type
        self.doc = doc
    }
}

/// A table schema: top-level fields, by id.
public struct IcebergSchema: Sendable, Equatable {
    public var schemaId: Int
    public var fields: [NestedField]
    public var identifierFieldIds: [Int]

    public init(schemaId: Int, fields: [NestedField], identifierFieldIds: [Int] = []) {
        self.schemaId = schemaId
        self.fields = fields
        self.identifierFieldIds = identifierFieldIds
    }

    /// The top-level field with `id`.
    public func field(id: Int) -> NestedField? { fields.first { $0.id == id } }
    public func field(named name: String) -> NestedField? { fields.first { $0.name == name } }
}
