import Columnar
import Foundation
@testable import Pinot
import Testing

/// `ingest-worker segment create` and `segment dump`, run as a process.
@Suite("ingest-worker segment commands")
struct SegmentCLITests {
    static let repository: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: repository + "/.build/debug/ingest-worker")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("segment create --format json on a golden case gives Pinot's rows", .enabled(if: SegmentReaderTests.present))
    func fromJSON() throws {
        let dir = SegmentReaderTests.corpus + "/generated/multi-value"
        let out = NSTemporaryDirectory() + "lakeingest-seg-\(UInt32.random(in: 0...UInt32.max))"
        let result = try Self.run(["segment", "create", "--format", "json", "--input", dir + "/input.jsonl", "--schema", dir + "/schema.json",
                                   "--table-config", dir + "/table-config.json", "--out", out])
        #expect(result.status == 0, "\(result.output)")
        let path = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(path.contains("/multi_value_") && path.hasSuffix(".tar.gz"), "\(path)")
        let reader = try SegmentReader(tarball: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), name: path)
        let expected = try SegmentReaderTests.lines([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/expected.jsonl"))))
        let columns = try reader.columns()
        #expect(expected.enumerated().allSatisfy { doc, row in row.allSatisfy { matches(columns[$0.key]![doc], $0.value) } })
        let dump = try Self.run(["segment", "dump", path, "--rows"])
        #expect(dump.status == 0)
        #expect(dump.output.split(separator: "\n").filter { $0.hasPrefix("{") }.count == expected.count)
        #expect(dump.output.contains("creation.meta: CRC"))
    }

    @Test("segment create from Parquet derives the schema and keeps the values")
    func fromParquet() throws {
        let out = NSTemporaryDirectory() + "lakeingest-seg-\(UInt32.random(in: 0...UInt32.max))"
        let result = try Self.run(["segment", "create", "--input", Self.repository + "/Samples/orders.parquet", "--time-column", "ts",
                                   "--no-dictionary", "city", "--tar-compression", "zstd", "--out", out])
        #expect(result.status == 0, "\(result.output)")
        let path = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(path.hasSuffix(".tar.zst"), "zstd tarballs are named as Pinot names them: \(path)")
        let reader = try SegmentReader(tarball: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), name: path)
        #expect(reader.metadata.totalDocs == 12)
        #expect(reader.metadata.timeColumn == "ts")
        #expect(reader.metadata.columns.first { $0.name == "city" }?.hasDictionary == false)
        let columns = try reader.columns()
        #expect(columns["order_id"]?.first == .int(1000))
        #expect(columns["city"]?.prefix(4) == [.string("Lisbon"), .string("Oslo"), .string("Kyoto"), .string("Lima")])
        #expect(columns["tags"]?[1] == .null, "an empty list is a null row")
        #expect(columns["discount"]?[0] == .null)
        let missing = try Self.run(["segment", "create", "--input", "/nonexistent.parquet", "--out", out])
        #expect(missing.status != 0)
        #expect(missing.output.contains("/nonexistent.parquet"))
    }
}
