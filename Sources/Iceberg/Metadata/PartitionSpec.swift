/// A partition transform (Iceberg table spec, "Partition Transforms").
public enum Transform: Sendable, Equatable, CustomStringConvertible {
    case identity, year, month, day, hour, void
    case bucket(Int)
    case truncate(Int)
    case unknown(String)

    init(_ text: String) {
        switch text {
        case "identity": self = .identity
        case "year": self = .year
        case "month": self = .month
        case "day": self = .day
        case "hour": self = .hour
        case "void": self = .void
        default:
            if text.hasPrefix("bucket["), text.hasSuffix("]"), let n = Int(text.dropFirst(7).dropLast()) { self = .bucket(n) }
            else if text.hasPrefix("truncate["), text.hasSuffix("]"), let n = Int(text.dropFirst(9).dropLast()) { self = .truncate(n) }
            else { self = .unknown(text) }
        }
    }

    public var description: String {
        switch self {
        case .identity: "identity"
        case .year: "year"
        case .month: "month"
        case .day: "day"
        case .hour: "hour"
        case .void: "void"
        case .bucket(let n): "bucket[\(n)]"
        case .truncate(let n): "truncate[\(n)]"
        case .unknown(let text): text
        }
    }

    /// The type of the partition value for a source column of `source` type.
    public func resultType(source: IcebergType) -> IcebergType {
        switch self {
        case .identity, .truncate, .unknown, .void: source
        case .bucket, .year, .month, .hour: .int
        case .day: .date
        }
    }
}

/// A partition field: which source column, which transform, and its own id and name.
public struct PartitionField: Sendable, Equatable {
    public var sourceId: Int
    public var fieldId: Int
    public var name: String
    public var transform: Transform

    public init(sourceId: Int, fieldId: Int, name: String, transform: Transform) {
        self.sourceId = sourceId
        self.fieldId = fieldId
        self.name = name
        self.transform = transform
    }
}

/// A partition spec (Iceberg table spec, "Partition Specs").
public struct PartitionSpec: Sendable, Equatable {
    public var specId: Int
    public var fields: [PartitionField]

    public init(specId: Int, fields: [PartitionField]) {
        self.specId = specId
        self.fields = fields
    }

    public var isUnpartitioned: Bool { fields.allSatisfy { $0.transform == .void } }

    static func parse(_ object: JSONObject) throws(IcebergError) -> PartitionSpec {
        PartitionSpec(specId: object.optionalInt("spec-id") ?? 0, fields: try parseFields(try object.objects("fields")))
    }

    static func parseFields(_ fields: [JSONObject]) throws(IcebergError) -> [PartitionField] {
        var result: [PartitionField] = []
        for (i, field) in fields.enumerated() {
            result.append(PartitionField(
                sourceId: try field.int("source-id"), fieldId: field.optionalInt("field-id") ?? 1000 + i,
                name: try field.string("name"), transform: Transform(try field.string("transform"))))
        }
        return result
    }
}
