import Columnar

/// Rows from JSON lines, as Pinot's `JSONRecordReader` reads them for `CreateSegment`: one object
/// per line; a missing key or `null` is null; JSON columns take any value as its JSON text;
/// numbers keep their written form until the column's type converts them.
public enum JSONRows {
    /// Parses one line into values keyed by column, typed for `schema`.
    /// - Throws: `.invalidValue` naming the line when it is not a JSON object (strict RFC 8259:
    ///   no hex, `NaN` or bare words), or a number overflows a DOUBLE.
    public static func parse(line: String, lineNumber: Int, schema: PinotSchema) throws(SegmentError) -> [String: Value] {
        var parser = CompactJSON.Parser(bytes: Array(line.utf8))
        let node: CompactJSON.Node
        do {
            node = try parser.value()
        } catch {
            let position = (error as? CompactJSON.Failure)?.position ?? 0
            let near = String(decoding: Array(line.utf8).dropFirst(position).prefix(12), as: UTF8.self)
            throw SegmentError(.invalidValue, "line \(lineNumber) is not valid JSON at character \(position + 1) (near \(near.debugDescription))")
        }
        guard parser.atEnd(), case .object(let pairs) = node else {
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
                do throws(SegmentError) { row[key] = try convert(value) } catch {
                    throw SegmentError(.invalidValue, "line \(lineNumber): \(error.message)", column: key)
                }
            }
        }
        return row
    }

    static func convert(_ node: CompactJSON.Node) throws(SegmentError) -> Value {
        switch node {
        case .literal("null"): return .null
        case .literal("true"): return .boolean(true)
        case .literal("false"): return .boolean(false)
        case .literal(let number):
            if let integer = Int64(number) { return .int(integer) }
            guard let double = Double(number), double.isFinite else {
                throw SegmentError(.invalidValue, "the number \(number) is outside the range of a DOUBLE")
            }
            return .double(double)
        case .string(let text): return .string(text)
        case .array(let items): return .list(try items.map { (item) throws(SegmentError) in try convert(item) })
        case .object:
            var text = ""
            node.write(into: &text)
            return .json(text)
        }
    }
}
