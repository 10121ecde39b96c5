import Columnar
import Iceberg
import Parquet
import Pinot

/// DESIGN.md's one type mapping, from Iceberg types to the column model (and so to Pinot types):
/// used by schema derivation and by ingestion alike.
public enum TypeMapping {
    public static func dataType(_ type: IcebergType) throws -> DataType {
        switch type {
        case .boolean: return .boolean
        case .int: return .int32
        case .long: return .int64
        case .float: return .float32
        case .double: return .float64
        case .decimal(let precision, let scale): return .decimal(precision: precision, scale: scale)
        case .date: return .date
        case .time: return .time
        case .timestamp, .timestamptz: return .timestamp(.microseconds)
        case .timestampNs, .timestamptzNs: return .timestamp(.nanoseconds)
        case .string, .uuid: return .string
        case .binary, .fixed: return .bytes
        case .list(_, let element, _) where element.isPrimitive: return .list(try dataType(element))
        case .structure, .list, .map: return .json
        case .unknown(let name): throw EngineError(.unsupported, "Iceberg type \(name) is not supported")
        }
    }

    public static func pinotType(_ type: DataType) -> PinotDataType {
        PinotDataType(rawValue: type.pinotTypeName) ?? .string
    }
}

/// Derives the Pinot schema the control plane shows and ingestion builds segments for.
///
/// Rules: the time column — the configured one, else the source of the first year/month/day/hour
/// partition field — becomes the date-time field (`1:MILLISECONDS:EPOCH` for timestamps and
/// longs, `1:DAYS:EPOCH` for dates; any other type is refused); numbers become metrics except
/// keys (identifier fields, `id`, names ending in `_id`) and partition sources, which are
/// dimensions like every other type; lists of primitives are multi-value dimensions; structs and
/// maps are JSON dimensions. With partition columns included, each non-identity partition field
/// (e.g. `day(ts)` as `ts_day`) is an extra dimension, INT for time transforms and buckets.
public struct SchemaDerivation {
    public var schemaName: String
    public var timeColumn: String?
    public var includePartitionColumns: Bool
    /// Without a `timeColumn`, take the source of the first year/month/day/hour partition field
    /// (false: no time column at all).
    public var timeFromPartitions: Bool
    /// Columns left out (`schema.excludeColumns`).
    public var excludeColumns: Set<String>
    /// String columns' `maxLength` by name, `*` for the others (`schema.maxLength`).
    public var maxLength: [String: Int]

    public init(schemaName: String, timeColumn: String?, includePartitionColumns: Bool, timeFromPartitions: Bool = true,
                excludeColumns: Set<String> = [], maxLength: [String: Int] = [:]) {
        self.schemaName = schemaName
        self.timeColumn = timeColumn
        self.includePartitionColumns = includePartitionColumns
        self.timeFromPartitions = timeFromPartitions
        self.excludeColumns = excludeColumns
        self.maxLength = maxLength
    }

    /// The derivation a task's schema options say.
    public init(schemaName: String, options: TaskConfiguration.SchemaOptions) {
        self.init(schemaName: schemaName, timeColumn: options.timeColumn, includePartitionColumns: options.includePartitionColumns,
                  timeFromPartitions: !options.noTimeColumn, excludeColumns: Set(options.excludeColumns), maxLength: options.maxLength)
    }

    /// The names among `names` that stay, after checking that every excluded name is one of them.
    private func kept(_ names: [String]) throws -> Set<String> {
        if let unknown = excludeColumns.subtracting(names).sorted().first {
            throw EngineError(.invalidConfiguration, "\"schema.excludeColumns\" names \(unknown), which is not a column of the table")
        }
        if let timeColumn, excludeColumns.contains(timeColumn) {
            throw EngineError(.invalidConfiguration, "the time column \(timeColumn) is in \"schema.excludeColumns\"")
        }
        return Set(names).subtracting(excludeColumns)
    }

