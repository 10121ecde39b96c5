import Foundation

/// Pinot's data types (`FieldSpec.DataType`).
public enum PinotDataType: String, Sendable, CaseIterable, Codable {
    case int = "INT", long = "LONG", float = "FLOAT", double = "DOUBLE", bigDecimal = "BIG_DECIMAL"
    case boolean = "BOOLEAN", timestamp = "TIMESTAMP", string = "STRING", json = "JSON", bytes = "BYTES"
}

/// One field of a Pinot schema (Pinot's `FieldSpec`).
public struct PinotFieldSpec: Sendable, Equatable {
    public enum Role: String, Sendable { case dimension, metric, dateTime }

    public var name: String
    public var dataType: PinotDataType
    public var role: Role
    public var singleValue: Bool
    /// Pinot's `defaultNullValue`, as the JSON text of the value; nil: Pinot's default for the type.
    public var defaultNullValue: String?
    /// For strings, JSON and bytes: the longest value kept (512 unless set).
    public var maxLength: Int?
    /// For date-time fields: `1:MILLISECONDS:EPOCH`, `1:DAYS:EPOCH`, …
    public var format: String?
    public var granularity: String?

    public init(name: String, dataType: PinotDataType, role: Role, singleValue: Bool = true, defaultNullValue: String? = nil,
                maxLength: Int? = nil, format: String? = nil, granularity: String? = nil) {
        self.name = name
        self.dataType = dataType
        self.role = role
        self.singleValue = singleValue
        self.defaultNullValue = defaultNullValue
        self.maxLength = maxLength
        self.format = format
        self.granularity = granularity
    }
}

/// A Pinot schema: its name and field specs, read from and written to Pinot's schema JSON.
public struct PinotSchema: Sendable, Equatable {
    public var schemaName: String
    public var fields: [PinotFieldSpec]
    /// `enableColumnBasedNullHandling`: on, as LakeIngest keeps nulls.
    public var columnBasedNullHandling: Bool

    public init(schemaName: String, fields: [PinotFieldSpec], columnBasedNullHandling: Bool = true) {
        self.schemaName = schemaName
        self.fields = fields
        self.columnBasedNullHandling = columnBasedNullHandling
    }

    public func field(_ name: String) -> PinotFieldSpec? { fields.first { $0.name == name } }

    /// Pinot's rules for column names (`SchemaUtils.validate`): not empty, no blank space, and
    /// no control characters, which no properties file or query would carry.
    /// - Throws: `.invalidSchema` naming the column.
    public func checkColumnNames() throws(SegmentError) {
        for field in fields {
            if field.name.isEmpty { throw SegmentError(.invalidSchema, "a column has an empty name") }
            if field.name.contains(where: { $0.isWhitespace || $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) {
                throw SegmentError(.invalidSchema, "the column name \(field.name.debugDescription) contains blank space or control characters, which Pinot refuses: rename the column at the source (Iceberg renames are metadata-only) or leave it out with \"schema.excludeColumns\"", column: field.name)
            }
        }
    }

    /// Reads Pinot's schema JSON.
    /// - Throws: `SegmentError.invalidSchema`.
    public static func parse(_ bytes: [UInt8]) throws(SegmentError) -> PinotSchema {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw SegmentError(.invalidSchema, "schema is not a JSON object")
        }
        guard let name = object["schemaName"] as? String else { throw SegmentError(.invalidSchema, "schema has no schemaName") }
        var fields: [PinotFieldSpec] = []
        for (key, role) in [("dimensionFieldSpecs", PinotFieldSpec.Role.dimension), ("metricFieldSpecs", .metric), ("dateTimeFieldSpecs", .dateTime)] {
            for spec in (object[key] as? [[String: Any]]) ?? [] {
                guard let fieldName = spec["name"] as? String, let typeName = spec["dataType"] as? String,
                      let type = PinotDataType(rawValue: typeName) else {
                    throw SegmentError(.invalidSchema, "a field of \(key) lacks a name or has an unknown dataType")
                }
                var maxLength: Int?
                if let value = spec["maxLength"], !(value is NSNull) {
                    // Pinot reads maxLength as a Java int: anything else would wrap.
                    guard let number = value as? NSNumber, let integer = Int(exactly: number.doubleValue),
                          Double(integer) == number.doubleValue, Int(Int32.min)...Int(Int32.max) ~= integer else {
                        throw SegmentError(.invalidSchema, "maxLength \(value) is not an integer within Java's int range", column: fieldName)
                    }
                    maxLength = integer
                }
                let defaultValue = spec["defaultNullValue"].flatMap { value -> String? in
                    if let text = value as? String { return "\"" + text + "\"" }
                    return (try? JSONSerialization.data(withJSONObject: [value])).map { String(decoding: $0.dropFirst().dropLast(), as: UTF8.self) }
                }
                fields.append(PinotFieldSpec(
                    name: fieldName, dataType: type, role: role, singleValue: (spec["singleValueField"] as? Bool) ?? true,
                    defaultNullValue: defaultValue, maxLength: maxLength,
                    format: spec["format"] as? String, granularity: spec["granularity"] as? String))
            }
        }
        // Legacy single time field.
        if let time = object["timeFieldSpec"] as? [String: Any], let incoming = time["incomingGranularitySpec"] as? [String: Any],
           let name = incoming["name"] as? String, let typeName = incoming["dataType"] as? String, let type = PinotDataType(rawValue: typeName) {
            fields.append(PinotFieldSpec(name: name, dataType: type, role: .dateTime,
                                         format: "1:\(incoming["timeType"] as? String ?? "MILLISECONDS"):EPOCH", granularity: nil))
        }
        return PinotSchema(schemaName: name, fields: fields, columnBasedNullHandling: (object["enableColumnBasedNullHandling"] as? Bool) ?? false)
    }

    /// Pinot's schema JSON, keys in Pinot's usual order, pretty-printed.
    public func jsonText() -> String {
        func spec(_ field: PinotFieldSpec) -> String {
            var parts = ["\"name\": \(quoted(field.name))", "\"dataType\": \"\(field.dataType.rawValue)\""]
            if !field.singleValue { parts.append("\"singleValueField\": false") }
            if let value = field.defaultNullValue { parts.append("\"defaultNullValue\": \(value)") }
            if let maxLength = field.maxLength { parts.append("\"maxLength\": \(maxLength)") }
            if let format = field.format { parts.append("\"format\": \(quoted(format))") }
            if let granularity = field.granularity { parts.append("\"granularity\": \(quoted(granularity))") }
            return "    {" + parts.joined(separator: ", ") + "}"
        }
        var sections = ["  \"schemaName\": \(quoted(schemaName))", "  \"enableColumnBasedNullHandling\": \(columnBasedNullHandling)"]
        for (key, role) in [("dimensionFieldSpecs", PinotFieldSpec.Role.dimension), ("metricFieldSpecs", .metric), ("dateTimeFieldSpecs", .dateTime)] {
            let specs = fields.filter { $0.role == role }
            if specs.isEmpty { continue }
            sections.append("  \"\(key)\": [\n" + specs.map(spec).joined(separator: ",\n") + "\n  ]")
        }
        return "{\n" + sections.joined(separator: ",\n") + "\n}\n"
    }

    private func quoted(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
