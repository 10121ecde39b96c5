import Foundation

extension IcebergType {
    /// Parses a type as table metadata JSON writes it: a primitive name, or a struct/list/map object.
    static func parse(_ node: Any?, context: String) throws(IcebergError) -> IcebergType {
        if let name = node as? String { return primitive(name) }
        let object = try JSONObject(node, context: context)
        switch try object.string("type") {
        case "struct":
            return .structure(try object.objects("fields").map { (f) throws(IcebergError) in try NestedField.parse(f) })
        case "list":
            return .list(elementId: try object.int("element-id"),
                         element: try parse(object.values["element"], context: context + ".element"),
                         elementRequired: object.bool("element-required", default: false))
        case "map":
            return .map(keyId: try object.int("key-id"), key: try parse(object.values["key"], context: context + ".key"),
                        valueId: try object.int("value-id"), value: try parse(object.values["value"], context: context + ".value"),
                        valueRequired: object.bool("value-required", default: false))
        case let other:
            throw IcebergError(.invalidMetadata, "\(context) has unknown nested type \(other)")
        }
    }

    static func primitive(_ name: String) -> IcebergType {
        switch name {
        case "boolean": return .boolean
        case "int": return .int
        case "long": return .long
        case "float": return .float
        case "double": return .double
        case "date": return .date
        case "time": return .time
        case "timestamp": return .timestamp
        case "timestamptz": return .timestamptz
        case "timestamp_ns": return .timestampNs
        case "timestamptz_ns": return .timestamptzNs
        case "string": return .string
        case "uuid": return .uuid
        case "binary": return .binary
        default:
            if name.hasPrefix("decimal("), name.hasSuffix(")") {
                let parts = name.dropFirst("decimal(".count).dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, let precision = Int(parts[0]), let scale = Int(parts[1]) { return .decimal(precision: precision, scale: scale) }
            }
            if name.hasPrefix("fixed["), name.hasSuffix("]"), let size = Int(name.dropFirst("fixed[".count).dropLast()) {
                return .fixed(size)
            }
            return .unknown(name)
        }
    }
}

extension NestedField {
    static func parse(_ object: JSONObject) throws(IcebergError) -> NestedField {
        NestedField(id: try object.int("id"), name: try object.string("name"), required: object.bool("required", default: false),
                    type: try IcebergType.parse(object.values["type"], context: object.context + ".type"), doc: object.optionalString("doc"))
    }
}

extension IcebergSchema {
    static func parse(_ object: JSONObject, defaultId: Int = 0) throws(IcebergError) -> IcebergSchema {
        IcebergSchema(
            schemaId: object.optionalInt("schema-id") ?? defaultId,
            fields: try object.objects("fields").map { (f) throws(IcebergError) in try NestedField.parse(f) },
            identifierFieldIds: (object.values["identifier-field-ids"] as? [NSNumber])?.map(\.intValue) ?? [])
    }
}
