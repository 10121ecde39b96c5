import Columnar
import Engine
import Foundation
import Parquet
@testable import Pinot
import Testing
import TestSupport

/// Dictionary-encoded Parquet columns merged dictionary to dictionary give the very same segment
/// as hashing every row.
@Suite("Pinot builder dictionary fast path")
struct DictionaryFastPathTests {
    @Test("batches with dictionary columns build the same bytes as row by row",
          arguments: ["pyarrow-snappy-dict-v1.parquet", "pyarrow-zstd-dict-v2.parquet", "duckdb-snappy-v1.parquet"])
    func sameBytes(file: String) async throws {
        let path = Repository.fixtures + "/writer-matrix/" + file
        let reader = try await ParquetFileReader(source: try LocalFileReader(path: path), name: path)
        let fields = try reader.fieldIndices(nil)
        let schema = try SchemaDerivation(schemaName: "m", timeColumn: nil, includePartitionColumns: false)
            .derive(parquet: try reader.outputFields(fields))
        let fast = try SegmentBuilder(schema: schema, table: TableConfig(tableName: "m"))
        let slow = try SegmentBuilder(schema: schema, table: TableConfig(tableName: "m"))
        var dictionaryColumns = 0
        for group in reader.metadata.rowGroups.indices {
            let batch = try await reader.readRowGroup(group, fields: fields)
            dictionaryColumns += batch.columns.filter { if case .dictionary = $0.storage { true } else { false } }.count
            try fast.add(batch: batch)
            for row in 0..<batch.rowCount {
                var values: [String: Value] = [:]
                for (field, column) in zip(batch.fields, batch.columns) { values[field.name] = column.value(at: row) }
                try slow.add(row: values)
            }
        }
        #expect(dictionaryColumns > 0, "the file has dictionary-encoded columns")
        let a = try fast.build(name: "s", creationTime: 0)
        let b = try slow.build(name: "s", creationTime: 0)
        #expect(a.files == b.files)
    }
}
