import Columnar

/// An S3 data lake's schema: the union of its files' columns (DESIGN.md, "The task
/// configuration"). Files are added in path order; a column a later file brings is added (null
/// in older rows); `int`→`long`, `float`→`double` and a decimal's precision widen as Iceberg
/// promotes; timestamps of
/// any unit fit each other; a column declared without a type (all nulls) takes the first type a
/// file gives it; a 0-row file adds nothing unless no file has rows. Any other difference is a
/// conflict, refused naming both files.
///
/// Kept in the state (`lake-schema.json`), so a run reads only its new files' footers.
struct LakeSchemaUnion: Codable, Sendable, Equatable {
    struct Column: Codable, Sendable, Equatable {
        var name: String
        /// ``DataTypeText`` of the type; nil while every file declared it without a type.
        var type: String?
        /// The file that added the column or decided its type.
        var file: String
    }

    private(set) var columns: [Column] = []
    /// The columns of the first 0-row file, used only when no file has rows.
    private var emptyFile: [Column]?

    /// Adds one file's columns; returns what changed, as status notes. Columns in `excluded`
    /// (`schema.excludeColumns`) are only recorded: their types never conflict.
    /// - Throws: `.schemaMismatch` naming both files when a column's types conflict.
    mutating func add(_ fields: [Field], rows: Int, file: String, excluded: Set<String> = []) throws(EngineError) -> [String] {
        guard rows > 0 else {
            if columns.isEmpty && emptyFile == nil { emptyFile = fields.map { Column(name: $0.name, type: Self.text($0), file: file) } }
            return []
        }
        let first = columns.isEmpty
        var notes: [String] = []
        for field in fields {
            guard let index = columns.firstIndex(where: { $0.name == field.name }) else {
                columns.append(Column(name: field.name, type: Self.text(field), file: file))
                if !first && !excluded.contains(field.name) { notes.append("column \(field.name) appears first in \(file): added to the schema, null in the rows of earlier files") }
                continue
            }
            guard !field.isNullType, !excluded.contains(field.name) else { continue }
            let column = columns[index]
            guard let known = column.type.flatMap(DataTypeText.parse) else {
                columns[index] = Column(name: field.name, type: DataTypeText.text(field.type), file: file)
                continue
            }
            switch Self.merge(known, field.type) {
            case .same:
                break
            case .widened(let wider):
                columns[index] = Column(name: field.name, type: DataTypeText.text(wider), file: file)
                notes.append("column \(field.name) widens from \(known) to \(wider) in \(file), as Iceberg promotes it")
            case .conflict:
                throw EngineError(.schemaMismatch,
                    "column \(field.name) is \(field.type) in \(file) but \(known) in \(column.file): a data lake's files must agree on a column's type "
                        + "(int widens to long and float to double; leave the column out with \"schema.excludeColumns\")",
                    file: file, column: field.name)
            }
        }
        return notes
    }

    /// The schema's fields: a column no file typed is STRING.
    var fields: [Field] {
        (columns.isEmpty ? emptyFile ?? [] : columns).map { column in
            Field(name: column.name, type: column.type.flatMap(DataTypeText.parse) ?? .string, nullable: true)
        }
    }

    var isEmpty: Bool { columns.isEmpty && emptyFile == nil }

    private static func text(_ field: Field) -> String? { field.isNullType ? nil : DataTypeText.text(field.type) }

    private enum Merge { case same, widened(DataType), conflict }

    private static func merge(_ known: DataType, _ other: DataType) -> Merge {
        switch (known, other) {
        case _ where known == other: return .same
        case (.int32, .int64): return .widened(.int64)
        case (.int64, .int32): return .same
        case (.float32, .float64): return .widened(.float64)
        case (.float64, .float32): return .same
        case (.timestamp, .timestamp): return .same
        case (.decimal(let p1, let s1), .decimal(let p2, let s2)) where s1 == s2:
            return p2 > p1 ? .widened(.decimal(precision: p2, scale: s2)) : .same
        case (.list(let a), .list(let b)):
            switch merge(a, b) {
            case .same: return .same
            case .widened(let wider): return .widened(.list(wider))
            case .conflict: return .conflict
            }
        default: return .conflict
        }
    }
}

/// A ``DataType`` as text for the state files, and back: `int64`, `timestamp(us)`,
/// `decimal(10,2)`, `list(string)`.
enum DataTypeText {
    static func text(_ type: DataType) -> String {
        switch type {
        case .boolean: "boolean"
        case .int32: "int32"
        case .int64: "int64"
        case .float32: "float32"
        case .float64: "float64"
        case .decimal(let precision, let scale): "decimal(\(precision),\(scale))"
        case .string: "string"
        case .json: "json"
        case .bytes: "bytes"
        case .date: "date"
        case .time: "time"
        case .timestamp(.milliseconds): "timestamp(ms)"
        case .timestamp(.microseconds): "timestamp(us)"
        case .timestamp(.nanoseconds): "timestamp(ns)"
        case .list(let element): "list(\(text(element)))"
        }
    }

    static func parse(_ text: String) -> DataType? {
        let simple: [String: DataType] = [
            "boolean": .boolean, "int32": .int32, "int64": .int64, "float32": .float32, "float64": .float64, "string": .string,
            "json": .json, "bytes": .bytes, "date": .date, "time": .time, "timestamp(ms)": .timestamp(.milliseconds),
            "timestamp(us)": .timestamp(.microseconds), "timestamp(ns)": .timestamp(.nanoseconds),
        ]
        if let type = simple[text] { return type }
        if text.hasPrefix("list("), text.hasSuffix(")") { return parse(String(text.dropFirst(5).dropLast())).map { .list($0) } }
        if text.hasPrefix("decimal("), text.hasSuffix(")") {
            let parts = text.dropFirst(8).dropLast().split(separator: ",").compactMap { Int($0) }
            if parts.count == 2 { return .decimal(precision: parts[0], scale: parts[1]) }
        }
        return nil
    }
}
