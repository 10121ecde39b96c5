import Columnar
import Foundation
import Pinot
import Testing
import TestSupport

/// `segment create` on the sub-millisecond fixtures (`Tests/Fixtures/time/`): a LONG field in the
/// file's unit stores the raw values pyarrow reads, digit for digit; the derived schema's
/// TIMESTAMP field stores them floored to milliseconds. (The in-process half of this suite is in
/// PinotTests.)
@Suite("sub-millisecond timestamps")
struct SubMillisecondCLITests {
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
        let expected = try TimeFixtures.expected("duckdb.parquet")
        for (arguments, floored) in [(["--schema", schema], false), ([], true)] {
            let out = dir + "/out-\(floored)"
            let result = try SegmentCLITests.run(["segment", "create", "--input", TimeFixtures.directory + "/duckdb.parquet", "--time-column", "ts_us", "--out", out] + arguments)
            #expect(result.status == 0, "\(result.output)")
            let path = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            let segment = try SegmentReader(tarball: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), name: path)
            let columns = try segment.columns()
            for name in ["ts_us", "ts_ns"] {
                let column = expected[name]!
                let perMilli: Int64 = column.unit == "ns" ? 1_000_000 : 1000
                #expect(columns[name] == column.values.map { value in value.map { Value.int(floored ? TimeFixtures.floorDiv($0, perMilli) : $0) } ?? .null }, "\(name) \(arguments)")
            }
            #expect(segment.metadata.timeUnit == (floored ? "MILLISECONDS" : "MICROSECONDS"))
            let first = expected["ts_us"]!.values.compactMap { $0 }.min()!
            #expect(segment.metadata.startTime == (floored ? TimeFixtures.floorDiv(first, 1000) : first))
        }
    }
}
