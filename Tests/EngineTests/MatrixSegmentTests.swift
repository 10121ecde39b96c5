import Columnar
import Engine
import Foundation
import Parquet
@testable import Pinot
import Testing
import TestSupport

/// Segments built from the Parquet writer matrix read back to pyarrow's values (the committed
/// expectations) under DESIGN.md's mapping and Pinot's value rules.
@Suite("segments from the Parquet writer matrix")
struct MatrixSegmentTests {
    static let directory = Repository.fixtures + "/writer-matrix"
    static let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".parquet") }.sorted()

    @Test("the writer matrix is there")
    func present() { #expect(Self.files.count >= 40, "\(Self.directory) holds \(Self.files.count) Parquet files") }

    @Test("segment rows equal pyarrow's values under Pinot's rules", arguments: files)
    func matrix(file: String) async throws {
        let path = Self.directory + "/" + file
        let reader = try await ParquetFileReader(source: try LocalFileReader(path: path), name: path)
        let fields = try reader.fieldIndices(nil)
        let schema = try SchemaDerivation(schemaName: "m", timeColumn: nil, includePartitionColumns: false)
            .derive(parquet: try reader.outputFields(fields))
        let builder = try SegmentBuilder(schema: schema, table: TableConfig(tableName: "m"))
        for group in reader.metadata.rowGroups.indices { try builder.add(batch: try await reader.readRowGroup(group, fields: fields)) }
        let segment = try SegmentReader(files: try builder.build(name: "m").files, name: file)
        let columns = try segment.columns()
        let expectation = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path + ".json"))) as! [String: Any]
        let names = (expectation["columns"] as! [[String: Any]]).map { $0["name"] as! String }
        let rows = expectation["rows"] as! [[Any]]
        var problems: [String] = []
        for (doc, row) in rows.enumerated() where problems.count < 6 {
            for (name, raw) in zip(names, row) {
                guard let spec = schema.field(name), let value = columns[name]?[doc] else { problems.append("no column \(name)"); continue }
                let want = pinotRules(raw, spec)
                if !(want is NSNull && value == .null) && !matches(value, want) && !jsonEqual(value, want) {
                    problems.append("doc \(doc) \(name): \(value.jsonText.prefix(60)) != \(String(describing: want).prefix(60))")
                }
            }
        }
        #expect(problems.isEmpty, Comment(rawValue: "\(file):\n" + problems.joined(separator: "\n")))
    }
}

/// What Pinot stores for a value pyarrow read: NaN → null, -0.0 → 0.0, lists without null or NaN
/// elements (empty → null), strings cut at maxLength, JSON compact with sorted keys.
func pinotRules(_ raw: Any, _ spec: PinotFieldSpec) -> Any {
    if raw is NSNull { return raw }
    if !spec.singleValue {
        guard let list = raw as? [Any] else { return NSNull() }
        let kept = list.filter { !($0 is NSNull) && ($0 as? String) != "NaN" }
        return kept.isEmpty ? NSNull() : kept.map { pinotRules($0, PinotFieldSpec(name: spec.name, dataType: spec.dataType, role: spec.role)) }
    }
    switch spec.dataType {
    case .float, .double:
        if let text = raw as? String, text == "NaN" { return NSNull() }
        if let number = raw as? NSNumber, number.doubleValue == 0 { return NSNumber(value: 0.0) }
        return raw
    case .string:
        guard let text = raw as? String else { return raw }
        let units = Array(text.utf16)
        return units.count > 512 ? String(decoding: units.prefix(512), as: UTF16.self) : text
    case .json:
        guard let text = raw as? String else { return raw }
        return CompactJSON.normalize(text)
    default:
        return raw
    }
}

func jsonEqual(_ value: Value, _ expected: Any) -> Bool {
    guard case .json(let text) = value, let want = expected as? String else { return false }
    return text == want
}
