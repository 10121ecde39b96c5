import Columnar
import Engine
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
    static let directory = Repository.fixtures + "/time"
    static let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".parquet") }.sorted()

    struct Expected {
        var unit: String
        var values: [Int64?]
    }

    static func expected(_ file: String) throws -> [String: Expected] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/" + file + ".json"))) as! [String: Any]
        var result: [String: Expected] = [:]
        for (name, column) in json["columns"] as! [String: [String: Any]] {
            let values = (column["values"] as! [Any]).map { ($0 as? NSNumber)?.int64Value }
            result[name] = Expected(unit: column["unit"] as! String, values: values)
        }
        return result
    }

    static func format(_ unit: String) -> String { unit == "ns" ? "1:NANOSECONDS:EPOCH" : "1:MICROSECONDS:EPOCH" }

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
                let want = column.values.map { value in value.map { Value.int(asTimestamp ? floorDiv($0, perMilli) : $0) } ?? .null }
                let got = columns[name] ?? []
                let wrong = zip(got, want).enumerated().filter { $0.element.0 != $0.element.1 }.prefix(3)
                #expect(got.count == want.count && wrong.isEmpty,
                        "\(file) \(name) as \(asTimestamp ? "TIMESTAMP" : Self.format(column.unit)): \(wrong.map { "doc \($0.offset): \($0.element.0) != \($0.element.1)" })")
            }
        }
    }

    @Test("segment create with a LONG 1:MICROSECONDS:EPOCH schema keeps the microseconds; the derived schema's TIMESTAMP floors them")
    func segmentCreate() throws {
        let dir = TemporaryFolder.uniquePath("us")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let schema = dir + "/schema.json"
        try #"""
        {"schemaName": "t", "dimensionFieldSpecs": [{"name": "id", "dataType": "LONG"}],
         "dateTimeFieldSpecs": [{"name": "ts_us", "dataType": "LONG", "format": "1:MICROSECONDS:EPOCH", "granularity": "1:MICROSECONDS"},
                                {"name": "ts_ns", "dataType": "LONG", "format": "1:NANOSECONDS:EPOCH", "granularity": "1:NANOSECONDS"}]}
        """#.write(toFile: schema, atomically: true, encoding: .utf8)
        let expected = try Self.expected("duckdb.parquet")
        for (arguments, floored) in [(["--schema", schema], false), ([], true)] {
            let out = dir + "/out-\(floored)"
            let result = try SegmentCLITests.run(["segment", "create", "--input", Self.directory + "/duckdb.parquet", "--time-column", "ts_us", "--out", out] + arguments)
            #expect(result.status == 0, "\(result.output)")
            let path = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            let segment = try SegmentReader(tarball: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), name: path)
            let columns = try segment.columns()
            for name in ["ts_us", "ts_ns"] {
                let column = expected[name]!
                let perMilli: Int64 = column.unit == "ns" ? 1_000_000 : 1000
                #expect(columns[name] == column.values.map { value in value.map { Value.int(floored ? floorDiv($0, perMilli) : $0) } ?? .null }, "\(name) \(arguments)")
            }
            #expect(segment.metadata.timeUnit == (floored ? "MILLISECONDS" : "MICROSECONDS"))
            let first = expected["ts_us"]!.values.compactMap { $0 }.min()!
            #expect(segment.metadata.startTime == (floored ? floorDiv(first, 1000) : first))
        }
    }
}

private func floorDiv(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return value % divisor != 0 && value < 0 ? quotient - 1 : quotient
}
