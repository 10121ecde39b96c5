import Foundation

/// An Avro schema (Avro specification, "Schema Declaration"), with named types resolved.
public indirect enum AvroSchema: Sendable, Equatable {
    case null, boolean, int, long, float, double, bytes, string
    case record(name: String, fields: [AvroField])
    case enumeration(name: String, symbols: [String])
    case array(AvroSchema)
    case map(AvroSchema)
    case union([AvroSchema])
    case fixed(name: String, size: Int)
    /// A type with a `logicalType` annotation (decimal, date, timestamp-millis, uuid, …).
    case logical(AvroSchema, LogicalType)

    /// The annotation of a logical type.
    public struct LogicalType: Sendable, Equatable {
        public var name: String
        public var precision: Int?
        public var scale: Int?
    }

    /// The schema without its logical annotation.
    public var base: AvroSchema {
        if case .logical(let inner, _) = self { return inner.base }
        return self
    }

    /// Parses a schema from its JSON text.
    /// - Throws: `AvroError.invalidSchema`.
    public static func parse(_ json: String) throws(AvroError) -> AvroSchema {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        } catch {
            throw AvroError(.invalidSchema, "schema is not JSON: \(error)")
        }
        var names: [String: AvroSchema] = [:]
        var pending: Set<String> = []
        return try parse(object, namespace: nil, names: &names, pending: &pending)
    }

    private static func fullName(_ name: String, _ namespace: String?) -> String {
        name.contains(".") || namespace == nil || namespace!.isEmpty ? name : namespace! + "." + name
    }

    private static func parse(_ node: Any, namespace: String?, names: inout [String: AvroSchema], pending: inout Set<String>) throws(AvroError) -> AvroSchema {
        if let name = node as? String {
            switch name {
            case "null": return .null
            case "boolean": return .boolean
            case "int": return .int
            case "long": return .long
            case "float": return .float
            case "double": return .double
            case "bytes": return .bytes
            case "string": return .string
            default:
                if let named = names[fullName(name, namespace)] ?? names[name] {
                    if case .record(let recordName, let fields) = named, fields.isEmpty, pending.contains(recordName) {
                        throw AvroError(.invalidSchema, "recursive type \(recordName) is not supported")
                    }
                    return named
                }
                throw AvroError(.invalidSchema, "unknown type name \(name)")
            }
        }
        if let branches = node as? [Any] {
            var result: [AvroSchema] = []
            for branch in branches { result.append(try parse(branch, namespace: namespace, names: &names, pending: &pending)) }
            return .union(result)
        }
        guard let object = node as? [String: Any], let type = object["type"] else {
            throw AvroError(.invalidSchema, "schema node is neither a name, a union nor an object")
        }
        let schema: AvroSchema
        switch type as? String {
        case "record", "error":
            guard let name = object["name"] as? String, let fieldNodes = object["fields"] as? [[String: Any]] else {
                throw AvroError(.invalidSchema, "record without name or fields")
            }
            let full = fullName(name, object["namespace"] as? String ?? namespace)
            let innerNamespace = full.contains(".") ? String(full[..<full.lastIndex(of: ".")!]) : namespace
            // Register a placeholder first so recursive references resolve (to an empty record).
            names[full] = .record(name: full, fields: [])
            pending.insert(full)
            defer { pending.remove(full) }
            var fields: [AvroField] = []
            for field in fieldNodes {
                guard let fieldName = field["name"] as? String, let fieldType = field["type"] else {
                    throw AvroError(.invalidSchema, "field without name or type in record \(full)")
                }
                fields.append(AvroField(
                    name: fieldName, schema: try parse(fieldType, namespace: innerNamespace, names: &names, pending: &pending),
                    defaultValue: field["default"].map(AvroDefault.init), fieldId: (field["field-id"] as? NSNumber)?.intValue))
            }
            schema = .record(name: full, fields: fields)
            names[full] = schema
        case "enum":
            guard let name = object["name"] as? String, let symbols = object["symbols"] as? [String] else {
                throw AvroError(.invalidSchema, "enum without name or symbols")
            }
            schema = .enumeration(name: fullName(name, object["namespace"] as? String ?? namespace), symbols: symbols)
            names[fullName(name, object["namespace"] as? String ?? namespace)] = schema
        case "array":
            guard let items = object["items"] else { throw AvroError(.invalidSchema, "array without items") }
            schema = .array(try parse(items, namespace: namespace, names: &names, pending: &pending))
        case "map":
            guard let values = object["values"] else { throw AvroError(.invalidSchema, "map without values") }
            schema = .map(try parse(values, namespace: namespace, names: &names, pending: &pending))
        case "fixed":
            guard let name = object["name"] as? String, let size = (object["size"] as? NSNumber)?.intValue, size >= 0 else {
                throw AvroError(.invalidSchema, "fixed without name or size")
            }
            schema = .fixed(name: fullName(name, object["namespace"] as? String ?? namespace), size: size)
            names[fullName(name, object["namespace"] as? String ?? namespace)] = schema
        default:
            // {"type": "long", "logicalType": …} or a nested type object.
            schema = try parse(type, namespace: namespace, names: &names, pending: &pending)
        }
        if let logical = object["logicalType"] as? String {
            return .logical(schema, LogicalType(
                name: logical, precision: (object["precision"] as? NSNumber)?.intValue, scale: (object["scale"] as? NSNumber)?.intValue))
        }
        return schema
    }
}

