import Columnar

/// How a leaf's physical values become the values of its `DataType` (DESIGN.md, "Type mapping").
enum LeafConversion: Sendable, Equatable {
    case none
    /// INT32 annotated UINT_32: reinterpret as unsigned, widen to Int64.
    case uint32
    /// INT64 annotated UINT_64: reinterpret as unsigned; above Int64.max is an error.
    case uint64
    /// INT64 time since the epoch: kept in the file's unit.
    case timestamp(TimeUnit)
    /// INT96 (Impala/Spark): nanoseconds of day + Julian day → epoch microseconds, as Spark reads them.
    case int96
    case timeMillis
    case timeNanos
    case decimal(scale: Int)
    case float16
    case uuid
}

/// The mapping of one leaf column.
struct LeafMapping: Sendable {
    var type: DataType
    var conversion: LeafConversion
}

extension ColumnDescriptor {
    /// Applies DESIGN.md's type mapping to this leaf.
    /// - Throws: `ParquetError.unsupportedFeature` for decimals wider than 38 digits.
    func mapping() throws(ParquetError) -> LeafMapping {
        let e = element
        let logical = e.logicalType
        let converted = e.convertedType
        if case .decimal(let scale, let precision)? = logical {
            return try decimal(precision: Int(precision), scale: Int(scale))
        }
        if converted == .decimal, logical == nil || logical == .unknown {
            return try decimal(precision: Int(e.precision ?? 38), scale: Int(e.scale ?? 0))
        }
        switch physicalType {
        case .boolean:
            return LeafMapping(type: .boolean, conversion: .none)
        case .int32:
            switch (logical, converted) {
            case (.integer(32, false)?, _), (nil, .uint32?): return LeafMapping(type: .int64, conversion: .uint32)
            case (.date?, _), (nil, .date?): return LeafMapping(type: .date, conversion: .none)
            case (.time(_, .millis)?, _), (nil, .timeMillis?): return LeafMapping(type: .time, conversion: .timeMillis)
            default: return LeafMapping(type: .int32, conversion: .none)
            }
        case .int64:
            switch (logical, converted) {
            case (.integer(64, false)?, _), (nil, .uint64?): return LeafMapping(type: .int64, conversion: .uint64)
            case (.timestamp(_, let unit)?, _): return LeafMapping(type: .timestamp(unit.timestampUnit), conversion: .timestamp(unit))
            case (nil, .timestampMillis?): return LeafMapping(type: .timestamp(.milliseconds), conversion: .timestamp(.millis))
            case (nil, .timestampMicros?): return LeafMapping(type: .timestamp(.microseconds), conversion: .timestamp(.micros))
            case (.time(_, .micros)?, _), (nil, .timeMicros?): return LeafMapping(type: .time, conversion: .none)
            case (.time(_, .nanos)?, _): return LeafMapping(type: .time, conversion: .timeNanos)
            default: return LeafMapping(type: .int64, conversion: .none)
            }
        case .int96:
            return LeafMapping(type: .timestamp(.microseconds), conversion: .int96)
        case .float:
            return LeafMapping(type: .float32, conversion: .none)
        case .double:
            return LeafMapping(type: .float64, conversion: .none)
        case .byteArray:
            switch (logical, converted) {
            case (.string?, _), (.enumeration?, _), (nil, .utf8?), (nil, .enumeration?):
                return LeafMapping(type: .string, conversion: .none)
            case (.json?, _), (nil, .json?):
                return LeafMapping(type: .json, conversion: .none)
            default:
                return LeafMapping(type: .bytes, conversion: .none)
            }
        case .fixedLenByteArray:
            switch logical {
            case .uuid? where typeLength == 16: return LeafMapping(type: .string, conversion: .uuid)
            case .float16? where typeLength == 2: return LeafMapping(type: .float32, conversion: .float16)
            default: return LeafMapping(type: .bytes, conversion: .none)
            }
        }
    }

    private func decimal(precision: Int, scale: Int) throws(ParquetError) -> LeafMapping {
        guard precision >= 1, scale >= 0, scale <= precision else {
            throw ParquetError(.invalidSchema, "decimal(\(precision), \(scale)) is not a valid decimal", column: dottedPath)
        }
        guard precision <= 38 else {
            throw ParquetError(.unsupportedFeature, "decimal(\(precision), \(scale)) is wider than 38 digits", column: dottedPath)
        }
        switch physicalType {
        case .int32, .int64, .byteArray, .fixedLenByteArray:
            return LeafMapping(type: .decimal(precision: precision, scale: scale), conversion: .decimal(scale: scale))
        default:
            throw ParquetError(.invalidSchema, "DECIMAL annotation on \(physicalType)", column: dottedPath)
        }
    }
}

