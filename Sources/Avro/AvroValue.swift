/// A decoded Avro datum ("generic record" form).
public indirect enum AvroValue: Sendable, Equatable {
    case null
    case boolean(Bool)
    case int(Int32)
    case long(Int64)
    case float(Float)
    case double(Double)
    case bytes([UInt8])
    case string(String)
    case fixed([UInt8])
    case enumeration(index: Int, symbol: String)
    case array([AvroValue])
    case map(AvroMap)
    case record(AvroRecord)

    public var isNull: Bool { self == .null }
    public var int64: Int64? {
        switch self {
        case .int(let v): Int64(v)
        case .long(let v): v
        default: nil
        }
    }
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var bytesValue: [UInt8]? {
        switch self {
        case .bytes(let b), .fixed(let b): b
        default: nil
        }
    }
    public var recordValue: AvroRecord? { if case .record(let r) = self { r } else { nil } }
    public var arrayValue: [AvroValue]? { if case .array(let a) = self { a } else { nil } }
}

/// A record's field values in schema order, looked up by name.
public struct AvroRecord: Sendable, Equatable {
    public let names: [String]
    public var values: [AvroValue]

    public init(names: [String], values: [AvroValue]) {
        self.names = names
        self.values = values
    }

    /// The value of field `name`, or nil when the record has no such field.
    public subscript(name: String) -> AvroValue? {
        guard let index = names.firstIndex(of: name) else { return nil }
        return values[index]
    }
}

/// An Avro map's entries, in the order they were written.
public struct AvroMap: Sendable, Equatable {
    public var entries: [(String, AvroValue)]

    public init(_ entries: [(String, AvroValue)]) { self.entries = entries }

    public static func == (a: AvroMap, b: AvroMap) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    public subscript(key: String) -> AvroValue? { entries.first(where: { $0.0 == key })?.1 }
}
