/// Schema resolution (Avro specification, "Schema Resolution"), as generic-record readers do
/// it: a value decoded with the writer's schema is projected onto the reader's — record fields
/// matched by name, fields the writer lacks filled from the reader's defaults, fields the reader
/// lacks dropped, numeric promotion (int → long → float → double), unions matched by branch.
struct SchemaResolver: Sendable {
    let writer: AvroSchema
    let reader: AvroSchema

    init(writer: AvroSchema, reader: AvroSchema) throws(AvroError) {
        self.writer = writer
        self.reader = reader
    }

    func resolve(_ value: AvroValue) throws(AvroError) -> AvroValue {
        try Self.project(value, onto: reader)
    }

    private static func project(_ value: AvroValue, onto schema: AvroSchema) throws(AvroError) -> AvroValue {
        switch (value, schema.base) {
        case (_, .union(let branches)):
            for branch in branches {
                if let projected = try? project(value, onto: branch) { return projected }
            }
            throw AvroError(.schemaMismatch, "no union branch of the reader's schema accepts the writer's value")
        case (.null, .null): return .null
        case (.int(let v), .long): return .long(Int64(v))
        case (.int(let v), .float): return .float(Float(v))
        case (.int(let v), .double): return .double(Double(v))
        case (.long(let v), .float): return .float(Float(v))
        case (.long(let v), .double): return .double(Double(v))
        case (.float(let v), .double): return .double(Double(v))
        case (.string(let s), .bytes): return .bytes(Array(s.utf8))
        case (.bytes(let b), .string): return .string(String(decoding: b, as: UTF8.self))
        case (.record(let record), .record(_, let fields)):
            var values: [AvroValue] = []
            for field in fields {
                if let written = record[field.name] {
                    values.append(try project(written, onto: field.schema))
                } else if let fallback = field.defaultValue {
                    values.append(try fallback.value(for: field.schema))
                } else {
                    throw AvroError(.schemaMismatch, "the writer's record lacks field \(field.name), which has no default")
                }
            }
            return .record(AvroRecord(names: fields.map(\.name), values: values))
        case (.array(let items), .array(let itemSchema)):
            var result: [AvroValue] = []
            for item in items { result.append(try project(item, onto: itemSchema)) }
            return .array(result)
        case (.map(let map), .map(let valueSchema)):
            var result: [(String, AvroValue)] = []
            for (key, item) in map.entries { result.append((key, try project(item, onto: valueSchema))) }
            return .map(AvroMap(result))
        case (.enumeration(_, let symbol), .enumeration(_, let symbols)):
            guard let index = symbols.firstIndex(of: symbol) else {
                throw AvroError(.schemaMismatch, "enum symbol \(symbol) is not in the reader's schema")
            }
            return .enumeration(index: index, symbol: symbol)
        case (.boolean, .boolean), (.int, .int), (.long, .long), (.float, .float), (.double, .double),
             (.bytes, .bytes), (.string, .string), (.fixed, .fixed):
            return value
        default:
            throw AvroError(.schemaMismatch, "the writer's value does not fit the reader's \(schema.base)")
        }
    }
}