/// How one top-level field becomes one output column.
enum FieldPlan: Sendable {
    /// A required or optional primitive.
    case primitive(leaf: Int, mapping: LeafMapping)
    /// A list of primitives: Pinot's multi-value column. `listDefinitionLevel` is the level at
    /// which the list is non-null, `elementDefinitionLevel` the level at which it has an element.
    case list(leaf: Int, mapping: LeafMapping, listDefinitionLevel: Int, elementDefinitionLevel: Int)
    /// Structs, maps, lists of non-primitives: rendered as JSON text.
    case json(SchemaNode)

    var leaves: [Int] {
        switch self {
        case .primitive(let leaf, _), .list(let leaf, _, _, _): [leaf]
        case .json(let node): Array(node.leaves)
        }
    }

    var dataType: DataType {
        switch self {
        case .primitive(_, let mapping): mapping.type
        case .list(_, let mapping, _, _): .list(mapping.type)
        case .json: .json
        }
    }
}

extension SchemaNode {
    /// For a LIST-annotated group (or a repeated field), the node whose value is one element,
    /// following the backward-compatibility rules of LogicalTypes.md ("Lists").
    func listElement() throws(ParquetError) -> (repeated: SchemaNode, element: SchemaNode) {
        guard children.count == 1, let repeated = children.first, repeated.repetition == .repeated else {
            throw ParquetError(.invalidSchema, "LIST group \(path.joined(separator: ".")) must have exactly one repeated child")
        }
        if repeated.isLeaf { return (repeated, repeated) }
        guard let only = repeated.children.first, repeated.children.count == 1,
              repeated.name != "array", repeated.name != name + "_tuple" else {
            return (repeated, repeated)
        }
        return (repeated, only)
    }

    /// Validates a MAP-annotated group and returns its key/value group.
    func mapEntries() throws(ParquetError) -> SchemaNode {
        guard children.count == 1, let entries = children.first, entries.repetition == .repeated, !entries.isLeaf,
              (1...2).contains(entries.children.count) else {
            throw ParquetError(.invalidSchema, "MAP group \(path.joined(separator: ".")) must hold one repeated key/value group")
        }
        guard entries.children[0].repetition == .required else {
            throw ParquetError(.invalidSchema, "MAP group \(path.joined(separator: ".")) has a key that is not required")
        }
        return entries
    }

    /// Checks every MAP group in this subtree.
    func validateMaps() throws(ParquetError) {
        if isMapAnnotated, !isLeaf { _ = try mapEntries() }
        for child in children { try child.validateMaps() }
    }
}

extension ParquetSchema {
    /// The plan for top-level field `index`.
    func plan(field index: Int) throws(ParquetError) -> FieldPlan {
        let node = fields[index]
        try node.validateMaps()
        if node.isLeaf {
            let mapping = try columns[node.leaves.lowerBound].mapping()
            if node.repetition == .repeated {
                return .list(leaf: node.leaves.lowerBound, mapping: mapping, listDefinitionLevel: 0,
                             elementDefinitionLevel: node.definitionLevel)
            }
            return .primitive(leaf: node.leaves.lowerBound, mapping: mapping)
        }
        if node.isMapAnnotated {
            let entries = try node.mapEntries()
            if entries.children.count == 1, entries.children[0].isLeaf {
                let key = entries.children[0]
                let mapping = try columns[key.leaves.lowerBound].mapping()
                return .list(leaf: key.leaves.lowerBound, mapping: mapping,
                             listDefinitionLevel: node.definitionLevel, elementDefinitionLevel: entries.definitionLevel)
            }
        }
        if node.isListAnnotated, node.repetition != .repeated {
            let (repeated, element) = try node.listElement()
            if element.isLeaf, element.repetition != .repeated || element.path == repeated.path {
                let mapping = try columns[element.leaves.lowerBound].mapping()
                return .list(leaf: element.leaves.lowerBound, mapping: mapping,
                             listDefinitionLevel: node.definitionLevel, elementDefinitionLevel: repeated.definitionLevel)
            }
        }
        for leaf in node.leaves { _ = try columns[leaf].mapping() }
        return .json(node)
    }
}

extension TimeUnit {
    /// The column model's unit for this Parquet unit.
    var timestampUnit: TimestampUnit {
        switch self {
        case .millis: .milliseconds
        case .micros: .microseconds
        case .nanos: .nanoseconds
        }
    }
}