/// A record field.
public struct AvroField: Sendable, Equatable {
    public var name: String
    public var schema: AvroSchema
    /// The default used when a writer's schema lacks the field.
    public var defaultValue: AvroDefault?
    /// Iceberg's `field-id` attribute, where present.
    public var fieldId: Int?
}

/// A field default as written in the schema JSON.
public struct AvroDefault: Sendable, Equatable {
    let json: String

    init(_ value: Any) {
        if value is NSNull {
            json = "null"
        } else if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]) {
            json = String(decoding: data, as: UTF8.self)
        } else {
            json = "null"
        }
    }

    /// The default as a value of `schema` (for a union, of its first branch, as the spec says).
    func value(for schema: AvroSchema) throws(AvroError) -> AvroValue {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        } catch {
            throw AvroError(.schemaMismatch, "default value is not JSON")
        }
        return try Self.convert(object, schema)
    }

    private static func convert(_ object: Any, _ schema: AvroSchema) throws(AvroError) -> AvroValue {
        switch schema.base {
        case .null: return .null
        case .boolean: return .boolean((object as? Bool) ?? false)
        case .int: return .int(Int32((object as? NSNumber)?.int32Value ?? 0))
        case .long: return .long((object as? NSNumber)?.int64Value ?? 0)
        case .float: return .float((object as? NSNumber)?.floatValue ?? 0)
        case .double: return .double((object as? NSNumber)?.doubleValue ?? 0)
        case .bytes: return .bytes(Array(((object as? String) ?? "").unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }))
        case .string: return .string((object as? String) ?? "")
        case .fixed: return .fixed(Array(((object as? String) ?? "").unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }))
        case .enumeration(_, let symbols):
            let symbol = (object as? String) ?? symbols.first ?? ""
            return .enumeration(index: symbols.firstIndex(of: symbol) ?? 0, symbol: symbol)
        case .array(let items):
            var result: [AvroValue] = []
            for item in (object as? [Any]) ?? [] { result.append(try convert(item, items)) }
            return .array(result)
        case .map(let values):
            var result: [(String, AvroValue)] = []
            for (key, item) in ((object as? [String: Any]) ?? [:]).sorted(by: { $0.key < $1.key }) { result.append((key, try convert(item, values))) }
            return .map(AvroMap(result))
        case .union(let branches):
            guard let first = branches.first else { throw AvroError(.schemaMismatch, "default for an empty union") }
            return try convert(object, first)
        case .record(_, let fields):
            let dictionary = (object as? [String: Any]) ?? [:]
            var values: [AvroValue] = []
            for field in fields {
                if let item = dictionary[field.name] { values.append(try convert(item, field.schema)) }
                else if let fallback = field.defaultValue { values.append(try fallback.value(for: field.schema)) }
                else { throw AvroError(.schemaMismatch, "default record lacks field \(field.name)") }
            }
            return .record(AvroRecord(names: fields.map(\.name), values: values))
        case .logical:
            return .null
        }
    }
}