    public func derive(schema: IcebergSchema, spec: PartitionSpec) throws -> PinotSchema {
        let partitionSources = Set(spec.fields.filter { $0.transform != .void }.map(\.sourceId))
        let keys = Set(schema.identifierFieldIds)
        var columns: [(name: String, type: DataType, isKey: Bool)] = []
        let kept = try kept(schema.fields.map(\.name))
        for field in schema.fields where kept.contains(field.name) {
            columns.append((field.name, try TypeMapping.dataType(field.type), keys.contains(field.id) || partitionSources.contains(field.id)))
        }
        var derivation = self
        if derivation.timeColumn == nil, timeFromPartitions,
           let time = spec.fields.first(where: { [.year, .month, .day, .hour].contains($0.transform) }),
           let source = schema.field(id: time.sourceId), kept.contains(source.name) {
            derivation.timeColumn = source.name
        }
        var fields = try derivation.specs(columns)
        if includePartitionColumns {
            for partition in spec.fields where partition.transform != .identity && partition.transform != .void {
                guard let source = schema.field(id: partition.sourceId) else { continue }
                let type = try TypeMapping.dataType(partition.transform.resultType(source: source.type))
                fields.append(PinotFieldSpec(name: partition.name, dataType: type == .date ? .int : TypeMapping.pinotType(type), role: .dimension))
            }
        }
        let derived = PinotSchema(schemaName: schemaName, fields: try withMaxLength(fields))
        try derived.checkColumnNames()
        return derived
    }

    /// For a data lake of Parquet files: the first file's own schema, by name.
    /// - Parameter partitions: partition columns (Hive-style folders), which are dimensions
    ///   like Iceberg partition sources.
    public func derive(parquet fields: [Field], partitions: Set<String> = []) throws -> PinotSchema {
        let kept = try kept(fields.map(\.name))
        let columns = fields.filter { kept.contains($0.name) }.map { ($0.name, $0.type, partitions.contains($0.name)) }
        let derived = PinotSchema(schemaName: schemaName, fields: try withMaxLength(try specs(columns)))
        try derived.checkColumnNames()
        return derived
    }

    /// The fields with `schema.maxLength` applied to their string columns.
    /// - Throws: `.invalidConfiguration` when it names a column the table lacks, or one that is
    ///   not a STRING column.
    private func withMaxLength(_ fields: [PinotFieldSpec]) throws -> [PinotFieldSpec] {
        for name in maxLength.keys.sorted() where name != "*" {
            guard let field = fields.first(where: { $0.name == name }) else {
                throw EngineError(.invalidConfiguration, "\"schema.maxLength\" names \(name), which is not a column of the table")
            }
            guard field.dataType == .string else {
                throw EngineError(.invalidConfiguration, "\"schema.maxLength\" names \(name), a \(field.dataType.rawValue) column: maxLength applies to STRING columns")
            }
        }
        return fields.map { field in
            guard field.dataType == .string, let limit = maxLength[field.name] ?? maxLength["*"] else { return field }
            var field = field
            field.maxLength = limit
            return field
        }
    }

    private func specs(_ columns: [(name: String, type: DataType, isKey: Bool)]) throws -> [PinotFieldSpec] {
        if let timeColumn, !columns.contains(where: { $0.name == timeColumn }) {
            throw EngineError(.schemaMismatch, "time column \(timeColumn) is not a column of the table")
        }
        var result: [PinotFieldSpec] = []
        for column in columns {
            let pinot = TypeMapping.pinotType(column.type)
            if column.name == timeColumn {
                switch column.type {
                case .timestamp:
                    result.append(PinotFieldSpec(name: column.name, dataType: .timestamp, role: .dateTime,
                                                 format: "1:MILLISECONDS:EPOCH", granularity: "1:MILLISECONDS"))
                case .int64:
                    result.append(PinotFieldSpec(name: column.name, dataType: .long, role: .dateTime,
                                                 format: "1:MILLISECONDS:EPOCH", granularity: "1:MILLISECONDS"))
                case .date:
                    result.append(PinotFieldSpec(name: column.name, dataType: .int, role: .dateTime,
                                                 format: "1:DAYS:EPOCH", granularity: "1:DAYS"))
                default:
                    throw EngineError(.schemaMismatch,
                        "time column \(column.name) is \(column.type); a time column must be a timestamp, a date or a long of epoch milliseconds")
                }
                continue
            }
            let isNumber: Bool
            switch column.type {
            case .int32, .int64, .float32, .float64, .decimal: isNumber = true
            default: isNumber = false
            }
            let isKey = column.isKey || column.name == "id" || column.name.hasSuffix("_id")
            result.append(PinotFieldSpec(name: column.name, dataType: pinot, role: isNumber && !isKey ? .metric : .dimension,
                                         singleValue: !column.type.isMultiValue))
        }
        return result
    }
}
