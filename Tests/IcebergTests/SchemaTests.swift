import Columnar
import Engine
import Foundation
import Iceberg
import Avro
import Parquet
import Pinot
import Testing
import TestSupport

@Suite("schema derivation and column matching")
struct SchemaTests {
    @Test("orders_v2's Pinot schema matches the hand-written expectation")
    func pinotSchema() async throws {
        let metadata = try await IcebergFixtures.metadata("orders_v2")
        let derived = try SchemaDerivation(schemaName: "orders_v2", timeColumn: nil, includePartitionColumns: true)
            .derive(schema: metadata.currentSchema, spec: metadata.defaultSpec)
        let expected = try PinotSchema.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: IcebergFixtures.root + "/expected/orders_v2.pinot-schema.json"))))
        // Compared as Pinot's JSON, which groups fields by role in schema order.
        #expect(derived.jsonText() == expected.jsonText(), "\n\(derived.jsonText())")
        #expect(try PinotSchema.parse(Array(derived.jsonText().utf8)).jsonText() == derived.jsonText(), "the JSON round-trips")
    }

    @Test("excluding partition columns, renaming, and the time column rules")
    func options() async throws {
        let metadata = try await IcebergFixtures.metadata("orders_v2")
        let excluded = try SchemaDerivation(schemaName: "renamed", timeColumn: "ts", includePartitionColumns: false)
            .derive(schema: metadata.currentSchema, spec: metadata.defaultSpec)
        #expect(excluded.schemaName == "renamed")
        #expect(excluded.field("ts_day") == nil)
        #expect(excluded.field("ts")?.role == .dateTime)
        #expect(throws: EngineError.self) {
            _ = try SchemaDerivation(schemaName: "x", timeColumn: "category", includePartitionColumns: false)
                .derive(schema: metadata.currentSchema, spec: metadata.defaultSpec)
        }
        #expect(throws: EngineError.self) {
            _ = try SchemaDerivation(schemaName: "x", timeColumn: "nope", includePartitionColumns: false)
                .derive(schema: metadata.currentSchema, spec: metadata.defaultSpec)
        }
        let dateTime = try SchemaDerivation(schemaName: "x", timeColumn: "id", includePartitionColumns: false)
            .derive(schema: metadata.currentSchema, spec: metadata.defaultSpec)
        #expect(dateTime.field("id")?.format == "1:MILLISECONDS:EPOCH")
    }

    @Test("columns are matched by field id: a renamed column lands, an added one is missing in old files")
    func matchingById() async throws {
        let metadata = try await IcebergFixtures.metadata("orders_v2")
        let plan = try await IncrementalPlanner(metadata: metadata, io: .local).plan(from: nil)
        let matcher = ColumnMatcher(schema: metadata.currentSchema, spec: metadata.defaultSpec, nameMapping: metadata.nameMapping)
        let comment = metadata.currentSchema.fields.firstIndex { $0.name == "comment" }!
        let discount = metadata.currentSchema.fields.firstIndex { $0.name == "discount" }!
        var sawOld = false
        for file in plan.steps.flatMap(\.files) {
            let path = String(file.path.dropFirst("file://".count))
            let reader = try await ParquetFileReader(source: try LocalFileReader(path: path), name: path)
            let fields = try reader.outputFields(try reader.fieldIndices(nil))
            let sources = matcher.match(fileFields: fields, partition: file.partition)
            guard case .column(let index) = sources[comment] else { Issue.record("comment unmatched in \(path)"); continue }
            if fields[index].name == "note" {
                sawOld = true
                #expect(sources[discount] == .missing)
            } else {
                #expect(fields[index].name == "comment")
            }
        }
        #expect(sawOld, "the table still has files written before the rename")
    }

    @Test("files without field ids match by name mapping, then by name; identity partitions fill missing columns")
    func matchingByMapping() {
        let schema = IcebergSchema(schemaId: 0, fields: [
            NestedField(id: 1, name: "id", required: true, type: .long),
            NestedField(id: 2, name: "comment", required: false, type: .string),
            NestedField(id: 3, name: "category", required: false, type: .string),
        ])
        let spec = PartitionSpec(specId: 0, fields: [PartitionField(sourceId: 3, fieldId: 1000, name: "category", transform: .identity)])
        let file = [Field(name: "id", type: .int64, nullable: false), Field(name: "note", type: .string, nullable: true)]
        let partition = [PartitionValue(fieldId: 1000, name: "category", value: .string("books"))]
        let mapped = ColumnMatcher(schema: schema, spec: spec, nameMapping: #"[{"field-id": 1, "names": ["id"]}, {"field-id": 2, "names": ["comment", "note"]}]"#)
        #expect(mapped.match(fileFields: file, partition: partition) == [.column(0), .column(1), .partition(partition[0])])
        let byName = ColumnMatcher(schema: schema, spec: spec, nameMapping: nil)
        #expect(byName.match(fileFields: file, partition: []) == [.column(0), .missing, .missing])
    }
}
