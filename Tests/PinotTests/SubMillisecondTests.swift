import Columnar
import Foundation
import Parquet
@testable import Pinot
import Testing
import TestSupport

/// Timestamps with sub-millisecond digits (µs, ns and INT96 columns from pyarrow, DuckDB and
/// fastparquet, `Tests/Fixtures/time/`): a LONG field in the file's unit stores the raw values
/// pyarrow reads, digit for digit; a TIMESTAMP field stores them floored to milliseconds.
@Suite("sub-millisecond timestamps")
struct SubMillisecondTests {
    static let directory = TimeFixtures.directory
    static let files = TimeFixtures.files

    static func expected(_ file: String) throws -> [String: TimeFixtures.Expected] { try TimeFixtures.expected(file) }

    static func format(_ unit: String) -> String { TimeFixtures.format(unit) }

    @Test("the fixtures are there: five files from three writers, INT96 among them")
    func present() throws {
        #expect(Self.files.count == 5, "\(Self.directory) holds \(Self.files)")
        #expect(try Self.files.contains { try Self.expected($0).values.contains { $0.unit == "us" && $0.values.contains { $0 ?? 0 < 0 } } })
    }

    @Test("a LONG field in the file's unit holds pyarrow's raw values; a TIMESTAMP field holds them floored to ms", arguments: files)
    func rawDigits(file: String) async throws {
        let path = Self.directory + "/" + file
        let expected = try Self.expected(file)
        let reader = try await ParquetFileReader(source: try LocalFileReader(path: path), name: path)
        let fields = try reader.fieldIndices(nil)
        var batches: [RecordBatch] = []
        for group in reader.metadata.rowGroups.indices { batches.append(try await reader.readRowGroup(group, fields: fields)) }
        for asTimestamp in [false, true] {
            let specs = [PinotFieldSpec(name: "id", dataType: .long, role: .dimension)] + expected.keys.sorted().map { name in
                PinotFieldSpec(name: name, dataType: asTimestamp ? .timestamp : .long, role: .dateTime,
                               format: asTimestamp ? "1:MILLISECONDS:EPOCH" : Self.format(expected[name]!.unit), granularity: "1:MILLISECONDS")
            }
            let builder = try SegmentBuilder(schema: PinotSchema(schemaName: "t", fields: specs), table: TableConfig(tableName: "t", timeColumn: "ts_us"))
            for batch in batches { try builder.add(batch: batch) }
            let columns = try SegmentReader(files: try builder.build(name: "t").files, name: file).columns()
            for (name, column) in expected {
                let perMilli: Int64 = column.unit == "ns" ? 1_000_000 : 1000
                let want = column.values.map { value in value.map { Value.int(asTimestamp ? TimeFixtures.floorDiv($0, perMilli) : $0) } ?? .null }
                let got = columns[name] ?? []
                let wrong = zip(got, want).enumerated().filter { $0.element.0 != $0.element.1 }.prefix(3)
                #expect(got.count == want.count && wrong.isEmpty,
                        "\(file) \(name) as \(asTimestamp ? "TIMESTAMP" : Self.format(column.unit)): \(wrong.map { "doc \($0.offset): \($0.element.0) != \($0.element.1)" })")
            }
        }
    }
}
