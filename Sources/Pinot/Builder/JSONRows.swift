import Columnar

/// Rows from JSON lines, as Pinot's `JSONRecordReader` reads them for `CreateSegment`: one object
/// per line; a missing key or `null` is null; JSON columns take any value as its JSON text;
/// numbers keep their written form until the column's type converts them.
public enum JSONRows {
    /// Parses one line into values keyed by column, typed for `schema`.
    /// - Throws: `.invalidValue` naming the line when it is not a JSON object.
    public static func parse(line: String, lineNumber: Int, schema: PinotSchema) throws(SegmentError) -> [String: Value] {
        var parser = CompactJSON.Parser(bytes: Array(line.utf8))
        guard let node = try? parser.value(), parser.atEnd(), case .object(let pairs) = node else {
            throw SegmentError(.invalidValue, "line \(lineNumber) is not a JSON object")
        }
        var row: [String: Value] = [:]
        for (key, value) in pairs {
            guard let spec = schema.field(key) else { continue }
            if spec.dataType == .json {
                if case .literal("null") = value { row[key] = .null; continue }
                var text = ""
                value.write(into: &text)
                row[key] = .json(text)
            } else {
                row[key] = convert(value)
            }
        }
        return row
    }

    static func convert(_ node: CompactJSON.Node) -> Value {
        switch node {
        case .literal("null"): return .null
        case .literal("true"): return .boolean(true)
        case .literal("false"): return .boolean(false)
        case .literal(let number):
            if let integer = Int64(number) { return .int(integer) }
            return .double(Double(number) ?? .nan)
        case .string(let text): return .string(text)
        case .array(let items): return .list(items.map(convert))
        case .object:
            var text = ""
            node.write(into: &text)
            return .json(text)
        }
    }
}
